import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  fromBase64,
  leafHash,
  openNote,
  parseCheckpoint,
  utf8Encode,
  verifyBundle,
  verifyConsistency,
  verifyInclusion,
} from '@assay/plugin-evidence-common';
import request from 'supertest';
import { evidencePlugin } from './plugin';
import {
  cycloneDxJson,
  junitXml,
  k6Summary,
  lcovInfo,
  sarifJson,
  coberturaXml,
} from './demo/artifacts';

jest.setTimeout(60_000);

const b64 = (s: string) => Buffer.from(s).toString('base64');
const serviceA = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'service-a',
    annotations: { 'assay.dev/compliance-mode': 'compliance' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' },
};

async function start(
  permissionResult:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  const { server } = await startTestBackend({
    features: [
      evidencePlugin,
      catalogServiceMock.factory({ entities: [serviceA] }),
      mockServices.permissions.factory({ result: permissionResult }),
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

const records = '/api/evidence/v1/records';
const listA = '/api/evidence/v1/entities/component/default/service-a/records';

describe('evidence router', () => {
  it('appends with artifacts parsed into summary facts, lists and serves proofs', async () => {
    const server = await start();
    const res = await request(server)
      .post(records)
      .send({
        entityRef: 'Component:default/service-a',
        category: 'tests',
        subject: { commit: 'abc123', runId: 'run-7' },
        artifacts: [
          {
            name: 'junit.xml',
            contentBase64: b64(
              junitXml({ tests: 412, failures: 0, skipped: 2, suite: 's' }),
            ),
          },
        ],
      })
      .expect(201);
    expect(res.body.envelope).toMatchObject({
      v: 1,
      entityRef: 'component:default/service-a',
      seq: 1,
      previousHash: null,
      summary: { tests: 412, failures: 0, skipped: 2 },
      producer: 'user:default/mock',
    });
    expect(res.body.envelope.artifacts[0]).toMatchObject({
      name: 'junit.xml',
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    expect(res.body.leafIndex).toBe(0);

    const formats: Array<[string, string, string, object]> = [
      [
        'coverage',
        'lcov.info',
        lcovInfo({ found: 1000, hit: 831 }),
        { linePct: 83.1 },
      ],
      ['coverage', 'coverage.xml', coberturaXml(0.5), { linePct: 50 }],
      [
        'sast',
        'bandit.sarif',
        sarifJson({ errors: 1, warnings: 2, notes: 0 }),
        { error: 1, warning: 2 },
      ],
      [
        'sbom',
        'sbom.cdx.json',
        cycloneDxJson({ components: 4, critical: 0, high: 2, medium: 1 }),
        { components: 4, critical: 0, high: 2 },
      ],
      [
        'load-test',
        'k6-summary.json',
        k6Summary({ p95: 182.4, errorRate: 0.001, requests: 100 }),
        { p95Ms: 182.4, errorRate: 0.001 },
      ],
    ];
    for (const [category, name, content, facts] of formats) {
      const r = await request(server)
        .post(records)
        .send({
          entityRef: 'component:default/service-a',
          category,
          artifacts: [{ name, contentBase64: b64(content) }],
        })
        .expect(201);
      expect(r.body.envelope.summary).toMatchObject(facts);
    }

    const list = await request(server).get(`${listA}?limit=2`).expect(200);
    expect(list.body.totalCount).toBe(6);
    expect(list.body.items.map((i: any) => i.envelope.seq)).toEqual([6, 5]);
    const next = await request(server)
      .get(`${listA}?limit=2&cursor=${list.body.nextCursor}`)
      .expect(200);
    expect(next.body.items.map((i: any) => i.envelope.seq)).toEqual([4, 3]);
    const filtered = await request(server)
      .get(`${listA}?category=coverage`)
      .expect(200);
    expect(filtered.body.items).toHaveLength(2);
    const bySubject = await request(server)
      .get(`${listA}?subject=RUN-7`)
      .expect(200);
    expect(bySubject.body.items.map((i: any) => i.envelope.seq)).toEqual([1]);

    // the signed checkpoint verifies with the published key, and inclusion proofs against it
    const { body: key } = await request(server)
      .get('/api/evidence/v1/public-key')
      .expect(200);
    const note = await request(server)
      .get('/api/evidence/v1/checkpoint')
      .expect(200);
    const cp = parseCheckpoint(openNote(note.text, [key.verifierKey]).text);
    expect(cp.treeSize).toBe(6);
    const first = list.body.items[1];
    const proof = await request(server)
      .get(
        `/api/evidence/v1/proofs/inclusion?leafIndex=${first.leafIndex}&treeSize=6`,
      )
      .expect(200);
    expect(() =>
      verifyInclusion({
        leafIndex: first.leafIndex,
        treeSize: 6,
        leafHash: leafHash(utf8Encode(first.canonical)),
        proof: proof.body.hashes.map(fromBase64),
        rootHash: cp.rootHash,
      }),
    ).not.toThrow();
    const cons = await request(server)
      .get('/api/evidence/v1/proofs/consistency?from=3&to=6')
      .expect(200);
    const old = await request(server)
      .get('/api/evidence/v1/proofs/inclusion?leafIndex=0&treeSize=3')
      .expect(200);
    expect(() =>
      verifyConsistency({
        size1: 3,
        size2: 6,
        root1: fromBase64(old.body.rootHash),
        root2: cp.rootHash,
        proof: cons.body.hashes.map(fromBase64),
      }),
    ).not.toThrow();

    const bundle = await request(server)
      .get('/api/evidence/v1/entities/component/default/service-a/bundle')
      .expect(200);
    expect(verifyBundle(bundle.body)).toMatchObject({ ok: true });
    await request(server)
      .get('/api/evidence/v1/entities/component/default/service-a/verify')
      .expect(200, {
        ok: true,
        checked: 6,
        headHash: list.body.items[0].hash,
        verifiedFrom: 0,
      });

    const summary = await request(server)
      .get('/api/evidence/v1/entities/component/default/service-a/summary')
      .expect(200);
    expect(summary.body).toMatchObject({
      complianceMode: 'compliance',
      recordCount: 6,
      head: { seq: 6 },
    });
    expect(summary.body.missing.map((m: any) => m.category)).toContain(
      'secrets-rotation',
    );

    const artifact = res.body.envelope.artifacts[0];
    const dl = await request(server)
      .get(
        `/api/evidence/v1/records/${res.body.hash}/artifacts/${artifact.digest}`,
      )
      .expect(200);
    expect(dl.text ?? dl.body.toString()).toContain('<testsuites>');
  });

  it('rejects bad input with a 400 naming the field and stores nothing', async () => {
    const server = await start();
    const cases: Array<[object, RegExp]> = [
      [{ category: 'tests' }, /entityRef/],
      [{ entityRef: 'not a ref', category: 'tests' }, /entityRef/],
      [
        { entityRef: 'component:default/service-a', category: 'nope' },
        /category: unknown category 'nope'/,
      ],
      [
        {
          entityRef: 'component:default/service-a',
          category: 'tests',
          subject: { commit: 5 },
        },
        /subject\.commit/,
      ],
      [
        {
          entityRef: 'component:default/service-a',
          category: 'tests',
          producedAt: 'yesterday',
        },
        /producedAt/,
      ],
      [
        {
          // matches zod's datetime pattern, which does not range-check offsets
          entityRef: 'component:default/service-a',
          category: 'tests',
          producedAt: '2026-01-01T00:00:00+99:99',
        },
        /producedAt: '2026-01-01T00:00:00\+99:99' is not a valid time/,
      ],
      [
        {
          entityRef: 'component:default/service-a',
          category: 'tests',
          artifacts: [{ name: 'x', contentBase64: '***' }],
        },
        /artifacts\.0\.contentBase64: not valid base64/,
      ],
      [
        {
          entityRef: 'component:default/service-a',
          category: 'tests',
          artifacts: [
            { name: 'junit.xml', contentBase64: b64('<testsuites><oops>') },
          ],
        },
        /artifacts\[junit\.xml\]: not a valid junit document/,
      ],
      [
        {
          entityRef: 'component:default/service-a',
          category: 'sbom',
          artifacts: [
            {
              name: 'sbom.cdx.json',
              contentBase64: b64('{"bomFormat":"SPDX"}'),
            },
          ],
        },
        /not a valid cyclonedx document/,
      ],
      [
        {
          entityRef: 'component:default/service-a',
          category: 'tests',
          extra: 1,
        },
        /Unrecognized key/,
      ],
      [
        {
          entityRef: 'component:default/service-a',
          category: 'tests',
          summary: { failures: 0 },
          artifacts: [
            {
              name: 'junit.xml',
              contentBase64: b64(
                junitXml({ tests: 3, failures: 1, skipped: 0, suite: 's' }),
              ),
            },
          ],
        },
        /summary\.failures: this fact is parsed from the attached artifact/,
      ],
      [
        {
          entityRef: 'component:default/service-a',
          category: 'tests',
          artifacts: [
            {
              name: 'junit.xml',
              contentBase64: b64(
                '<testsuites><testsuite name="s" tests="1" failures="0" errors="0" skipped="0" time="x"></testsuite></testsuites>',
              ),
            },
          ],
        },
        /durationSeconds must be a number/,
      ],
      [
        {
          entityRef: 'component:default/service-a',
          category: 'load-test',
          artifacts: [
            {
              name: 'k6.json',
              format: 'k6',
              contentBase64: b64(
                JSON.stringify({
                  metrics: {
                    http_req_duration: { 'p(95)': 10 },
                    http_reqs: { count: { nested: 1 } },
                  },
                }),
              ),
            },
          ],
        },
        /requests must be a number/,
      ],
      [
        {
          entityRef: 'component:default/service-a',
          category: 'sast',
          artifacts: [
            {
              name: 'x.sarif',
              contentBase64: b64(
                JSON.stringify({
                  version: '2.1.0',
                  runs: [
                    {
                      tool: { driver: { name: 't' } },
                      results: [{ level: 'fatal' }],
                    },
                  ],
                }),
              ),
            },
          ],
        },
        /level 'fatal'/,
      ],
      [
        {
          entityRef: 'component:default/service-a',
          category: 'sast',
          artifacts: [
            {
              name: 'x.sarif',
              // the tool's name, a string fact, escapes a lone surrogate
              contentBase64: b64(
                '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"scan\\ud800"}},"results":[]}]}',
              ),
            },
          ],
        },
        /artifacts\[x\.sarif\]: not a valid sarif document: tool contains a lone surrogate/,
      ],
      [
        {
          entityRef: 'component:default/service-a',
          category: 'tests',
          artifacts: [
            {
              name: 'a-junit.xml',
              contentBase64: b64(
                junitXml({ tests: 1, failures: 0, skipped: 0, suite: 'a' }),
              ),
            },
            {
              name: 'b-junit.xml',
              contentBase64: b64(
                junitXml({ tests: 2, failures: 0, skipped: 0, suite: 'b' }),
              ),
            },
          ],
        },
        /artifacts\.1: 'b-junit\.xml' yields the fact 'tests'/,
      ],
    ];
    for (const [body, message] of cases) {
      const r = await request(server).post(records).send(body);
      if (r.status !== 400)
        throw new Error(
          `expected 400 for ${JSON.stringify(body).slice(0, 300)}, got ${
            r.status
          }`,
        );
      expect(r.body.error.message).toMatch(message);
    }
    await request(server)
      .get('/api/evidence/v1/proofs/inclusion?leafIndex=0&treeSize=5')
      .expect(400);
    await request(server)
      .get('/api/evidence/v1/proofs/inclusion?leafIndex=x&treeSize=0')
      .expect(400);
    const list = await request(server).get(listA).expect(200);
    expect(list.body.totalCount).toBe(0);
    await request(server).get(`${listA}?limit=100000`).expect(400);
  });

  it('requires authentication (401) on mutating and reading routes', async () => {
    const server = await start();
    const denied = await request(server)
      .post(records)
      .set('authorization', mockCredentials.none.header())
      .send({ entityRef: 'component:default/service-a', category: 'tests' })
      .expect(401);
    expect(denied.body.error.name).toBe('AuthenticationError');
    await request(server)
      .get(listA)
      .set('authorization', mockCredentials.none.header())
      .expect(401);
    await request(server)
      .put('/api/evidence/v1/entities/component/default/service-a/legal-hold')
      .set('authorization', mockCredentials.none.header())
      .send({ reason: 'litigation' })
      .expect(401);
  });

  it('answers 403 when the permission policy denies', async () => {
    const server = await start(AuthorizeResult.DENY);
    const r = await request(server)
      .post(records)
      .send({ entityRef: 'component:default/service-a', category: 'tests' })
      .expect(403);
    expect(r.body.error.message).toMatch(/evidence\.record\.create/);
    await request(server).get(listA).expect(403);
    await request(server)
      .put('/api/evidence/v1/entities/component/default/service-a/legal-hold')
      .send({ reason: 'litigation' })
      .expect(403);
    await request(server)
      .post('/api/evidence/v1/entities/component/default/service-a/purge')
      .send({ reason: 'gdpr' })
      .expect(403);
  });

  it('stores the same bytes attached twice once, and records the entity in its one lowercase ref', async () => {
    const server = await start();
    const r = await request(server)
      .post(records)
      .send({
        entityRef: 'Component:Default/Service-A',
        category: 'signature',
        artifacts: [
          { name: 'notes.txt', contentBase64: b64('same') },
          { name: 'copy.txt', contentBase64: b64('same') },
        ],
      })
      .expect(201);
    expect(r.body.envelope.entityRef).toBe('component:default/service-a');
    expect(r.body.envelope.artifacts).toHaveLength(2);
  });

  it('makes retries safe with Idempotency-Key', async () => {
    const server = await start();
    const body = {
      entityRef: 'component:default/service-a',
      category: 'signature',
      summary: { version: '1.0.0' },
    };
    const a = await request(server)
      .post(records)
      .set('idempotency-key', 'ci-run-42')
      .send(body)
      .expect(201);
    const b = await request(server)
      .post(records)
      .set('idempotency-key', 'ci-run-42')
      .send(body)
      .expect(200);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.body.hash).toBe(a.body.hash);
    const c = await request(server)
      .post(records)
      .set('idempotency-key', 'ci-run-42')
      .send({ ...body, summary: { version: '2.0.0' } })
      .expect(409);
    expect(c.body.error.message).toMatch(/already used for a different record/);
    expect((await request(server).get(listA)).body.totalCount).toBe(1);
  });

  it('sets legal holds and records early purges in governance mode', async () => {
    const server = await start();
    const base = '/api/evidence/v1/entities/component/default/service-a';
    const rec = await request(server)
      .post(records)
      .send({
        entityRef: 'component:default/service-a',
        category: 'tests',
        payload: { secret: 'pii' },
      })
      .expect(201);
    await request(server)
      .put(`${base}/legal-hold`)
      .send({ reason: 'x' })
      .expect(400);
    await request(server)
      .put(`${base}/legal-hold`)
      .send({ reason: 'litigation 2026-17' })
      .expect(200);
    await request(server)
      .post(`${base}/purge`)
      .send({ reason: 'GDPR erasure' })
      .expect(403);
    await request(server).delete(`${base}/legal-hold`).expect(204);
    await request(server).delete(`${base}/legal-hold`).expect(404);
    const purge = await request(server)
      .post(`${base}/purge`)
      .send({ reason: 'GDPR erasure' })
      .expect(200);
    expect(purge.body).toMatchObject({ blobs: 1, records: 1 });
    const got = await request(server)
      .get(`/api/evidence/v1/records/${rec.body.hash}`)
      .expect(200);
    expect(got.body.payloadPurged).toBe(true);
    await request(server)
      .get(
        `/api/evidence/v1/records/${rec.body.hash}/artifacts/${rec.body.envelope.payloadDigest}`,
      )
      .expect(410);
    const list = await request(server).get(`${base}/records`).expect(200);
    expect(list.body.items[0].envelope.summary).toMatchObject({
      action: 'early-purge',
      reason: 'GDPR erasure',
    });
    await request(server).get(`${base}/verify`).expect(200, {
      ok: true,
      checked: 2,
      headHash: list.body.items[0].hash,
      verifiedFrom: 0,
    });
  });
});
