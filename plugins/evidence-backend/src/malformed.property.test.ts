/*
 * Property test: malformed requests to every mutating route never cause a
 * 5xx, every 4xx names the field, and the stored data is byte-identical
 * afterwards (every evidence table dumped before and after).
 */
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fc from 'fast-check';
import { Knex } from 'knex';
import request from 'supertest';
import { evidencePlugin } from './plugin';

jest.setTimeout(600_000);

const RUNS = 1_000; // per route
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const serviceA = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'service-a' },
  spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' },
};
const base = '/api/evidence/v1/entities/component/default/service-a';
const b64 = (s: string) => Buffer.from(s).toString('base64');

async function dump(knex: Knex): Promise<string> {
  const tables = (
    await knex('sqlite_master')
      .where('type', 'table')
      .andWhere('name', 'like', 'evidence_%')
      .orderBy('name')
      .pluck('name')
  ).filter((t: string) => !t.startsWith('evidence_knex'));
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    out[t] = (await knex(t).select('*').orderByRaw('rowid')).map(row =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => [
          k,
          Buffer.isBuffer(v) ? `hex:${v.toString('hex')}` : v,
        ]),
      ),
    );
  }
  return JSON.stringify(out);
}

/** `field: message`, where field is a path such as summary.x or artifacts.0.mediaType */
const NAMES_A_FIELD =
  /^(body|path|entityRef|category|subject|summary|payload|producedAt|artifacts|reason|categories|__proto__|Idempotency-Key header)(\.[^\s:]+|\[[^\]]+\])?: /;

const validRecord = {
  entityRef: 'component:default/service-a',
  category: 'tests',
  summary: { passed: 3 },
};

const loneSurrogate = fc.constantFrom('\uD800', '\uDFFF', 'a\uDBFFb');
const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);

/** JSON texts of invalid append requests: one invalid part each. */
const badRecord: fc.Arbitrary<string> = fc.oneof(
  // entity refs: missing, wrong type, malformed, unknown to the catalog
  fc
    .oneof(
      notAString,
      fc.string({ maxLength: 20 }).filter(s => !/^[a-z]+:/.test(s)),
      fc.constantFrom('component:default/nope', 'component:default/a b'),
    )
    .map(entityRef => JSON.stringify({ ...validRecord, entityRef })),
  // categories: wrong type, unknown, reserved (users may not write them)
  fc
    .oneof(
      notAString,
      fc.string({ maxLength: 70 }).filter(s => s !== 'tests'),
      fc.constantFrom('canary', 'promotion', 'release', 'waiver', 'compliance'),
    )
    .filter(
      c =>
        ![
          'sast',
          'coverage',
          'sbom',
          'load-test',
          'signature',
          'secrets-rotation',
          'onboarding',
        ].includes(c as string),
    )
    .map(category => JSON.stringify({ ...validRecord, category })),
  // summary facts: nested values, too long, too many keys, bad keys
  fc
    .oneof(
      fc.constant({ x: { nested: 1 } }),
      fc.constant({ x: [1] }),
      fc.constant({ x: 'y'.repeat(1025) }),
      fc
        .integer({ min: 65, max: 120 })
        .map(n =>
          Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])),
        ),
      fc.constant({ ['k'.repeat(200)]: 1 }),
      notAString.filter(v => v !== null && typeof v !== 'object'),
    )
    .map(summary => JSON.stringify({ ...validRecord, summary })),
  // I-JSON: lone surrogates in values and keys, __proto__ keys
  loneSurrogate.map(s =>
    JSON.stringify({ ...validRecord, summary: { note: s } }),
  ),
  loneSurrogate.map(s =>
    JSON.stringify({ ...validRecord, summary: { [s]: 1 } }),
  ),
  loneSurrogate.map(s => JSON.stringify({ ...validRecord, payload: { s } })),
  fc
    .constantFrom('summary', 'payload', 'top')
    .map(where =>
      where === 'top'
        ? `{"entityRef":"component:default/service-a","category":"tests","__proto__":{"x":1}}`
        : `{"entityRef":"component:default/service-a","category":"tests","${where}":{"__proto__":{"polluted":true}}}`,
    ),
  // artifacts: bad base64, bad media types (CR/LF), too many, wrong shapes
  fc
    .oneof(
      fc.constant([{ name: 'a.txt', contentBase64: '%%%' }]),
      fc
        .constantFrom(
          'text/plain\r\nX-Injected: 1',
          'text/plain\n',
          'nonsense',
          '/json',
          'text/',
          'a/b; c',
          'x'.repeat(300),
        )
        .map(mediaType => [
          { name: 'a.txt', mediaType, contentBase64: b64('x') },
        ]),
      fc.integer({ min: 33, max: 40 }).map(n =>
        Array.from({ length: n }, (_, i) => ({
          name: `a${i}.txt`,
          contentBase64: b64(String(i)),
        })),
      ),
      fc.constant([{ name: 'junit.xml', contentBase64: b64('<not-xml') }]),
      fc.constant([{ name: '', contentBase64: b64('x') }]),
      fc.constant([{ name: 'a', contentBase64: b64('x'), extra: 1 }]),
      notAString.filter(v => !(Array.isArray(v) && v.length === 0)),
    )
    .map(artifacts => JSON.stringify({ ...validRecord, artifacts })),
  // other fields
  fc
    .oneof(
      fc.record({ producedAt: fc.oneof(notAString, fc.constant('yesterday')) }),
      fc.record({
        subject: fc.constantFrom({ commit: '' }, { branch: 'x' }, 'abc'),
      }),
      fc.record({ unknownField: fc.integer() }),
    )
    .map(extra => JSON.stringify({ ...validRecord, ...extra })),
  // deep nesting, not JSON, not an object
  fc.integer({ min: 70, max: 200 }).map(d =>
    JSON.stringify({
      ...validRecord,
      payload: JSON.parse(`${'['.repeat(d)}${']'.repeat(d)}`),
    }),
  ),
  fc.constantFrom('{', '{"entityRef":', 'nope', '[]', '"x"', '42', 'null'),
);

const badHold: fc.Arbitrary<string> = fc.oneof(
  fc.constant('{}'),
  fc.string({ maxLength: 2 }).map(reason => JSON.stringify({ reason })),
  fc.constant(JSON.stringify({ reason: 'r'.repeat(2001) })),
  notAString.map(reason => JSON.stringify({ reason })),
  loneSurrogate.map(s => JSON.stringify({ reason: `legal ${s}` })),
  fc.constant('{"reason":"litigation","__proto__":{}}'),
  fc.constant(JSON.stringify({ reason: 'litigation', extra: 1 })),
  fc.constantFrom('{', '[]', '"x"'),
);

const badPurge: fc.Arbitrary<string> = fc.oneof(
  fc.constant('{}'),
  fc.string({ maxLength: 2 }).map(reason => JSON.stringify({ reason })),
  fc
    .integer({ min: 1025, max: 3000 })
    .map(n => JSON.stringify({ reason: 'r'.repeat(n) })),
  notAString.map(reason => JSON.stringify({ reason })),
  loneSurrogate.map(s => JSON.stringify({ reason: `gdpr ${s}` })),
  fc
    .oneof(
      notAString,
      fc.array(fc.constantFrom('nope', 'x y', ''), { minLength: 1 }),
    )
    .map(categories => JSON.stringify({ reason: 'GDPR erasure', categories })),
  fc.constant(JSON.stringify({ reason: 'GDPR erasure', extra: true })),
  fc.constant('{"reason":"GDPR erasure","__proto__":{}}'),
  fc.constantFrom('{', '[]', '"x"'),
);

/** entity paths that are not entity refs */
const badEntityPath = fc
  .oneof(
    fc.constantFrom('a b', 'x@y', '-lead', 'trail-', 'dots..'.repeat(20)),
    fc
      .string({ minLength: 64, maxLength: 80 })
      .map(s => `a${s.replace(/[^a-z]/g, 'a')}`),
  )
  .map(
    name =>
      `/api/evidence/v1/entities/component/default/${encodeURIComponent(
        name,
      )}/legal-hold`,
  );

describe.each(databases.eachSupportedId())('malformed input on %p', id => {
  it(`never 5xx, names the field, changes nothing (${RUNS} requests per mutating route)`, async () => {
    const knex = await databases.init(id);
    const { server } = await startTestBackend({
      features: [
        evidencePlugin,
        catalogServiceMock.factory({ entities: [serviceA] }),
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            evidence: { origin: 'test.assay.dev/evidence' },
          },
        }),
      ],
    });
    // some real data to keep intact
    await request(server)
      .post('/api/evidence/v1/records')
      .send({ ...validRecord, payload: { secret: 'pii' } })
      .expect(201);
    await request(server)
      .post('/api/evidence/v1/records')
      .send({
        ...validRecord,
        artifacts: [{ name: 'notes.txt', contentBase64: b64('hello') }],
      })
      .expect(201);
    await request(server).get('/api/evidence/v1/checkpoint').expect(200);
    const before = await dump(knex);

    const seen = new Map<string, number>();
    const check = (route: string, res: request.Response) => {
      const key = `${route} ${res.status}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (res.status >= 500 || res.status < 400) {
        throw new Error(`${route}: ${res.status} ${res.text.slice(0, 300)}`);
      }
      const message = res.body?.error?.message ?? '';
      if (!NAMES_A_FIELD.test(message)) {
        throw new Error(
          `${route}: ${res.status} does not name the field: ${message.slice(
            0,
            300,
          )}`,
        );
      }
    };
    const send = (method: 'post' | 'put', path: string, text: string) =>
      request(server)
        [method](path)
        .set('content-type', 'application/json')
        .send(text);

    await fc.assert(
      fc.asyncProperty(badRecord, async text =>
        check(
          'POST /v1/records',
          await send('post', '/api/evidence/v1/records', text),
        ),
      ),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(badHold, async text =>
        check('PUT legal-hold', await send('put', `${base}/legal-hold`, text)),
      ),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(badPurge, async text =>
        check('POST purge', await send('post', `${base}/purge`, text)),
      ),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(badEntityPath, async path =>
        check('DELETE legal-hold', await request(server).delete(path)),
      ),
      { numRuns: RUNS },
    );

    expect(await dump(knex)).toBe(before);
    // every route got a sizeable share of 4xx, none a 5xx
    expect([...seen.keys()].filter(k => / 5\d\d$/.test(k))).toEqual([]);
  });
});
