import { TestDatabases } from '@backstage/backend-test-utils';
import {
  causalChainOf,
  initialRolloutState,
  judge,
  transition,
} from '@assay/plugin-delivery-common';
import type { RolloutState } from '@assay/plugin-delivery-common';
import { createEngine, manualClock } from '../__testUtils__/harness';
import { digestOf } from './judgeInput';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
/** What the evidence store keeps: canonical JSON (NaN → null). */
const asStored = (v: unknown) => JSON.parse(JSON.stringify(v));

describe('canary decisions replay from evidence alone', () => {
  it('re-judges every verdict, re-derives the rollback cause and re-runs the state machine', async () => {
    const knex = await databases.init('SQLITE_3');
    const clock = manualClock();
    const { engine, store, evidence } = await createEngine(knex, {
      clock: clock.now,
    });
    const run = await engine.start({
      entityRef: 'component:default/service-b',
      version: '2.1.0',
      simulation: 'degrading',
      actor: 'user:default/alice',
    });
    for (let i = 0; i < 10; i++) {
      const r = (await store.getRun(run.id))!;
      if (r.status !== 'running') break;
      clock.set(r.nextAt!);
      await engine.tick();
    }
    expect((await store.getRun(run.id))!.status).toBe('rolled_back');

    // From here on only the evidence records are used.
    const records = evidence.records
      .map(r => asStored(r.request))
      .filter(r => r.payload.runId === run.id);
    const started = records.find(r => r.payload.kind === 'started')!;
    const verdicts = records.filter(r => r.payload.kind === 'verdict');
    const rollback = records.find(r => r.payload.kind === 'rollback')!;
    expect(verdicts).toHaveLength(4);

    // 1. every verdict: its digest names its input, and the pure judge agrees
    for (const v of verdicts) {
      expect(digestOf(v.payload.judgeInput)).toBe(v.payload.inputsDigest);
      expect(v.payload.inputs).toContain(v.payload.inputsDigest);
      expect(asStored(judge(v.payload.judgeInput))).toEqual(v.payload.verdict);
    }

    // 2. the rollback cites the last verdict's inputs, and its causal chain
    //    is what causalChainOf derives from that verdict
    const last = verdicts[verdicts.length - 1];
    expect(rollback.payload.inputs).toContain(last.payload.inputsDigest);
    const derived = causalChainOf(judge(last.payload.judgeInput), {
      step: last.payload.step,
      weight: last.payload.fromWeight,
    })!;
    expect(rollback.payload.causalChain).toMatchObject({
      step: derived.step,
      weight: derived.weight,
      metric: derived.metric,
      classification: derived.classification,
      rule: derived.rule,
    });
    expect(rollback.payload.causalChain.canary.mean).toBeGreaterThan(
      rollback.payload.causalChain.baseline.mean,
    );

    // 3. the state machine, fed the recorded configuration and verdicts,
    //    takes exactly the recorded decisions and ends where the run ended
    const config = started.payload.config;
    expect(digestOf(config)).toBe(started.payload.configDigest);
    expect(started.payload.inputs).toContain(started.payload.configDigest);
    let state: RolloutState = initialRolloutState({
      steps: config.steps,
      intervalSeconds: config.intervalSeconds,
      retries: config.retries,
      retryIntervalSeconds: config.retryIntervalSeconds,
    });
    const kinds: string[] = [];
    const feed = (e: any) => {
      const t = transition(state, e);
      state = t.state;
      for (const x of t.effects)
        if (x.type === 'recordEvidence') kinds.push(x.kind);
    };
    feed({ type: 'start' });
    for (const v of verdicts) {
      feed({
        type: 'verdict',
        classification: v.payload.verdict.classification,
        reason: v.payload.verdict.reason,
      });
    }
    expect(kinds).toEqual(records.map(r => r.payload.kind));
    expect(state.phase).toBe('rolled_back');
    expect(state.weight).toBe(rollback.payload.toWeight);
    expect(rollback.payload.toWeight).toBe(0);
  });
});
