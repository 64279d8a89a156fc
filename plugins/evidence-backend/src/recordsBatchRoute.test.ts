import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  EvidenceAppendResult,
  evidenceServiceRef,
} from '@assay/plugin-evidence-node';
import { sha256Hex, utf8Encode } from '@assay/plugin-evidence-common';
import request from 'supertest';
import { evidencePlugin } from './plugin';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const component = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name },
  spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' },
});

const ref = (name: string) => `component:default/${name}`;
const api = '/api/evidence/v1';
const pluginHeader = (pluginId: string) =>
  `Bearer ${mockCredentials.service.token({
    onBehalfOf: mockCredentials.service(`plugin:${pluginId}`),
    targetPluginId: 'evidence',
  })}`;

/** Writing is allowed except for `locked`'s evidence; reading everything. */
async function start(databaseId: Parameters<typeof databases.init>[0]) {
  const knex = await databases.init(databaseId);
  const permissions = mockServices.permissions.mock({
    authorize: async (requests: any[]) =>
      requests.map(r => ({
        result:
          r.permission.attributes.action !== 'read' &&
          r.resourceRef === ref('locked')
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      })) as any,
    authorizeConditional: async (requests: any[]) =>
      requests.map(() => ({ result: AuthorizeResult.ALLOW })) as any,
  });
  const { server } = await startTestBackend({
    features: [
      evidencePlugin,
      catalogServiceMock.factory({
        entities: ['a', 'b', 'locked'].map(component),
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
  return server;
}

describe.each(databases.eachSupportedId())(
  'POST /v1/records/batch on %p',
  id => {
    let server: any;
    beforeAll(async () => {
      server = await start(id);
    });

    const batch = (records: unknown, authorization?: string) => {
      const r = request(server).post(`${api}/records/batch`);
      if (authorization) r.set('authorization', authorization);
      return r.send({ records } as object);
    };
    /** How many records the log holds in all (its tree size). */
    const logSize = async () => {
      const res = await request(server).get(`${api}/checkpoint`).expect(200);
      return Number(String(res.text).split('\n')[1]);
    };

    it('appends every record in order and answers each as the single append does', async () => {
      const before = await logSize();
      const res = await batch([
        { entityRef: ref('a'), category: 'tests', summary: { n: 1 } },
        {
          entityRef: 'Component:Default/b',
          category: 'coverage',
          summary: { linePct: 81 },
          payload: { z: 1, a: [true, null] },
          idempotencyKey: 'cov-b-1',
        },
        { entityRef: ref('a'), category: 'tests', summary: { n: 2 } },
      ]).expect(200);
      const items: EvidenceAppendResult[] = res.body.items;
      expect(items.map(i => [i.envelope.entityRef, i.envelope.seq])).toEqual([
        [ref('a'), 1],
        [ref('b'), 1],
        [ref('a'), 2],
      ]);
      expect(items.map(i => i.replayed)).toEqual([false, false, false]);
      // the second record of a links to the first, as a single append would
      expect(items[2].envelope.previousHash).toBe(items[0].hash);
      expect(items[1].envelope.producer).toBe('user:default/mock');
      expect(items[1].envelope.payloadDigest).toBe(
        `sha256:${sha256Hex(utf8Encode('{"a":[true,null],"z":1}'))}`,
      );
      for (const item of items) {
        // the hash is the stored record's, readable by it
        const stored = await request(server)
          .get(`${api}/records/${item.hash}`)
          .expect(200);
        expect(stored.body.envelope).toEqual(item.envelope);
        expect(sha256Hex(utf8Encode((item as any).canonical))).toBe(item.hash);
      }
      expect(await logSize()).toBe(before + 3);

      // the same idempotency key again: the first record, not a new one
      const again = await batch([
        {
          entityRef: ref('b'),
          category: 'coverage',
          summary: { linePct: 81 },
          payload: { z: 1, a: [true, null] },
          idempotencyKey: 'cov-b-1',
        },
        { entityRef: ref('b'), category: 'tests', summary: { n: 3 } },
      ]).expect(200);
      expect(again.body.items[0]).toMatchObject({
        hash: items[1].hash,
        replayed: true,
      });
      expect(again.body.items[1]).toMatchObject({
        replayed: false,
        envelope: { seq: 2, previousHash: items[1].hash },
      });
      expect(await logSize()).toBe(before + 4);
    });

    it.each([
      [
        'an unknown category',
        [
          { entityRef: ref('a'), category: 'tests' },
          { entityRef: ref('a'), category: 'nope' },
        ],
        /^records\.1\.category: unknown category 'nope'/,
      ],
      [
        'a summary fact of the wrong type',
        [
          { entityRef: ref('a'), category: 'tests' },
          { entityRef: ref('b'), category: 'tests' },
          { entityRef: ref('a'), category: 'tests', summary: { x: { y: 1 } } },
        ],
        /^records\.2\.summary\.x: /,
      ],
      [
        'a missing entity ref',
        [{ entityRef: ref('a'), category: 'tests' }, { category: 'tests' }],
        /^records\.1\.entityRef: required/,
      ],
      [
        'an invalid entity ref',
        [{ entityRef: 'not a ref', category: 'tests' }],
        /^records\.0\.entityRef: 'not a ref' is not a valid entity ref/,
      ],
      [
        'an unknown field',
        [{ entityRef: ref('a'), category: 'tests', extra: 1 }],
        /^records\.0: Unrecognized key\(s\) in object: 'extra'/,
      ],
      [
        'a bad idempotency key',
        [{ entityRef: ref('a'), category: 'tests', idempotencyKey: 'a b' }],
        /^records\.0\.idempotencyKey: 1-128 printable ASCII/,
      ],
      [
        'a __proto__ key',
        [
          JSON.parse(
            '{"entityRef":"component:default/a","category":"tests","summary":{"__proto__":1}}',
          ),
        ],
        /^records\.0\.summary\.__proto__: the key __proto__ is not accepted/,
      ],
      [
        'an entity the catalog does not know',
        [
          { entityRef: ref('a'), category: 'tests' },
          { entityRef: ref('ghost'), category: 'tests' },
        ],
        /^records\.1\.entityRef: component:default\/ghost is not in the catalog/,
      ],
      ['no records', [], /^records: 0 records, expected 1-500/],
      [
        'too many records',
        Array.from({ length: 501 }, () => ({
          entityRef: ref('a'),
          category: 'tests',
        })),
        /^records: 501 records, expected 1-500/,
      ],
      [
        'records not an array',
        { entityRef: ref('a') },
        /^records: required, an array/,
      ],
    ])(
      'refuses %s with a 400 naming the field, storing nothing',
      async (_, records, message) => {
        const before = await logSize();
        const res = await batch(records).expect(400);
        expect(res.body.error.message).toMatch(message);
        expect(await logSize()).toBe(before);
      },
    );

    it('stores a full batch of 500 records with payloads, in order, in one request', async () => {
      const before = await logSize();
      const res = await batch(
        Array.from({ length: 500 }, (_, i) => ({
          entityRef: ref(i % 2 ? 'a' : 'b'),
          category: 'coverage',
          summary: { i },
          payload: { i, checks: [{ id: `c${i}`, status: 'pass' }] },
          idempotencyKey: `full-${i}`,
        })),
      ).expect(200);
      const items: EvidenceAppendResult[] = res.body.items;
      expect(items.map(i => i.envelope.summary.i)).toEqual(
        Array.from({ length: 500 }, (_, i) => i),
      );
      expect(new Set(items.map(i => i.envelope.payloadDigest)).size).toBe(500);
      expect(await logSize()).toBe(before + 500);
    });

    it('is all or nothing when a record fails only at commit (idempotency key reused with other content): 409, nothing stored, a retry stores each once', async () => {
      const before = await logSize();
      // a key reused inside one batch with other content
      await batch([
        { entityRef: ref('b'), category: 'tests', summary: { n: 0 } },
        {
          entityRef: ref('a'),
          category: 'tests',
          summary: { n: 1 },
          idempotencyKey: 'atomic-k',
        },
        {
          entityRef: ref('a'),
          category: 'tests',
          summary: { n: 2 },
          idempotencyKey: 'atomic-k',
        },
      ]).expect(409);
      expect(await logSize()).toBe(before);
      // 99 records and a 100th reusing a stored key with other content:
      // more than one group-commit batch's worth, still nothing stored
      await batch([
        {
          entityRef: ref('a'),
          category: 'tests',
          summary: { n: 1 },
          idempotencyKey: 'atomic-stored',
        },
      ]).expect(200);
      const stored = await logSize();
      const ninetyNine = Array.from({ length: 99 }, (_, i) => ({
        entityRef: ref('b'),
        category: 'tests',
        summary: { n: i },
      }));
      await batch([
        ...ninetyNine,
        {
          entityRef: ref('a'),
          category: 'tests',
          summary: { n: 2 },
          idempotencyKey: 'atomic-stored',
        },
      ]).expect(409);
      expect(await logSize()).toBe(stored);
      await batch(ninetyNine).expect(200);
      expect(await logSize()).toBe(stored + 99);
    });

    it('refuses a reserved category for a user (403 naming the record), storing nothing', async () => {
      const before = await logSize();
      const res = await batch([
        { entityRef: ref('a'), category: 'tests' },
        { entityRef: ref('a'), category: 'compliance' },
      ]).expect(403);
      expect(res.body.error.message).toMatch(
        /^records\.1\.category: 'compliance' refused: users may not write/,
      );
      expect(await logSize()).toBe(before);
    });

    it('refuses a record of an entity the caller may not write (403), storing nothing', async () => {
      const before = await logSize();
      const res = await batch([
        { entityRef: ref('a'), category: 'tests' },
        { entityRef: ref('locked'), category: 'tests' },
      ]).expect(403);
      expect(res.body.error.message).toMatch(
        /^records\.1\.entityRef: You are not allowed to create evidence of component:default\/locked/,
      );
      expect(await logSize()).toBe(before);
    });

    it('lets plugin:scorecards write compliance records, not other reserved ones', async () => {
      const before = await logSize();
      const ok = await batch(
        [
          {
            entityRef: ref('a'),
            category: 'compliance',
            summary: { level: 'gold' },
          },
          {
            entityRef: ref('b'),
            category: 'waiver',
            summary: { actor: 'user:default/x' },
          },
        ],
        pluginHeader('scorecards'),
      ).expect(200);
      expect(ok.body.items.map((i: any) => i.envelope.producer)).toEqual([
        'service:plugin:scorecards',
        'service:plugin:scorecards',
      ]);
      const refused = await batch(
        [
          { entityRef: ref('a'), category: 'compliance' },
          { entityRef: ref('a'), category: 'release' },
        ],
        pluginHeader('scorecards'),
      ).expect(403);
      expect(refused.body.error.message).toMatch(
        /^records\.1\.category: 'release' refused: plugin:scorecards may write only/,
      );
      expect(await logSize()).toBe(before + 2);
    });

    it('answers 401 without credentials, storing nothing', async () => {
      const before = await logSize();
      const res = await batch(
        [{ entityRef: ref('a'), category: 'tests' }],
        mockCredentials.none.header(),
      );
      expect(res.status).toBe(401);
      expect(await logSize()).toBe(before);
    });
  },
);

describe('EvidenceClient.appendMany (the default evidenceServiceRef)', () => {
  it('appends through POST /v1/records/batch in requests of 500, results in order', async () => {
    let results: EvidenceAppendResult[] = [];
    let listed: string[] = [];
    let refusedError: unknown;
    const credentials = mockCredentials.user('user:default/alice');
    const consumer = createBackendPlugin({
      pluginId: 'consumer',
      register(env) {
        env.registerInit({
          deps: {
            evidence: evidenceServiceRef,
            lifecycle: coreServices.lifecycle,
          },
          async init({ evidence, lifecycle }) {
            lifecycle.addStartupHook(async () => {
              const requests = Array.from({ length: 750 }, (_, i) => ({
                entityRef: ref(i % 2 ? 'a' : 'b'),
                category: 'tests',
                summary: { i },
                idempotencyKey: `t-${i}`,
              }));
              results = await evidence.appendMany!(requests, { credentials });
              // a replay of the first record comes back as one
              const [replayed] = await evidence.appendMany!(
                [requests[0], requests[1]],
                { credentials },
              );
              results.push(replayed);
              listed = (
                await evidence.list(ref('a'), {
                  order: 'asc',
                  limit: 500,
                  credentials,
                })
              ).items.map(i => i.hash);
              await evidence.appendMany!(
                [{ entityRef: ref('a'), category: 'compliance' }],
                { credentials },
              ).catch(e => {
                refusedError = e;
              });
            });
          },
        });
      },
    });
    await startTestBackend({
      features: [
        evidencePlugin,
        consumer,
        catalogServiceMock.factory({ entities: ['a', 'b'].map(component) }),
        mockServices.rootConfig.factory({
          data: { backend: { baseUrl: 'http://localhost:7007' } },
        }),
      ],
    });
    expect(results).toHaveLength(751);
    expect(results.slice(0, 750).map(r => r.envelope.summary.i)).toEqual(
      Array.from({ length: 750 }, (_, i) => i),
    );
    expect(results.slice(0, 750).every(r => !r.replayed)).toBe(true);
    expect(results[750]).toMatchObject({
      replayed: true,
      hash: results[0].hash,
    });
    expect(listed).toEqual(
      results
        .slice(0, 750)
        .filter((_, i) => i % 2)
        .map(r => r.hash),
    );
    expect((refusedError as any)?.body?.error?.message).toMatch(
      /records\.0\.category: 'compliance' refused/,
    );
  });
});
