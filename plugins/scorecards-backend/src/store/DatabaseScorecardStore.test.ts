import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import {
  checkSetDigest,
  DEFAULT_CHECKS,
  EntityResult,
  entityFacts,
  evaluateEntity,
  LevelOrNone,
  Mode,
} from '@assay/plugin-scorecards-common';
import { DatabaseScorecardStore } from './DatabaseScorecardStore';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

function result(
  name: string,
  o: {
    level: LevelOrNone;
    score: number;
    mode?: Mode;
    failing?: string[];
    at?: string;
  },
): EntityResult {
  const failing = o.failing ?? [];
  return {
    entityRef: `component:default/${name}`,
    mode: o.mode ?? 'sandbox',
    score: o.score,
    level: o.level,
    computedAt: o.at ?? '2026-11-30T08:00:00.000Z',
    inputs: ['a'.repeat(64)],
    resultHash: name.padEnd(64, '0'),
    checks: [
      ...failing.map(id => ({
        id,
        title: id,
        category: 'security' as const,
        level: 'gold' as const,
        weight: 1,
        status: 'fail' as const,
        reason: 'x',
        facts: {},
        evidence: [],
        remediation: { text: 'fix' },
        controls: [],
      })),
      {
        id: 'owner-set',
        title: 'Owner',
        category: 'ownership' as const,
        level: 'bronze' as const,
        weight: 1,
        status: 'pass' as const,
        reason: 'ok',
        facts: {},
        evidence: [],
        remediation: { text: 'fix' },
        controls: [],
      },
    ],
    replay: {
      entityFacts: {},
      checks: [],
      waivers: [],
      maxEvidenceAgeDays: 30,
      evaluatedAt: '2026-11-30T08:00:00.000Z',
      headSeq: 1,
    },
  };
}

describe.each(databases.eachSupportedId())(
  'DatabaseScorecardStore on %p',
  databaseId => {
    async function create() {
      const knex = await databases.init(databaseId);
      const store = await DatabaseScorecardStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
      return { store, knex };
    }

    it('stores results, filters, sorts and paginates the overview', async () => {
      const { store } = await create();
      await store.saveResults([
        {
          result: result('a', {
            level: 'silver',
            score: 80,
            mode: 'compliance',
            failing: ['sig'],
          }),
          kind: 'component',
          title: 'A',
          owner: 'group:default/payments',
          system: 'system:default/pay',
          domain: 'domain:default/money',
        },
        {
          result: result('b', { level: 'gold', score: 100 }),
          kind: 'component',
          title: 'B',
          owner: 'group:default/payments',
        },
        {
          result: result('c', {
            level: 'none',
            score: 10,
            failing: ['sig', 'sast'],
          }),
          kind: 'component',
          title: 'C',
          owner: 'group:default/platform',
        },
      ]);
      const all = await store.overview({
        orderBy: 'score',
        order: 'desc',
        limit: 2,
      });
      expect(all.totalCount).toBe(3);
      expect(all.levels).toEqual({ none: 1, bronze: 0, silver: 1, gold: 1 });
      expect(all.items.map(r => r.entityRef)).toEqual([
        'component:default/b',
        'component:default/a',
      ]);
      const page2 = await store.overview({
        orderBy: 'score',
        order: 'desc',
        limit: 2,
        offset: 2,
      });
      expect(page2.items.map(r => r.title)).toEqual(['C']);
      expect(
        (await store.overview({ owner: 'group:default/payments' })).totalCount,
      ).toBe(2);
      expect(
        (await store.overview({ failingCheck: 'sig' })).items.map(r => r.title),
      ).toEqual(['A', 'C']);
      expect((await store.overview({ failingCheck: 'si' })).totalCount).toBe(0);
      expect(
        (await store.overview({ q: 'COMPONENT:default/c' })).totalCount,
      ).toBe(1);
      expect((await store.overview({ level: 'gold' })).items[0].title).toBe(
        'B',
      );
      expect(
        (await store.overview({ mode: 'compliance' })).items[0],
      ).toMatchObject({
        title: 'A',
        failing: 1,
        failingChecks: ['sig'],
        domain: 'domain:default/money',
      });
      expect(
        (await store.overview({ orderBy: 'level', order: 'asc' })).items.map(
          r => r.title,
        ),
      ).toEqual(['C', 'A', 'B']);
      expect(await store.getResult('component:default/a')).toMatchObject({
        level: 'silver',
        score: 80,
      });

      const teams = await store.rollups('team');
      expect(teams).toEqual([
        {
          key: 'group:default/payments',
          entities: 2,
          averageScore: 90,
          levels: { none: 0, bronze: 0, silver: 1, gold: 1 },
        },
        {
          key: 'group:default/platform',
          entities: 1,
          averageScore: 10,
          levels: { none: 1, bronze: 0, silver: 0, gold: 0 },
        },
      ]);
      expect((await store.rollups('system')).map(r => r.key)).toEqual([
        '(none)',
        'system:default/pay',
      ]);

      await store.deleteResults(['component:default/c']);
      expect(await store.getResult('component:default/c')).toBeUndefined();
    });

    it('gives back exactly the result it stored (check text kept once per check set)', async () => {
      const { store, knex } = await create();
      const entity = {
        kind: 'Component',
        metadata: {
          name: 'svc',
          namespace: 'default',
          annotations: { 'assay.dev/compliance-mode': 'compliance' },
        },
        spec: { owner: 'team-a', lifecycle: 'production' },
      };
      const now = '2026-11-30T08:00:00.000Z';
      const waiver = {
        id: 'w1',
        entityRef: 'component:default/svc',
        checkId: 'system-set',
        reason: 'new service',
        expiresAt: '2026-12-30T00:00:00.000Z',
        status: 'approved' as const,
        requestedBy: 'user:default/a',
        requestedAt: now,
        decidedBy: 'user:default/b',
        decidedAt: now,
      };
      const evaluated = evaluateEntity({
        entityRef: 'component:default/svc',
        mode: 'compliance',
        checks: DEFAULT_CHECKS,
        facts: entityFacts(entity),
        waivers: [waiver],
        maxEvidenceAgeDays: 30,
        now,
      });
      expect(evaluated.checks.some(c => c.status === 'waived')).toBe(true);
      const other = result('other', { level: 'none', score: 0 }); // checks not in its (empty) check set
      await store.saveResults([
        { result: evaluated, kind: 'component', title: 'svc' },
        { result: other, kind: 'component', title: 'other' },
      ]);
      const back = await store.getResult('component:default/svc');
      expect(back).toEqual(JSON.parse(JSON.stringify(evaluated)));
      expect(await store.getResult('component:default/other')).toEqual(other);
      // the stored row holds the check text once per check set, not per result
      const row = await knex('scorecard_results')
        .where({ entity_ref: 'component:default/svc' })
        .first('result');
      expect(row.result).not.toContain(DEFAULT_CHECKS[0].remediation.text);
      const all = [];
      for await (const r of store.allResults()) all.push(r);
      expect(all.find(r => r.entityRef === evaluated.entityRef)).toEqual(back);
    });

    it('keeps one history point per day, trends, and deletes points past retention', async () => {
      const { store } = await create();
      const save = (at: string, score: number, level: LevelOrNone) =>
        store.saveResults([
          {
            result: result('a', { level, score, at }),
            kind: 'component',
            title: 'A',
            owner: 'group:default/payments',
          },
        ]);
      await save('2026-11-01T10:00:00.000Z', 40, 'bronze');
      await save('2026-11-29T10:00:00.000Z', 60, 'bronze');
      await save('2026-11-29T18:00:00.000Z', 70, 'silver');
      await save('2026-11-30T08:00:00.000Z', 80, 'silver');
      const h = await store.history('component:default/a', '2026-11-02');
      expect(h.map(p => [p.day, p.score, p.level, p.pass, p.fail])).toEqual([
        ['2026-11-29', 70, 'silver', 1, 0],
        ['2026-11-30', 80, 'silver', 1, 0],
      ]);
      const t = await store.trends('2026-11-01', 'group:default/payments');
      expect(t.map(p => [p.day, p.entities, p.averageScore])).toEqual([
        ['2026-11-01', 1, 40],
        ['2026-11-29', 1, 70],
        ['2026-11-30', 1, 80],
      ]);
      expect(await store.deleteHistoryBefore('2026-11-29')).toBe(1);
      expect(
        await store.history('component:default/a', '2000-01-01'),
      ).toHaveLength(2);
    });

    it('waivers: pending → decided once; derived expiry; active waivers only', async () => {
      const { store } = await create();
      const w = {
        id: '6f1c6a52-1d5e-4a36-9a8e-2f7f1d1b0c01',
        entityRef: 'component:default/a',
        checkId: 'sig',
        reason: 'planned',
        expiresAt: '2026-12-10T00:00:00.000Z',
        status: 'pending' as const,
        requestedBy: 'user:default/alice',
        requestedAt: '2026-11-30T00:00:00.000Z',
      };
      await store.insertWaiver(w);
      const now = '2026-11-30T12:00:00.000Z';
      expect(await store.activeWaivers(w.entityRef, now)).toEqual([]);
      expect(
        await store.decideWaiver(w.id, {
          status: 'approved',
          decidedBy: 'user:default/bob',
          decidedAt: now,
        }),
      ).toBe(true);
      expect(
        await store.decideWaiver(w.id, {
          status: 'rejected',
          decidedBy: 'user:default/bob',
          decidedAt: now,
        }),
      ).toBe(false);
      expect(await store.activeWaivers(w.entityRef, now)).toEqual([
        expect.objectContaining({
          id: w.id,
          status: 'approved',
          decidedBy: 'user:default/bob',
        }),
      ]);
      const later = '2026-12-11T00:00:00.000Z';
      expect(await store.activeWaivers(w.entityRef, later)).toEqual([]);
      expect((await store.listWaivers({ now: later }))[0].status).toBe(
        'expired',
      );
      expect(
        await store.listWaivers({ status: 'expired', now: later }),
      ).toHaveLength(1);
      expect(
        await store.listWaivers({ status: 'approved', now: later }),
      ).toHaveLength(0);
      expect(await store.expiredSince(now, later)).toEqual([w.entityRef]);
    });

    it('gives the full refresh every active waiver, past the listing limit of 1000', async () => {
      const { store, knex } = await create();
      const now = '2026-11-30T08:00:00.000Z';
      const rows = Array.from({ length: 1005 }, (_, i) => ({
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        entity_ref: `component:default/s${i}`,
        check_id: 'owner-set',
        reason: 'r',
        expires_at:
          i === 0 ? '2026-11-30T07:00:00.000Z' : '2026-12-30T00:00:00.000Z',
        status: 'approved',
        requested_by: 'user:default/a',
        requested_at: now,
        decided_by: 'user:default/b',
        decided_at: now,
      }));
      for (let i = 0; i < rows.length; i += 50)
        await knex('scorecard_waivers').insert(rows.slice(i, i + 50));
      expect(await store.listWaivers({ status: 'approved', now })).toHaveLength(
        1000,
      );
      const all = await store.allActiveWaivers(now);
      expect(all).toHaveLength(1004); // the expired one left out
      expect(all.find(w => w.entityRef === 'component:default/s0')).toBe(
        undefined,
      );
    });

    it('keeps check sets content-addressed: served by digest, never one that does not hash to it', async () => {
      const { store, knex } = await create();
      const digest = await store.saveCheckSet(DEFAULT_CHECKS);
      expect(digest).toBe(checkSetDigest(DEFAULT_CHECKS));
      expect(await store.saveCheckSet(DEFAULT_CHECKS)).toBe(digest); // once
      const [{ n }] = await knex('scorecard_checksets').count({ n: '*' });
      expect(Number(n)).toBe(1);
      // a second store (another process) reads it back from the table
      const other = await DatabaseScorecardStore.create({
        database: mockServices.database({ knex, migrations: { skip: true } }),
      });
      expect(await other.getCheckSet(digest)).toEqual(
        JSON.parse(JSON.stringify(DEFAULT_CHECKS)),
      );
      expect(await other.getCheckSet('0'.repeat(64))).toBeUndefined();
      // a row altered in the table is refused, not served
      const altered = JSON.parse(JSON.stringify(DEFAULT_CHECKS));
      altered[0].rule = { fact: 'entity.kind', exists: true };
      await knex('scorecard_checksets')
        .where({ digest })
        .update({ checks: JSON.stringify(altered) });
      const third = await DatabaseScorecardStore.create({
        database: mockServices.database({ knex, migrations: { skip: true } }),
      });
      await expect(third.getCheckSet(digest)).rejects.toThrow(
        /does not hash to it/,
      );
    });

    it('migrations go down and up again', async () => {
      const { knex } = await create();
      const dir = require('path').resolve(__dirname, '../../migrations');
      await knex.migrate.rollback({ directory: dir }, true);
      expect(await knex.schema.hasTable('scorecard_results')).toBe(false);
      await knex.migrate.latest({ directory: dir });
      expect(await knex.schema.hasTable('scorecard_waivers')).toBe(true);
    });
  },
);
