import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseCanaryStore } from './DatabaseCanaryStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const OLD = '2026-01-10T08:00:00.000Z';
const RECENT = '2026-11-29T08:00:00.000Z';
const CUTOFF = '2026-11-01T00:00:00.000Z';

function runRow(
  id: string,
  o: { finishedAt: string | null; status?: string; entity?: string },
) {
  const entity = o.entity ?? `component:default/${id}`;
  return {
    id,
    entity_ref: entity,
    version: '1',
    baseline_version: 'stable',
    status: o.status ?? (o.finishedAt ? 'succeeded' : 'running'),
    active_key: o.finishedAt ? null : entity,
    row_version: 3,
    state: '{}',
    config: '{}',
    requested_weight: o.finishedAt ? 100 : 10,
    created_by: 'user:default/a',
    created_at: OLD,
    updated_at: o.finishedAt ?? OLD,
    finished_at: o.finishedAt,
    demo: false,
  };
}

async function seed(
  knex: any,
  id: string,
  o: { finishedAt: string | null; status?: string; pending?: boolean },
) {
  await knex('delivery_canary_runs').insert(runRow(id, o));
  await knex('delivery_canary_analyses').insert({
    id: `${id}-a1`,
    run_id: id,
    step: 0,
    weight: 10,
    attempt: 1,
    at: OLD,
    verdict: '{}',
    outcome: 'advance',
    inputs_digest: 'sha256:x',
    measurements: '[]',
  });
  for (const seq of [1, 2]) {
    await knex('delivery_canary_events').insert({
      run_id: id,
      seq,
      at: OLD,
      type: seq === 1 ? 'started' : 'completed',
      summary: 's',
      record: '{}',
      // the last decision of a "pending" run is not in the evidence log yet
      evidence_hash: o.pending && seq === 2 ? null : `hash-${id}-${seq}`,
    });
  }
}

const count = async (knex: any, table: string, runId: string) =>
  Number(
    (
      await knex(table)
        .where(table === 'delivery_canary_runs' ? 'id' : 'run_id', runId)
        .count('* as n')
        .first()
    ).n,
  );

describe.each(databases.eachSupportedId())(
  'canary retention on %p',
  databaseId => {
    it('deletes finished runs older than the cutoff with their analyses and events; keeps recent, active and not-yet-evidenced runs', async () => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseCanaryStore.create({
        database: mockServices.database({ knex }),
      });
      await seed(knex, 'old-succeeded', { finishedAt: OLD });
      await seed(knex, 'old-rolled-back', {
        finishedAt: OLD,
        status: 'rolled_back',
      });
      await seed(knex, 'old-aborted', { finishedAt: OLD, status: 'aborted' });
      await seed(knex, 'recent', { finishedAt: RECENT });
      await seed(knex, 'active', { finishedAt: null });
      await seed(knex, 'paused', { finishedAt: null, status: 'paused' });
      await seed(knex, 'old-pending', { finishedAt: OLD, pending: true });

      // batches of one: the loop goes on until nothing old is left
      const deleted = await store.deleteFinishedBefore(CUTOFF, 1);
      expect(deleted).toEqual({ runs: 3, analyses: 3, events: 6 });
      for (const id of ['old-succeeded', 'old-rolled-back', 'old-aborted']) {
        expect(await store.getRun(id)).toBeUndefined();
        expect(await count(knex, 'delivery_canary_analyses', id)).toBe(0);
        expect(await count(knex, 'delivery_canary_events', id)).toBe(0);
      }
      for (const id of ['recent', 'active', 'paused', 'old-pending']) {
        expect((await store.getRun(id))?.id).toBe(id);
        expect(await count(knex, 'delivery_canary_analyses', id)).toBe(1);
        expect(await count(knex, 'delivery_canary_events', id)).toBe(2);
      }
      // nothing left to delete
      expect(await store.deleteFinishedBefore(CUTOFF)).toEqual({
        runs: 0,
        analyses: 0,
        events: 0,
      });

      // once its last decision is in the evidence log, the pending run goes too
      await store.setEvidenceHash('old-pending', 2, 'hash-late');
      expect(await store.deleteFinishedBefore(CUTOFF)).toEqual({
        runs: 1,
        analyses: 1,
        events: 2,
      });
      expect(await store.getRun('old-pending')).toBeUndefined();
      expect(await store.getRun('recent')).toBeDefined();
    });
  },
);
