import { TestDatabases } from '@backstage/backend-test-utils';
import { mockServices } from '@backstage/backend-test-utils';
import { testCanaryConfig } from '../__testUtils__/harness';
import { DatabaseCanaryStore } from '../store/DatabaseCanaryStore';
import { seedDemoCanaries } from './seed';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('seedDemoCanaries', () => {
  it('leaves a succeeded run on service-a and a rolled-back run with its reason on service-b, once', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseCanaryStore.create({
      database: mockServices.database({ knex }),
    });
    const flushEvidence = jest.fn(async () => 0);
    const args = {
      store,
      config: testCanaryConfig(),
      logger: mockServices.logger.mock(),
      flushEvidence,
      now: new Date('2026-11-30T09:00:00Z'),
    };
    expect(await seedDemoCanaries(args)).toBe(true);
    const [a] = await store.listRuns('component:default/service-a', 5);
    const [b] = await store.listRuns('component:default/service-b', 5);
    expect(a).toMatchObject({
      status: 'succeeded',
      demo: true,
      requestedWeight: 100,
    });
    expect(b).toMatchObject({
      status: 'rolled_back',
      demo: true,
      requestedWeight: 0,
    });
    expect(b.reason).toMatch(/rolled back/);
    expect(b.causalChain?.metric).toBeTruthy();
    expect(b.causalChain?.rule).toBeTruthy();
    // the runs lie in the past
    expect(Date.parse(b.finishedAt!)).toBeLessThanOrEqual(
      Date.parse('2026-11-30T09:00:00Z'),
    );
    expect((await store.analyses(b.id)).length).toBe(4);
    expect(flushEvidence).toHaveBeenCalled();
    // idempotent on the next start
    expect(await seedDemoCanaries(args)).toBe(false);
    expect(await store.listRuns('component:default/service-a', 5)).toHaveLength(
      1,
    );
  });
});
