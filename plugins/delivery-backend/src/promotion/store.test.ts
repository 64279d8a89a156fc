import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { GateEvaluation } from '@assay/plugin-delivery-common';
import { DatabasePromotionStore, PromotionRow } from './store';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const evaluation: GateEvaluation = {
  mode: 'compliance',
  allowed: true,
  gates: [],
  inputs: [],
  summary: 'allowed (compliance)',
};

const row = (id: string, over: Partial<PromotionRow> = {}): PromotionRow => ({
  id,
  entityRef: 'component:default/a',
  environment: 'staging',
  kind: 'promotion',
  version: '1.0.0',
  releaseHash: 'a'.repeat(64),
  status: 'awaiting-approval',
  requestedBy: 'user:default/alice',
  requestedAt: `2026-11-30T10:00:0${id.slice(-1)}.000Z`,
  finishedAt: null,
  mode: 'compliance',
  evaluation,
  approvalsRequired: 1,
  evidenceHashes: [],
  ...over,
});

describe.each(databases.eachSupportedId())(
  'DatabasePromotionStore on %p',
  databaseId => {
    async function create() {
      const knex = await databases.init(databaseId);
      return DatabasePromotionStore.create({
        database: mockServices.database({ knex }),
      });
    }

    it('holds one active promotion per entity and environment (409), any number of finished ones', async () => {
      const store = await create();
      await store.insertPromotion(row('p1'));
      await expect(store.insertPromotion(row('p2'))).rejects.toMatchObject({
        name: 'ConflictError',
      });
      // other environment, other entity: fine
      await store.insertPromotion(row('p3', { environment: 'prod' }));
      await store.insertPromotion(
        row('p4', { entityRef: 'component:default/b' }),
      );
      // finished ones do not hold the key
      await store.insertPromotion(row('p5', { status: 'blocked' }));
      await store.insertPromotion(row('p6', { status: 'failed' }));
      expect(
        (await store.activePromotion('component:default/a', 'staging'))?.id,
      ).toBe('p1');

      // compare-and-set: only from the expected status; finishing frees the key
      expect(
        await store.updatePromotion('p1', 'running', { status: 'succeeded' }),
      ).toBe(false);
      expect(
        await store.updatePromotion('p1', 'awaiting-approval', {
          status: 'running',
        }),
      ).toBe(true);
      expect(
        (await store.activePromotion('component:default/a', 'staging'))?.id,
      ).toBe('p1');
      expect(
        await store.updatePromotion('p1', 'running', {
          status: 'succeeded',
          finishedAt: '2026-11-30T10:05:00.000Z',
          leadTimeSeconds: 3600,
        }),
      ).toBe(true);
      expect(
        await store.activePromotion('component:default/a', 'staging'),
      ).toBeUndefined();
      await store.insertPromotion(row('p7'));
      const p1 = await store.getPromotion('p1');
      expect(p1).toMatchObject({
        status: 'succeeded',
        leadTimeSeconds: 3600,
        evaluation,
      });
    });

    it('stores approvals once per approver, pages history newest first, releases unique per version', async () => {
      const store = await create();
      await store.insertPromotion(row('p1', { status: 'succeeded' }));
      await store.insertPromotion(row('p2', { status: 'failed' }));
      await store.insertPromotion(row('p3', { status: 'blocked' }));
      const approval = {
        approver: 'user:default/carol',
        approvedAt: '2026-11-30T10:01:00.000Z',
        expiresAt: '2026-12-03T10:01:00.000Z',
        hash: 'c'.repeat(64),
        releaseHash: 'a'.repeat(64),
      };
      await store.insertApproval('p1', approval);
      await expect(store.insertApproval('p1', approval)).rejects.toMatchObject({
        name: 'ConflictError',
      });
      await store.addEvidenceHash('p1', 'd'.repeat(64));
      await store.addEvidenceHash('p1', 'd'.repeat(64));
      const page1 = await store.history('component:default/a', { limit: 2 });
      expect(page1.items.map(p => p.id)).toEqual(['p3', 'p2']);
      const page2 = await store.history('component:default/a', {
        limit: 2,
        cursor: page1.nextCursor!,
      });
      expect(page2.items.map(p => p.id)).toEqual(['p1']);
      expect(page2.nextCursor).toBeNull();
      expect(page2.items[0].approvals).toEqual([
        expect.objectContaining({ approver: 'user:default/carol' }),
      ]);
      expect(page2.items[0].evidenceHashes).toEqual(['d'.repeat(64)]);

      const release = {
        hash: 'e'.repeat(64),
        entityRef: 'component:default/a',
        version: '1.0.0',
        producer: 'user:default/bob',
        createdAt: '2026-11-29T10:00:00.000Z',
        record: {
          kind: 'assay.release/v1' as const,
          entityRef: 'component:default/a',
          version: '1.0.0',
          evidence: [{ category: 'tests', hash: 'f'.repeat(64) }],
          artifacts: [],
          producer: 'user:default/bob',
          createdAt: '2026-11-29T10:00:00.000Z',
        },
      };
      await store.insertRelease(release);
      await expect(
        store.insertRelease({ ...release, hash: '1'.repeat(64) }),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      expect(
        await store.releaseByVersion('component:default/a', '1.0.0'),
      ).toMatchObject({
        hash: 'e'.repeat(64),
        evidence: [{ category: 'tests', hash: 'f'.repeat(64) }],
      });
      await store.setDeployed({
        entityRef: 'component:default/a',
        environment: 'dev',
        releaseHash: 'e'.repeat(64),
        version: '1.0.0',
        deployedAt: '2026-11-30T10:00:00.000Z',
        promotionId: 'p1',
        deploymentRef: 'recorder:dev',
      });
      await store.setDeployed({
        entityRef: 'component:default/a',
        environment: 'dev',
        releaseHash: '1'.repeat(64),
        version: '1.1.0',
        deployedAt: '2026-11-30T11:00:00.000Z',
        promotionId: 'p2',
        deploymentRef: null,
      });
      expect(await store.deployed('component:default/a', 'dev')).toMatchObject({
        version: '1.1.0',
        promotionId: 'p2',
      });
    });
  },
);
