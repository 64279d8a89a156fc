import {
  initialRolloutState,
  RolloutTransitionError,
  transition,
  tryTransition,
} from './machine';
import { RolloutEvent, RolloutState } from './types';

const actor = 'user:default/alice';
const fresh = (over: Partial<Parameters<typeof initialRolloutState>[0]> = {}) =>
  initialRolloutState({
    steps: [{ weight: 10 }, { weight: 50 }, { weight: 100 }],
    ...over,
  });
const run = (s: RolloutState, ...events: RolloutEvent[]) =>
  events.reduce((st, e) => transition(st, e).state, s);
const pass = {
  type: 'verdict',
  classification: 'Pass',
  reason: 'score 100',
} as const;
const fail = {
  type: 'verdict',
  classification: 'Fail',
  reason: 'score 0',
} as const;
const marginal = {
  type: 'verdict',
  classification: 'Marginal',
  reason: 'score 80',
} as const;

function expectedWeight(s: RolloutState): number {
  if (s.phase === 'succeeded') return 100;
  if (s.phase === 'rolled_back' || s.phase === 'aborted') return 0;
  return s.steps[s.stepIndex];
}

describe('rollout state machine', () => {
  it('defaults: 10 → 50 → 100, 2 retries at 120 s, 300 s per step', () => {
    const s = initialRolloutState({ steps: [] });
    expect(s).toMatchObject({
      phase: 'running',
      steps: [10, 50, 100],
      stepIndex: -1,
      weight: 0,
      retries: 2,
      retryIntervalSeconds: 120,
      intervalSeconds: 300,
    });
  });

  it('start → step 1 at 10 %, analysis after the interval, evidence "started"', () => {
    const t = transition(fresh(), { type: 'start' });
    expect(t.outcome).toBe('start');
    expect(t.state).toMatchObject({
      phase: 'running',
      stepIndex: 0,
      weight: 10,
      attempt: 0,
    });
    expect(t.effects.slice(0, 2)).toEqual([
      { type: 'setWeight', weight: 10 },
      { type: 'scheduleAnalysis', afterSeconds: 300 },
    ]);
    expect(t.effects[2]).toMatchObject({
      type: 'recordEvidence',
      kind: 'started',
      step: 0,
      fromWeight: 0,
      toWeight: 10,
    });
  });

  it('Pass advances to the next step; Pass on the last analysed step completes at 100 %', () => {
    const s1 = run(fresh(), { type: 'start' });
    const t2 = transition(s1, pass);
    expect(t2.outcome).toBe('advance');
    expect(t2.state).toMatchObject({ stepIndex: 1, weight: 50, attempt: 0 });
    expect(t2.effects.map(e => e.type)).toEqual([
      'recordEvidence',
      'setWeight',
      'scheduleAnalysis',
      'recordEvidence',
    ]);
    expect(t2.effects[0]).toMatchObject({ kind: 'verdict' });
    expect(t2.effects[3]).toMatchObject({
      kind: 'step',
      fromWeight: 10,
      toWeight: 50,
    });
    const t3 = transition(t2.state, pass);
    expect(t3.outcome).toBe('complete');
    expect(t3.state).toMatchObject({
      phase: 'succeeded',
      weight: 100,
      stepIndex: 2,
    });
    expect(t3.effects).toContainEqual({ type: 'setWeight', weight: 100 });
    expect(t3.effects).toContainEqual({ type: 'cancelAnalysis' });
    expect(t3.effects[t3.effects.length - 1]).toMatchObject({
      kind: 'completed',
      toWeight: 100,
    });
  });

  it('Fail retries twice at 120 s, then rolls back to 0 % with the causal chain', () => {
    const cause = {
      step: 1,
      weight: 50,
      metric: 'latency',
      classification: 'High',
      canary: { mean: 180 },
      baseline: { mean: 120 },
      estimate: 60,
      confidenceInterval: [50, 70] as [number, number],
      rule: 'High: lower bound 50 > 15',
      actor: null,
    };
    let s = run(fresh(), { type: 'start' }, pass);
    const r1 = transition(s, fail);
    expect(r1.outcome).toBe('retry');
    expect(r1.state.attempt).toBe(1);
    expect(r1.effects).toContainEqual({
      type: 'scheduleAnalysis',
      afterSeconds: 120,
    });
    expect(r1.effects[2]).toMatchObject({ kind: 'retry' });
    s = r1.state;
    const r2 = transition(s, fail);
    expect(r2.outcome).toBe('retry');
    const r3 = transition(r2.state, { ...fail, cause, inputs: ['sha256:abc'] });
    expect(r3.outcome).toBe('rollback');
    expect(r3.state).toMatchObject({
      phase: 'rolled_back',
      weight: 0,
      attempt: 3,
      causalChain: cause,
    });
    expect(r3.state.reason).toContain('after 2 retries: rolled back');
    expect(r3.effects).toContainEqual({ type: 'setWeight', weight: 0 });
    const ev = r3.effects.find(
      e => e.type === 'recordEvidence' && e.kind === 'rollback',
    );
    expect(ev).toMatchObject({
      causalChain: cause,
      fromWeight: 50,
      toWeight: 0,
      inputs: ['sha256:abc'],
    });
  });

  it('inconclusive pauses do not use up retries: Marginal, resume, Fail → retry', () => {
    const s = run(
      fresh(),
      { type: 'start' },
      marginal,
      { type: 'resume', actor },
      marginal,
      { type: 'resume', actor },
    );
    const t = transition(s, fail);
    expect(t.outcome).toBe('retry');
    expect(t.state).toMatchObject({ attempt: 3, failedAttempts: 1 });
  });

  it('a Pass after a failed attempt advances and resets the attempt count', () => {
    const s = run(fresh(), { type: 'start' }, fail, pass);
    expect(s).toMatchObject({ stepIndex: 1, attempt: 0, phase: 'running' });
  });

  it('retries 0: the first Fail rolls back; without a cause the chain names the verdict', () => {
    const t = transition(run(fresh({ retries: 0 }), { type: 'start' }), fail);
    expect(t.outcome).toBe('rollback');
    expect(t.state.causalChain).toMatchObject({
      step: 0,
      weight: 10,
      classification: 'Fail',
      rule: 'score 0',
    });
  });

  it('Marginal pauses (inconclusive) and resume re-analyses the same step', () => {
    const s = run(fresh(), { type: 'start' });
    const p = transition(s, marginal);
    expect(p.outcome).toBe('pause');
    expect(p.state).toMatchObject({
      phase: 'paused',
      pausedBy: 'inconclusive',
      weight: 10,
    });
    expect(p.effects).toContainEqual({ type: 'cancelAnalysis' });
    const r = transition(p.state, { type: 'resume', actor });
    expect(r.outcome).toBe('resume');
    expect(r.state).toMatchObject({
      phase: 'running',
      pausedBy: null,
      stepIndex: 0,
    });
    expect(r.effects[0]).toEqual({
      type: 'scheduleAnalysis',
      afterSeconds: 300,
    });
    expect(r.effects[1]).toMatchObject({ kind: 'resumed' });
  });

  it('manual pause / resume keep the weight and record who acted', () => {
    const s = run(fresh(), { type: 'start' }, pass);
    const p = transition(s, {
      type: 'pause',
      actor,
      reason: 'look at dashboards',
    });
    expect(p.state).toMatchObject({
      phase: 'paused',
      pausedBy: 'manual',
      weight: 50,
    });
    expect(p.state.reason).toBe(
      'paused by user:default/alice at step 2 (50%): look at dashboards',
    );
  });

  it('abort from running or paused: weight 0, causal chain names the actor', () => {
    for (const s of [
      run(fresh(), { type: 'start' }),
      run(fresh(), { type: 'start' }, marginal),
    ]) {
      const t = transition(s, { type: 'abort', actor, reason: 'pager' });
      expect(t.outcome).toBe('abort');
      expect(t.state).toMatchObject({ phase: 'aborted', weight: 0 });
      expect(t.state.causalChain).toMatchObject({
        actor,
        rule: 'manual abort: pager',
        weight: 10,
      });
      expect(t.effects).toContainEqual({ type: 'setWeight', weight: 0 });
    }
  });

  it('promote (full) from running or paused: 100 % now, remaining steps skipped', () => {
    for (const s of [
      run(fresh(), { type: 'start' }),
      run(fresh(), { type: 'start' }, { type: 'pause', actor }),
    ]) {
      const t = transition(s, { type: 'promote', actor });
      expect(t.outcome).toBe('complete');
      expect(t.state).toMatchObject({
        phase: 'succeeded',
        weight: 100,
        stepIndex: 2,
      });
      expect(t.state.reason).toContain('skipping 2 remaining step(s)');
    }
  });

  it('per-step interval and steps without analysis advance on time', () => {
    const s0 = initialRolloutState({
      steps: [
        { weight: 5, intervalSeconds: 60, analysis: false },
        { weight: 25, intervalSeconds: 600 },
        { weight: 100 },
      ],
    });
    const t = transition(s0, { type: 'start' });
    expect(t.effects[1]).toEqual({ type: 'scheduleAdvance', afterSeconds: 60 });
    const a = transition(t.state, { type: 'advance' });
    expect(a.state).toMatchObject({ stepIndex: 1, weight: 25 });
    expect(a.effects[1]).toEqual({
      type: 'scheduleAnalysis',
      afterSeconds: 600,
    });
    // a verdict on a step without analysis, or advance on an analysed one, is illegal
    expect(tryTransition(t.state, pass)).toMatchObject({
      ok: false,
      error: { code: 'not_analysing' },
    });
    expect(tryTransition(a.state, { type: 'advance' })).toMatchObject({
      ok: false,
      error: { code: 'not_analysing' },
    });
  });

  describe('illegal transitions return a typed error and leave the state alone', () => {
    const created = fresh();
    const running = run(fresh(), { type: 'start' });
    const paused = run(running, { type: 'pause', actor });
    const succeeded = run(running, { type: 'promote', actor });
    const rolledBack = run(fresh({ retries: 0 }), { type: 'start' }, fail);
    const aborted = run(running, { type: 'abort', actor });
    const cases: Array<[string, RolloutState, RolloutEvent, string]> = [
      ['start twice', running, { type: 'start' }, 'already_started'],
      ['verdict before start', created, pass, 'not_started'],
      ['advance before start', created, { type: 'advance' }, 'not_started'],
      ['pause before start', created, { type: 'pause', actor }, 'not_started'],
      [
        'promote before start',
        created,
        { type: 'promote', actor },
        'not_started',
      ],
      [
        'resume while running',
        running,
        { type: 'resume', actor },
        'not_paused',
      ],
      ['resume before start', created, { type: 'resume', actor }, 'not_paused'],
      ['pause while paused', paused, { type: 'pause', actor }, 'not_running'],
      ['verdict while paused', paused, pass, 'not_running'],
      ['advance while paused', paused, { type: 'advance' }, 'not_running'],
      ...(
        [
          'start',
          'verdict',
          'advance',
          'pause',
          'resume',
          'abort',
          'promote',
        ] as const
      ).flatMap(type =>
        [succeeded, rolledBack, aborted].map(
          s =>
            [
              `${type} after ${s.phase}`,
              s,
              { ...pass, type, actor } as unknown as RolloutEvent,
              'ended',
            ] as [string, RolloutState, RolloutEvent, string],
        ),
      ),
      [
        'unknown event',
        running,
        { type: 'explode' } as unknown as RolloutEvent,
        'unknown_event',
      ],
    ];
    it.each(cases)('%s', (_name, state, event, code) => {
      const before = JSON.stringify(state);
      const r = tryTransition(state, event);
      expect(r.ok).toBe(false);
      const err = (r as { error: RolloutTransitionError }).error;
      expect(err).toBeInstanceOf(RolloutTransitionError);
      expect(err.code).toBe(code);
      expect(err.phase).toBe(state.phase);
      expect(() => transition(state, event)).toThrow(RolloutTransitionError);
      expect(JSON.stringify(state)).toBe(before);
    });
  });

  describe('metric errors (Argo consecutiveErrorLimit)', () => {
    const err = (error = 'Prometheus: connect ECONNREFUSED') =>
      ({ type: 'metricError', error } as const);

    it('defaults: limit 4, pause', () => {
      expect(fresh()).toMatchObject({
        consecutiveErrors: 0,
        consecutiveErrorLimit: 4,
        onErrorLimit: 'pause',
      });
    });

    it('up to the limit: retry after the retry interval, weight kept, retries not used up', () => {
      let s = run(fresh(), { type: 'start' });
      for (let i = 1; i <= 4; i++) {
        const t = transition(s, err());
        expect(t.outcome).toBe('retry');
        expect(t.state).toMatchObject({
          phase: 'running',
          weight: 10,
          consecutiveErrors: i,
          failedAttempts: 0,
          attempt: 0,
        });
        expect(t.state.reason).toContain(`${i} consecutive error`);
        expect(t.effects).toContainEqual({
          type: 'scheduleAnalysis',
          afterSeconds: 120,
        });
        expect(t.effects).toContainEqual(
          expect.objectContaining({ type: 'recordEvidence', kind: 'retry' }),
        );
        s = t.state;
      }
    });

    it('more errors in a row than the limit → paused with the rule and the last error as the causal chain', () => {
      const s = run(
        fresh(),
        { type: 'start' },
        pass,
        err('a'),
        err('b'),
        err('c'),
        err('d'),
      );
      const t = transition(s, err('Prometheus down'));
      expect(t.outcome).toBe('pause');
      expect(t.state).toMatchObject({
        phase: 'paused',
        pausedBy: 'errors',
        weight: 50,
        consecutiveErrors: 5,
      });
      expect(t.state.causalChain).toMatchObject({
        step: 1,
        weight: 50,
        classification: 'Error',
      });
      expect(t.state.causalChain!.rule).toContain(
        'consecutiveErrors (5) > consecutiveErrorLimit (4)',
      );
      expect(t.state.causalChain!.rule).toContain('Prometheus down');
      expect(t.effects).toContainEqual({ type: 'cancelAnalysis' });
      const ev = t.effects.find(e => e.type === 'recordEvidence');
      expect(ev).toMatchObject({
        kind: 'paused',
        fromWeight: 50,
        toWeight: 50,
        causalChain: t.state.causalChain,
      });
      // no weight change on a pause
      expect(t.effects.some(e => e.type === 'setWeight')).toBe(false);
    });

    it('onErrorLimit abort: traffic back to stable (0 %), aborted with the chain', () => {
      const s = run(
        fresh({ consecutiveErrorLimit: 1, onErrorLimit: 'abort' }),
        { type: 'start' },
        err(),
      );
      const t = transition(s, err('timeout'));
      expect(t.outcome).toBe('abort');
      expect(t.state).toMatchObject({ phase: 'aborted', weight: 0 });
      expect(t.effects).toContainEqual({ type: 'setWeight', weight: 0 });
      expect(t.state.causalChain!.rule).toContain(
        'consecutiveErrors (2) > consecutiveErrorLimit (1)',
      );
      expect(t.effects.find(e => e.type === 'recordEvidence')).toMatchObject({
        kind: 'aborted',
        toWeight: 0,
      });
    });

    it('limit 0: the first error stops the run', () => {
      const s = run(fresh({ consecutiveErrorLimit: 0 }), { type: 'start' });
      expect(transition(s, err()).state.phase).toBe('paused');
    });

    it('a verdict ends the run of errors (errors must be consecutive)', () => {
      const s = run(
        fresh(),
        { type: 'start' },
        err(),
        err(),
        err(),
        err(),
        fail, // metrics answered: counter reset, retry 1 of 2
        err(),
        err(),
        err(),
        err(),
      );
      expect(s).toMatchObject({
        phase: 'running',
        consecutiveErrors: 4,
        failedAttempts: 1,
      });
      expect(transition(s, err()).state.phase).toBe('paused');
    });

    it('resume after an error pause re-reads the metrics with a fresh count and clears the chain', () => {
      const s = run(
        fresh({ consecutiveErrorLimit: 0 }),
        { type: 'start' },
        err(),
      );
      const t = transition(s, { type: 'resume', actor });
      expect(t.state).toMatchObject({
        phase: 'running',
        consecutiveErrors: 0,
        causalChain: null,
      });
      expect(t.effects).toContainEqual({
        type: 'scheduleAnalysis',
        afterSeconds: 300,
      });
    });

    it('is illegal before start, while paused and on steps without analysis', () => {
      expect(tryTransition(fresh(), err())).toMatchObject({
        ok: false,
        error: { code: 'not_started' },
      });
      const paused = run(fresh(), { type: 'start' }, { type: 'pause', actor });
      expect(tryTransition(paused, err())).toMatchObject({
        ok: false,
        error: { code: 'not_running' },
      });
      const timed = run(
        fresh({
          steps: [{ weight: 10, analysis: false }, { weight: 100 }],
        }),
        { type: 'start' },
      );
      expect(tryTransition(timed, err())).toMatchObject({
        ok: false,
        error: { code: 'not_analysing' },
      });
    });
  });

  it('abort before start is allowed (a created run can be cancelled)', () => {
    expect(transition(fresh(), { type: 'abort', actor }).state.phase).toBe(
      'aborted',
    );
  });

  it('every legal event from every reachable state either transitions or fails typed (exhaustive walk)', () => {
    const events: RolloutEvent[] = [
      { type: 'start' },
      pass,
      fail,
      marginal,
      { type: 'advance' },
      { type: 'pause', actor },
      { type: 'resume', actor },
      { type: 'abort', actor },
      { type: 'promote', actor },
      { type: 'metricError', error: 'down' },
    ];
    const seen = new Set<string>();
    const queue = [fresh()];
    let transitions = 0;
    while (queue.length) {
      const s = queue.shift()!;
      const key = JSON.stringify([
        s.phase,
        s.stepIndex,
        s.failedAttempts,
        s.pausedBy,
        s.consecutiveErrors,
      ]);
      if (seen.has(key)) continue;
      seen.add(key);
      for (const e of events) {
        const r = tryTransition(s, e);
        if (!r.ok) continue;
        transitions++;
        expect(r.state.weight).toBe(expectedWeight(r.state));
        expect(r.effects.some(x => x.type === 'recordEvidence')).toBe(true);
        queue.push(r.state);
      }
    }
    expect(seen.size).toBeGreaterThan(15);
    expect(transitions).toBeGreaterThan(40);
  });
});
