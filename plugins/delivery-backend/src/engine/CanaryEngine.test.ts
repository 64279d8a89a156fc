import { TestDatabases } from '@backstage/backend-test-utils';
import { RecorderTrafficProvider } from '../providers/RecorderTrafficProvider';
import { SimulatorMetricsProvider } from '../providers/SimulatorMetricsProvider';
import type {
  MetricsProvider,
  MetricsQuery,
  TrafficProvider,
} from '../providers/types';
import {
  createEngine,
  manualClock,
  RecordingEvidence,
  testCanaryConfig,
} from '../__testUtils__/harness';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const ENTITY = 'component:default/service-a';

/** Moves the clock to the run's next action and ticks, until it ends. */
async function driveToEnd(
  engines: Array<{ engine: any; store: any }>,
  clock: ReturnType<typeof manualClock>,
  runId: string,
  max = 20,
) {
  for (let i = 0; i < max; i++) {
    const run = await engines[0].store.getRun(runId);
    if (run.status !== 'running') return run;
    clock.set(run.nextAt);
    await Promise.all(engines.map(e => e.engine.tick()));
  }
  return engines[0].store.getRun(runId);
}

describe.each(databases.eachSupportedId())('CanaryEngine on %p', databaseId => {
  it('steps a healthy canary 10 → 50 → 100 and records every decision', async () => {
    const knex = await databases.init(databaseId);
    const clock = manualClock();
    const { engine, store, evidence, traffic } = await createEngine(knex, {
      clock: clock.now,
    });
    const run = await engine.start({
      entityRef: ENTITY,
      version: '1.4.0',
      simulation: 'healthy',
      actor: 'user:default/alice',
    });
    expect(run.status).toBe('running');
    expect(run.requestedWeight).toBe(10);
    expect(run.appliedWeight).toBe(10);
    expect(run.nextAt).toBe('2026-11-30T08:01:00.000Z'); // interval 60 s

    // not due yet: nothing happens
    clock.advance(30);
    expect((await engine.tick()).analysed).toBe(0);

    const done = await driveToEnd([{ engine, store }], clock, run.id);
    expect(done.status).toBe('succeeded');
    expect(done.requestedWeight).toBe(100);
    expect(
      (traffic as RecorderTrafficProvider).calls.map(c => c.weight),
    ).toEqual([10, 50, 100]);
    const events = await store.events(run.id);
    expect(events.map(e => e.type)).toEqual([
      'started',
      'verdict',
      'step',
      'verdict',
      'completed',
    ]);
    expect(events[0].actor).toBe('user:default/alice');
    const analyses = await store.analyses(run.id);
    expect(analyses.map(a => [a.step, a.attempt, a.outcome])).toEqual([
      [0, 1, 'advance'],
      [1, 1, 'complete'],
    ]);
    // observed weight tracks the requested one (simulator: ± 1.5 points)
    expect(Math.abs(analyses[0].observedWeight! - 10)).toBeLessThanOrEqual(1.5);
    // every decision became canary evidence, in order, written as plugin:delivery
    expect(evidence.records.map(r => r.request.summary.decision)).toEqual(
      events.map(e => e.type),
    );
    expect(evidence.records.every(r => r.request.category === 'canary')).toBe(
      true,
    );
    expect(evidence.records.every(r => r.principal === 'plugin:delivery')).toBe(
      true,
    );
    expect(evidence.records[0].request.summary.actor).toBe(
      'user:default/alice',
    );
    expect((await store.events(run.id)).every(e => e.evidenceHash)).toBe(true);
    // a step change cites the verdict it rests on (judge input + result digests)
    const [verdict1, step1] = [
      evidence.records[1].request,
      evidence.records[2].request,
    ];
    expect(step1.payload.inputs).toEqual(
      expect.arrayContaining([
        verdict1.payload.inputsDigest,
        verdict1.payload.verdictDigest,
      ]),
    );
    // each record after the first cites the previous one
    for (let i = 1; i < evidence.records.length; i++) {
      expect(evidence.records[i].request.payload.inputs).toContain(
        `evidence:${evidence.records[i - 1].hash}`,
      );
    }
  });

  it('retries a failing step twice at the retry interval, then rolls back with the causal chain', async () => {
    const knex = await databases.init(databaseId);
    const clock = manualClock();
    const { engine, store, evidence, traffic } = await createEngine(knex, {
      clock: clock.now,
    });
    const run = await engine.start({
      entityRef: ENTITY,
      version: '2.1.0',
      simulation: 'degrading',
      actor: 'user:default/alice',
    });
    const times: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await store.getRun(run.id);
      if (r!.status !== 'running') break;
      clock.set(r!.nextAt!);
      times.push(r!.nextAt!);
      await engine.tick();
    }
    const ended = (await store.getRun(run.id))!;
    expect(ended.status).toBe('rolled_back');
    expect(ended.requestedWeight).toBe(0);
    expect(ended.appliedWeight).toBe(0);
    expect(
      (traffic as RecorderTrafficProvider).calls.map(c => c.weight),
    ).toEqual([10, 50, 0]);
    // step 1 analysed at +60, step 2 at +60, then retries at +120, +120
    const gaps = times
      .slice(1)
      .map((t, i) => (Date.parse(t) - Date.parse(times[i])) / 1000);
    expect(gaps).toEqual([60, 120, 120]);
    const analyses = await store.analyses(run.id);
    expect(analyses.map(a => [a.step, a.attempt, a.outcome])).toEqual([
      [0, 1, 'advance'],
      [1, 1, 'retry'],
      [1, 2, 'retry'],
      [1, 3, 'rollback'],
    ]);
    const chain = ended.causalChain!;
    expect(chain.step).toBe(1);
    expect(chain.weight).toBe(50);
    expect(chain.metric).toBe('error_rate'); // the critical metric decides first
    expect(chain.classification).toBe('High');
    expect(chain.canary!.mean).toBeGreaterThan(chain.baseline!.mean);
    expect(chain.rule).toMatch(/./);
    expect(ended.reason).toMatch(/rolled back/);
    const types = (await store.events(run.id)).map(e => e.type);
    expect(types).toEqual([
      'started',
      'verdict',
      'step',
      'verdict',
      'retry',
      'verdict',
      'retry',
      'verdict',
      'rollback',
    ]);
    const rollback = evidence.records.find(
      r => r.request.summary.decision === 'rollback',
    )!;
    expect(rollback.request.payload.causalChain).toEqual(chain);
    expect(
      rollback.request.payload.inputs.some((i: string) =>
        i.startsWith('sha256:'),
      ),
    ).toBe(true);
  });

  it('refuses a second active run for the entity (409), allows one after the first ended', async () => {
    const knex = await databases.init(databaseId);
    const clock = manualClock();
    const { engine } = await createEngine(knex, { clock: clock.now });
    const first = await engine.start({
      entityRef: ENTITY,
      version: '1',
      actor: 'user:default/a',
    });
    await expect(
      engine.start({
        entityRef: ENTITY,
        version: '2',
        actor: 'user:default/a',
      }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    await engine.act(first.id, 'abort', 'user:default/a', 'wrong build');
    const second = await engine.start({
      entityRef: ENTITY,
      version: '2',
      actor: 'user:default/a',
    });
    expect(second.status).toBe('running');
  });

  it('pause / resume / promote and abort are decided by the state machine, with the actor', async () => {
    const knex = await databases.init(databaseId);
    const clock = manualClock();
    const { engine, store, traffic } = await createEngine(knex, {
      clock: clock.now,
    });
    const run = await engine.start({
      entityRef: ENTITY,
      version: '1',
      actor: 'user:default/a',
    });
    const paused = await engine.act(run.id, 'pause', 'user:default/bob');
    expect(paused.status).toBe('paused');
    expect(paused.nextAt).toBeNull();
    clock.advance(3600);
    expect((await engine.tick()).analysed).toBe(0); // paused runs are not analysed
    await expect(
      engine.act(run.id, 'pause', 'user:default/bob'),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    const resumed = await engine.act(run.id, 'resume', 'user:default/bob');
    expect(resumed.status).toBe('running');
    expect(resumed.nextAt).toBe(
      new Date(clock.now().getTime() + 60_000).toISOString(),
    );
    const promoted = await engine.act(
      run.id,
      'promote',
      'user:default/carol',
      'hotfix',
    );
    expect(promoted.status).toBe('succeeded');
    expect(promoted.appliedWeight).toBe(100);
    const events = await store.events(run.id);
    expect(events.map(e => [e.type, e.actor])).toEqual([
      ['started', 'user:default/a'],
      ['paused', 'user:default/bob'],
      ['resumed', 'user:default/bob'],
      ['promoted', 'user:default/carol'],
    ]);
    expect(events[3].summary).toMatch(/carol/);

    const other = await engine.start({
      entityRef: 'component:default/service-b',
      version: '1',
      actor: 'user:default/a',
    });
    const aborted = await engine.act(
      other.id,
      'abort',
      'user:default/dave',
      'bad config',
    );
    expect(aborted.status).toBe('aborted');
    expect(aborted.causalChain).toMatchObject({
      actor: 'user:default/dave',
      weight: 10,
      step: 0,
    });
    expect(
      (traffic as RecorderTrafficProvider).weightOf(
        'component:default/service-b',
      ),
    ).toBe(0);
  });

  it('pauses on an inconclusive (Marginal) verdict instead of rolling back', async () => {
    const knex = await databases.init(databaseId);
    const clock = manualClock();
    // one metric clearly worse, one identical: score 50 → Marginal with marginal 40
    const metrics: MetricsProvider = {
      type: 'simulator',
      async query(q: MetricsQuery) {
        const pts = (base: number) =>
          Array.from({ length: 30 }, (_, i) => ({ t: i, v: base + (i % 7) }));
        return {
          series: [
            { metric: 'latency_p95', canary: pts(200), baseline: pts(100) },
            { metric: 'error_rate', canary: pts(1), baseline: pts(1) },
          ].filter(s => q.metrics.some(m => m.name === s.metric)),
          observedWeight: q.requestedWeight ?? null,
        };
      },
    };
    const config = testCanaryConfig({
      judge: { thresholds: { pass: 95, marginal: 40 } },
      metrics: [
        { name: 'latency_p95', direction: 'increase' },
        { name: 'error_rate', direction: 'increase' },
      ],
    });
    const { engine, store } = await createEngine(knex, {
      clock: clock.now,
      metrics,
      config,
    });
    const run = await engine.start({
      entityRef: ENTITY,
      version: '1',
      actor: 'user:default/a',
    });
    clock.advance(60);
    await engine.tick();
    const paused = (await store.getRun(run.id))!;
    expect(paused.status).toBe('paused');
    expect(paused.requestedWeight).toBe(10); // traffic stays where it was
    expect(paused.reason).toMatch(/Inconclusive/);
    expect(paused.causalChain?.metric).toBe('latency_p95');
    expect((await store.events(run.id)).map(e => e.type)).toEqual([
      'started',
      'verdict',
      'paused',
    ]);
  });

  it('metrics provider down: retries at the retry interval, pauses after consecutiveErrorLimit errors with the reason as evidence; resume and abort (onErrorLimit) work', async () => {
    const knex = await databases.init(databaseId);
    const clock = manualClock();
    let down = true;
    const healthy = new SimulatorMetricsProvider();
    const metrics: MetricsProvider = {
      type: 'simulator',
      async query(q: MetricsQuery) {
        if (down)
          throw new Error('Prometheus: connect ECONNREFUSED 127.0.0.1:9090');
        return healthy.query({ ...q, simulation: 'healthy' });
      },
    };
    const { engine, store, evidence } = await createEngine(knex, {
      clock: clock.now,
      metrics,
      config: testCanaryConfig({ consecutiveErrorLimit: 2 }),
    });
    const run = await engine.start({
      entityRef: ENTITY,
      version: '2.0.0',
      actor: 'user:default/alice',
    });
    // errors 1 and 2 (≤ limit 2): retried 120 s later, weight kept
    for (let i = 1; i <= 2; i++) {
      clock.set((await store.getRun(run.id))!.nextAt!);
      await engine.tick();
      const r = (await store.getRun(run.id))!;
      expect(r.status).toBe('running');
      expect(r.requestedWeight).toBe(10);
      expect(r.reason).toContain(`${i} consecutive error`);
      expect(r.reason).toContain('ECONNREFUSED');
      expect(r.nextAt).toBe(
        new Date(clock.now().getTime() + 120_000).toISOString(),
      );
    }
    // error 3 > limit 2: paused, the rule and the error recorded
    clock.set((await store.getRun(run.id))!.nextAt!);
    await engine.tick();
    const paused = (await store.getRun(run.id))!;
    expect(paused.status).toBe('paused');
    expect(paused.requestedWeight).toBe(10);
    expect(paused.nextAt).toBeNull();
    expect(paused.causalChain?.rule).toContain(
      'consecutiveErrors (3) > consecutiveErrorLimit (2)',
    );
    expect((await store.events(run.id)).map(e => e.type)).toEqual([
      'started',
      'retry',
      'retry',
      'paused',
    ]);
    expect(await store.analyses(run.id)).toEqual([]); // nothing was judged
    const pauseRecord = evidence.records[evidence.records.length - 1].request;
    expect(pauseRecord.category).toBe('canary');
    expect(pauseRecord.summary.decision).toBe('paused');
    expect(pauseRecord.payload.causalChain.rule).toContain(
      'consecutiveErrorLimit (2)',
    );
    expect(pauseRecord.payload.error).toContain('ECONNREFUSED');
    expect(pauseRecord.payload.consecutiveErrors).toBe(3);
    // a paused run is not analysed
    clock.advance(3600);
    expect((await engine.tick()).analysed).toBe(0);

    // Prometheus back; a human resumes: the count starts again, the run goes on
    down = false;
    const resumed = await engine.act(run.id, 'resume', 'user:default/alice');
    expect(resumed.status).toBe('running');
    expect(resumed.causalChain).toBeNull();
    const done = await driveToEnd([{ engine, store }], clock, run.id);
    expect(done.status).toBe('succeeded');

    // onErrorLimit abort: traffic back to stable
    down = true;
    const {
      engine: e2,
      store: s2,
      traffic: t2,
    } = await createEngine(knex, {
      clock: clock.now,
      metrics,
      config: testCanaryConfig({
        consecutiveErrorLimit: 0,
        onErrorLimit: 'abort',
      }),
    });
    const run2 = await e2.start({
      entityRef: 'component:default/service-b',
      version: '3.0.0',
      actor: 'user:default/alice',
    });
    clock.set((await s2.getRun(run2.id))!.nextAt!);
    await e2.tick();
    const aborted = (await s2.getRun(run2.id))!;
    expect(aborted.status).toBe('aborted');
    expect(aborted.requestedWeight).toBe(0);
    expect(aborted.finishedAt).not.toBeNull();
    expect(
      (t2 as RecorderTrafficProvider).weightOf('component:default/service-b'),
    ).toBe(0);
    expect(aborted.causalChain?.rule).toContain(
      'consecutiveErrors (1) > consecutiveErrorLimit (0)',
    );
  });

  it('does not judge traffic it could not set; retries the weight on the next tick', async () => {
    const knex = await databases.init(databaseId);
    const clock = manualClock();
    let failing = true;
    const recorder = new RecorderTrafficProvider();
    const traffic: TrafficProvider = {
      type: 'recorder',
      async setWeight(t, w) {
        if (failing) throw new Error('kube API down');
        await recorder.setWeight(t, w);
      },
    };
    const { engine, store } = await createEngine(knex, {
      clock: clock.now,
      traffic,
    });
    const run = await engine.start({
      entityRef: ENTITY,
      version: '1',
      actor: 'user:default/a',
    });
    expect(run.appliedWeight).toBeNull();
    clock.advance(60);
    expect((await engine.tick()).analysed).toBe(0);
    failing = false;
    const r = await engine.tick();
    expect(r.applied).toBe(1);
    expect(r.analysed).toBe(1);
    expect(recorder.calls.map(c => c.weight)).toEqual([10, 50]);
    expect((await store.getRun(run.id))!.appliedWeight).toBe(50);
  });

  it('resumes after a restart: a new engine on the same database continues where it stopped', async () => {
    const knex = await databases.init(databaseId);
    const clock = manualClock();
    const evidence = new RecordingEvidence();
    const first = await createEngine(knex, { clock: clock.now, evidence });
    const run = await first.engine.start({
      entityRef: ENTITY,
      version: '1',
      simulation: 'healthy',
      actor: 'user:default/a',
    });
    clock.advance(60);
    await first.engine.tick(); // step 1 → 50 %
    // "crash": evidence store down for the next decision
    evidence.failNext = 1;
    clock.advance(60);
    // a fresh engine (new process) on the same database
    const second = await createEngine(knex, { clock: clock.now, evidence });
    await second.engine.tick();
    const done = (await second.store.getRun(run.id))!;
    expect(done.status).toBe('succeeded');
    // the decision whose evidence failed was written by a later flush, in order
    await second.writer.flush();
    const events = await second.store.events(run.id);
    expect(events.every(e => e.evidenceHash)).toBe(true);
    expect(evidence.records.map(r => r.request.summary.decision)).toEqual(
      events.map(e => e.type),
    );
    expect((await second.store.analyses(run.id)).map(a => a.step)).toEqual([
      0, 1,
    ]);
  });

  it('two engines racing on one database never apply a step twice', async () => {
    const knex = await databases.init(databaseId);
    const clock = manualClock();
    const evidence = new RecordingEvidence();
    const a = await createEngine(knex, { clock: clock.now, evidence });
    const b = await createEngine(knex, { clock: clock.now, evidence });
    const runs = [];
    for (const [i, sim] of (
      ['healthy', 'degrading', 'healthy'] as const
    ).entries()) {
      runs.push(
        await a.engine.start({
          entityRef: `component:default/svc-${i}`,
          version: '1',
          simulation: sim,
          actor: 'user:default/a',
        }),
      );
    }
    let lost = 0;
    for (let i = 0; i < 12; i++) {
      clock.advance(60);
      const results = await Promise.all([
        a.engine.tick(),
        b.engine.tick(),
        a.engine.tick(),
        b.engine.tick(),
      ]);
      lost += results.reduce((n, r) => n + r.lost, 0);
    }
    // the engines really competed: some decisions were taken by one and lost by the other
    expect(lost).toBeGreaterThan(0);
    for (const run of runs) {
      const analyses = await a.store.analyses(run.id);
      const keys = analyses.map(x => `${x.step}/${x.attempt}`);
      expect(new Set(keys).size).toBe(keys.length);
      const events = await a.store.events(run.id);
      expect(events.filter(e => e.type === 'verdict').length).toBe(
        analyses.length,
      );
      expect(new Set(events.map(e => e.seq)).size).toBe(events.length);
    }
    expect((await a.store.getRun(runs[0].id))!.status).toBe('succeeded');
    expect((await a.store.getRun(runs[1].id))!.status).toBe('rolled_back');
    expect((await a.store.analyses(runs[0].id)).length).toBe(2);
    expect((await a.store.analyses(runs[1].id)).length).toBe(4);
    // each decision written to evidence exactly once (idempotency per run+seq)
    const keys = evidence.records.map(r => r.request.idempotencyKey);
    expect(new Set(keys).size).toBe(keys.length);
    // the weights each engine applied never go backwards within a healthy run
    const applied = [
      ...(a.traffic as RecorderTrafficProvider).calls,
      ...(b.traffic as RecorderTrafficProvider).calls,
    ].filter(c => c.entityRef === 'component:default/svc-0');
    expect(new Set(applied.map(c => c.weight))).toEqual(new Set([10, 50, 100]));
  });
});
