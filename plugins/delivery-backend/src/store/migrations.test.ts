import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const directory = resolvePackagePath(
  '@assay/plugin-delivery-backend',
  'migrations',
);

const run = (id: string, entityRef: string, active: boolean) => ({
  id,
  entity_ref: entityRef,
  version: '1',
  baseline_version: 'stable',
  status: active ? 'running' : 'succeeded',
  active_key: active ? entityRef : null,
  row_version: 0,
  state: '{}',
  config: '{}',
  requested_weight: 10,
  created_by: 'user:default/a',
  created_at: '2026-11-30T08:00:00.000Z',
  updated_at: '2026-11-30T08:00:00.000Z',
  demo: false,
});

// the driver's error may come from another realm under jest (not instanceof
// Error), so match the message, not the class
const unique = expect.stringMatching(/unique|duplicate/i);

describe.each(databases.eachSupportedId())('migrations on %p', databaseId => {
  it('go up, hold one active run per entity, go down and up again', async () => {
    const knex = await databases.init(databaseId);
    await knex.migrate.latest({ directory });
    await knex('delivery_canary_runs').insert(
      run('a', 'component:default/x', true),
    );
    // finished runs of the same entity: any number
    await knex('delivery_canary_runs').insert(
      run('b', 'component:default/x', false),
    );
    await knex('delivery_canary_runs').insert(
      run('c', 'component:default/x', false),
    );
    // a second active run of the entity: refused by the database itself
    await expect(
      knex('delivery_canary_runs').insert(
        run('d', 'component:default/x', true),
      ),
    ).rejects.toHaveProperty('message', unique);
    await knex('delivery_canary_events').insert({
      run_id: 'a',
      seq: 1,
      at: '2026-11-30T08:00:00.000Z',
      type: 'started',
      summary: 's',
      record: '{}',
    });
    await expect(
      knex('delivery_canary_events').insert({
        run_id: 'a',
        seq: 1,
        at: '2026-11-30T08:00:00.000Z',
        type: 'step',
        summary: 's',
        record: '{}',
      }),
    ).rejects.toHaveProperty('message', unique);

    await knex.migrate.rollback({ directory }, true);
    expect(await knex.schema.hasTable('delivery_canary_runs')).toBe(false);
    expect(await knex.schema.hasTable('delivery_canary_events')).toBe(false);
    await knex.migrate.latest({ directory });
    expect(
      Number((await knex('delivery_canary_runs').count('* as n').first())!.n),
    ).toBe(0);
  });
});
