import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { evidencePlugin } from './plugin';
import { DatabaseEvidenceStore } from './store/DatabaseEvidenceStore';
import { EvidenceLog } from './service/EvidenceLog';
import { prepared, testConfig } from './store/testUtils';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const component = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name },
  spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' },
});

const ref = (name: string) => `component:default/${name}`;

/**
 * A backend on the given database whose permission policy lets the caller
 * read every entity's evidence except `hidden`'s (resource-level decisions,
 * as a conditional policy resolves them), and write all of them.
 */
async function start(
  databaseId: Parameters<typeof databases.init>[0],
  hidden: string[],
) {
  const knex = await databases.init(databaseId);
  const authorizeCalls: any[][] = [];
  const permissions = mockServices.permissions.mock({
    authorize: async (requests: any[]) => {
      authorizeCalls.push(requests);
      return requests.map(r => ({
        result:
          r.permission.attributes.action === 'read' &&
          hidden.includes(r.resourceRef)
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      })) as any;
    },
    authorizeConditional: async (requests: any[]) =>
      requests.map(() => ({ result: AuthorizeResult.ALLOW })) as any,
  });
  const { server } = await startTestBackend({
    features: [
      evidencePlugin,
      catalogServiceMock.factory({
        entities: ['a', 'b', 'c', 'secret'].map(component),
      }),
      permissions.factory,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          backend: { baseUrl: 'http://localhost:7007' },
          evidence: { origin: 'test.assay.dev/evidence' },
        },
      }),
    ],
  });
  return { server, authorizeCalls };
}

const api = '/api/evidence/v1';

describe.each(databases.eachSupportedId())('POST /v1/latest on %p', id => {
  let server: any;
  let authorizeCalls: any[][];

  beforeAll(async () => {
    ({ server, authorizeCalls } = await start(id, [ref('secret')]));
    // a: tests ×3, coverage ×2, sast ×1 interleaved; b: tests ×1; c: none
    const appends: Array<[string, string, number]> = [
      ['a', 'tests', 1],
      ['a', 'coverage', 70],
      ['a', 'tests', 2],
      ['b', 'tests', 9],
      ['a', 'sast', 0],
      ['a', 'coverage', 80],
      ['secret', 'tests', 5],
      ['a', 'tests', 3],
    ];
    for (const [name, category, n] of appends) {
      await request(server)
        .post(`${api}/records`)
        .send({ entityRef: ref(name), category, summary: { n } })
        .expect(201);
    }
  });

  const latest = (body: unknown) =>
    request(server)
      .post(`${api}/latest`)
      .send(body as object);

  it('answers the newest record of each category, as the list route gives them', async () => {
    const res = await latest({
      entityRefs: [ref('a'), 'Component:Default/B', ref('c')],
    }).expect(200);
    expect(res.body.rest).toEqual([]);
    expect(res.body.items.map((i: any) => i.entityRef)).toEqual([
      ref('a'),
      ref('b'),
      ref('c'),
    ]);
    const a = res.body.items[0];
    expect(a.readable).toBe(true);
    expect(
      a.records.map((r: any) => [
        r.seq,
        r.envelope.category,
        r.envelope.summary.n,
      ]),
    ).toEqual([
      [6, 'tests', 3],
      [5, 'coverage', 80],
      [4, 'sast', 0],
    ]);
    for (const category of ['tests', 'coverage', 'sast']) {
      const list = await request(server)
        .get(`${api}/entities/component/default/a/records`)
        .query({ category, limit: 1 })
        .expect(200);
      const [newest] = list.body.items;
      const mine = a.records.find((r: any) => r.envelope.category === category);
      expect(mine).toEqual({
        envelope: newest.envelope,
        hash: newest.hash,
        seq: newest.envelope.seq,
        leafIndex: newest.leafIndex,
        payloadPurged: false,
      });
    }
    expect(res.body.items[1].records).toHaveLength(1);
    expect(res.body.items[2]).toEqual({
      entityRef: ref('c'),
      readable: true,
      records: [],
    });
  });

  it('filters categories, and gives a window of the newest records of any category', async () => {
    const some = await latest({
      entityRefs: [ref('a')],
      categories: ['coverage', 'unknown'],
    }).expect(200);
    expect(
      some.body.items[0].records.map((r: any) => r.envelope.summary.n),
    ).toEqual([80]);

    const win = await latest({ entityRefs: [ref('a')], window: 4 }).expect(200);
    const list = await request(server)
      .get(`${api}/entities/component/default/a/records`)
      .query({ limit: 4 })
      .expect(200);
    expect(win.body.items[0].records.map((r: any) => r.hash)).toEqual(
      list.body.items.map((r: any) => r.hash),
    );
    expect(win.body.items[0].records.map((r: any) => r.seq)).toEqual([
      6, 5, 4, 3,
    ]);
    const all = await latest({ entityRefs: [ref('a')], window: 200 }).expect(
      200,
    );
    expect(all.body.items[0].records.map((r: any) => r.seq)).toEqual([
      6, 5, 4, 3, 2, 1,
    ]);
  });

  it('authorizes every entity and reveals nothing of those the caller may not read', async () => {
    authorizeCalls.length = 0;
    const res = await latest({
      entityRefs: [ref('secret'), ref('a'), ref('missing')],
      window: 10,
    }).expect(200);
    // one batch, the read permission with each entity as the resource
    expect(authorizeCalls).toHaveLength(1);
    expect(
      authorizeCalls[0].map(r => [r.permission.name, r.resourceRef]),
    ).toEqual([
      ['evidence.record.read', ref('secret')],
      ['evidence.record.read', ref('a')],
      ['evidence.record.read', ref('missing')],
    ]);
    expect(res.body.items[0]).toEqual({
      entityRef: ref('secret'),
      readable: false,
    });
    expect(res.body.items[1].records).toHaveLength(6);
    expect(res.body.items[2]).toEqual({
      entityRef: ref('missing'),
      readable: true,
      records: [],
    });
    // not readable looks the same whether the entity has evidence or not
    const hiddenRes = await latest({ entityRefs: [ref('secret')] }).expect(200);
    expect(JSON.stringify(hiddenRes.body)).not.toContain('"envelope"');
  });

  it.each([
    [{}, /entityRefs: Required/],
    [{ entityRefs: [] }, /entityRefs: .*at least 1/],
    [
      { entityRefs: 'x'.repeat(501).split('').map(ref) },
      /entityRefs: .*at most 500/,
    ],
    [{ entityRefs: [ref('a'), 'not a ref'] }, /entityRefs\.1: /],
    [{ entityRefs: [ref('a')], window: 0 }, /window: /],
    [{ entityRefs: [ref('a')], window: 201 }, /window: /],
    [
      { entityRefs: [ref('a')], window: 2, categories: ['tests'] },
      /categories: not with window/,
    ],
    [{ entityRefs: [ref('a')], categories: [] }, /categories: /],
    [{ entityRefs: [ref('a')], limit: 5 }, /Unrecognized key.*limit/],
    [{ entityRefs: ref('a') }, /entityRefs: Expected array/],
  ])('400 naming the field for %#', async (body, message) => {
    const res = await latest(body).expect(400);
    expect(res.body.error.message).toMatch(message);
  });
});

describe.each(databases.eachSupportedId())(
  'DatabaseEvidenceStore.newestOf on %p',
  id => {
    it('bounds a response by rows and returns the entities left out', async () => {
      const knex = await databases.init(id);
      const store = await DatabaseEvidenceStore.create({
        database: mockServices.database({ knex }),
      });
      const log = new EvidenceLog(
        store,
        testConfig,
        mockServices.logger.mock(),
      );
      await log.init();
      // x: 3 records, y: 3, z: 3 (seqs 1..3 each)
      for (let i = 1; i <= 3; i++) {
        for (const name of ['x', 'y', 'z']) {
          await log.append(prepared(ref(name), i));
        }
      }
      const refs = ['x', 'y', 'z', 'none'].map(ref);
      const full = await store.newestOf(refs, { window: 2, maxRows: 100 });
      expect(full.rest).toEqual([]);
      expect(full.rows.map(r => [r.entityRef, r.seq])).toEqual([
        [ref('x'), 3],
        [ref('x'), 2],
        [ref('y'), 3],
        [ref('y'), 2],
        [ref('z'), 3],
        [ref('z'), 2],
      ]);
      // 5 rows allowed: z is cut (1 of its 2 rows) so it is left out whole
      const cut = await store.newestOf(refs, { window: 2, maxRows: 5 });
      expect(cut.rows.map(r => r.entityRef)).toEqual([
        ref('x'),
        ref('x'),
        ref('y'),
        ref('y'),
      ]);
      expect(cut.rest.sort()).toEqual([ref('none'), ref('z')].sort());
      // the same with a character budget that is not reached (on SQLite
      // the one-pass read, elsewhere sizes then records): the same answers
      expect(
        await store.newestOf(refs, {
          window: 2,
          maxRows: 100,
          maxChars: 1e9,
        }),
      ).toEqual(full);
      const cutBudget = await store.newestOf(refs, {
        window: 2,
        maxRows: 5,
        maxChars: 1e9,
      });
      expect(cutBudget.rows).toEqual(cut.rows);
      expect(cutBudget.rest.sort()).toEqual(cut.rest.sort());
      // a row limit that ends exactly at an entity's last row (the first
      // entity's included): that entity is answered, with or without a budget
      for (let maxRows = 2; maxRows <= 7; maxRows++) {
        const plain = await store.newestOf(refs, { window: 2, maxRows });
        const budget = await store.newestOf(refs, {
          window: 2,
          maxRows,
          maxChars: 1e9,
        });
        const answered = full.rows
          .slice(0, maxRows - (maxRows % 2))
          .map(r => r.entityRef);
        expect(plain.rows.map(r => r.entityRef)).toEqual(answered);
        expect(budget.rows).toEqual(plain.rows);
        expect(budget.rest.sort()).toEqual(plain.rest.sort());
      }
      const again = await store.newestOf(cut.rest, { window: 2, maxRows: 5 });
      expect(again).toEqual({
        rows: full.rows.filter(r => r.entityRef === ref('z')),
        rest: [],
      });
      // a character budget smaller than two entities' records: one entity
      // per answer (never none), the others in rest, every record once
      const one = full.rows
        .filter(r => r.entityRef === ref('x'))
        .reduce((n, r) => n + r.canonical.length, 0);
      const seen: string[] = [];
      let ask = refs;
      for (let round = 0; ask.length && round < 10; round++) {
        const part = await store.newestOf(ask, {
          window: 2,
          maxRows: 100,
          maxChars: one + 1,
        });
        const answered = [...new Set(part.rows.map(r => r.entityRef))];
        expect(answered.length).toBeLessThanOrEqual(1);
        expect(
          part.rows.reduce((n, r) => n + r.canonical.length, 0),
        ).toBeLessThanOrEqual(one + 1);
        seen.push(...part.rows.map(r => `${r.entityRef}#${r.seq}`));
        expect(part.rest.length).toBeLessThan(ask.length);
        ask = part.rest;
      }
      expect(ask).toEqual([]);
      expect(seen.sort()).toEqual(
        full.rows.map(r => `${r.entityRef}#${r.seq}`).sort(),
      );
      // newest per category (one category here): the head of each
      const perCategory = await store.newestOf(refs, { maxRows: 100 });
      expect(perCategory.rows.map(r => [r.entityRef, r.seq])).toEqual([
        [ref('x'), 3],
        [ref('y'), 3],
        [ref('z'), 3],
      ]);
    });
  },
);
