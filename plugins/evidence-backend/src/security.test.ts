import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { evidencePlugin } from './plugin';

jest.setTimeout(60_000);

const component = (name: string, owner: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name },
  spec: { type: 'service', lifecycle: 'production', owner },
  relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
});

async function start(
  options: {
    permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    evidence?: object;
  } = {},
) {
  const { server } = await startTestBackend({
    features: [
      evidencePlugin,
      catalogServiceMock.factory({
        entities: [
          component('service-a', 'payments-team'),
          component('service-b', 'payments-team'),
          component('mesh', 'platform-team'),
        ],
      }),
      mockServices.permissions.factory({
        result: options.permission ?? AuthorizeResult.ALLOW,
      }),
      mockServices.rootConfig.factory({
        data: {
          backend: { baseUrl: 'http://localhost:7007' },
          evidence: {
            origin: 'test.assay.dev/evidence',
            producers: [
              {
                subject: 'ci-pipeline',
                entities: [
                  'component:default/service-a',
                  'component:default/ghost',
                ],
                owners: ['group:default/payments-team'],
                categories: ['tests', 'coverage'],
              },
              {
                subject: 'release-bot',
                entities: ['component:default/service-a'],
                categories: ['release'],
              },
              {
                subject: 'any-ci',
                entities: ['component:default/service-a'],
              },
            ],
            ...options.evidence,
          },
        },
      }),
    ],
  });
  return server;
}

const records = '/api/evidence/v1/records';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const serviceHeader = (subject: string) =>
  `Bearer ${mockCredentials.service.token({
    onBehalfOf: mockCredentials.service(`external:${subject}`),
    targetPluginId: 'evidence',
  })}`;

async function countRecords(server: any) {
  const res = await request(server)
    .get('/api/evidence/v1/entities/component/default/service-a/records')
    .expect(200);
  return res.body.totalCount as number;
}

describe('evidence.producers (CI tokens)', () => {
  it('scopes an external subject to its entities, owners and categories', async () => {
    const server = await start();
    const post = (subject: string, body: object) =>
      request(server)
        .post(records)
        .set('authorization', serviceHeader(subject))
        .send(body);
    // listed entity, listed category
    await post('ci-pipeline', {
      entityRef: 'component:default/service-a',
      category: 'tests',
    }).expect(201);
    // an entity its owners group owns
    await post('ci-pipeline', {
      entityRef: 'component:default/service-b',
      category: 'coverage',
    }).expect(201);
    // another team's entity
    const mesh = await post('ci-pipeline', {
      entityRef: 'component:default/mesh',
      category: 'tests',
    }).expect(403);
    expect(mesh.body.error.message).toMatch(
      /external:ci-pipeline may not write evidence of component:default\/mesh/,
    );
    // a category it was not given, and a reserved one
    for (const category of ['sbom', 'compliance', 'waiver']) {
      const r = await post('ci-pipeline', {
        entityRef: 'component:default/service-a',
        category,
      }).expect(403);
      expect(r.body.error.message).toMatch(`category: '${category}' refused`);
    }
    // reserved categories only when listed explicitly
    await post('release-bot', {
      entityRef: 'component:default/service-a',
      category: 'release',
    }).expect(201);
    // no categories listed: every non-reserved one, no reserved one
    await post('any-ci', {
      entityRef: 'component:default/service-a',
      category: 'sbom',
    }).expect(201);
    await post('any-ci', {
      entityRef: 'component:default/service-a',
      category: 'canary',
    }).expect(403);
    // a subject without an entry
    const none = await post('other-ci', {
      entityRef: 'component:default/service-a',
      category: 'tests',
    }).expect(403);
    expect(none.body.error.message).toMatch(/no evidence.producers entry/);
    expect(await countRecords(server)).toBe(3);
  });

  it('refuses an entity the catalog does not know, naming entityRef, and stores nothing', async () => {
    const server = await start();
    const r = await request(server)
      .post(records)
      .set('authorization', serviceHeader('ci-pipeline'))
      .send({ entityRef: 'component:default/ghost', category: 'tests' })
      .expect(400);
    expect(r.body.error.message).toMatch(
      /^entityRef: component:default\/ghost is not in the catalog/,
    );
    // a user too (the policy may allow; the catalog still has to know it)
    await request(server)
      .post(records)
      .send({ entityRef: 'component:default/ghost', category: 'tests' })
      .expect(400);
    const list = await request(server)
      .get('/api/evidence/v1/entities/component/default/ghost/records')
      .expect(200);
    expect(list.body.totalCount).toBe(0);
    const cp = await request(server)
      .get('/api/evidence/v1/checkpoint')
      .expect(200);
    expect(cp.text.split('\n')[1]).toBe('0');
  });

  it('refuses reserved categories to users', async () => {
    const server = await start();
    for (const category of [
      'promotion',
      'canary',
      'release',
      'waiver',
      'compliance',
    ]) {
      await request(server)
        .post(records)
        .send({ entityRef: 'component:default/service-a', category })
        .expect(403);
    }
    expect(await countRecords(server)).toBe(0);
  });
});

describe('authorize before revealing', () => {
  it('answers 403, not 404, for records by hash and for proofs and checkpoints when reading is denied', async () => {
    const server = await start({ permission: AuthorizeResult.DENY });
    const missing = 'f'.repeat(64);
    for (const path of [
      `/v1/records/${missing}`,
      `/v1/records/${missing}/artifacts/sha256:${missing}`,
      '/v1/checkpoint',
      '/v1/public-key',
      '/v1/audit',
      '/v1/proofs/inclusion?leafIndex=0&treeSize=1',
      '/v1/proofs/consistency?from=1&to=2',
    ]) {
      const r = await request(server).get(`/api/evidence${path}`);
      expect([path, r.status]).toEqual([path, 403]);
    }
  });

  it('answers 404 for a missing record only to a reader', async () => {
    const server = await start();
    await request(server)
      .get(`/api/evidence/v1/records/${'f'.repeat(64)}`)
      .expect(404);
  });
});

describe('early purge', () => {
  it('validates the reason before anything is purged (a 1,500-character reason is a 400 naming reason)', async () => {
    const server = await start();
    const rec = await request(server)
      .post(records)
      .send({
        entityRef: 'component:default/service-a',
        category: 'tests',
        payload: { secret: 'pii' },
      })
      .expect(201);
    const base = '/api/evidence/v1/entities/component/default/service-a';
    const r = await request(server)
      .post(`${base}/purge`)
      .send({ reason: 'x'.repeat(1500) })
      .expect(400);
    expect(r.body.error.message).toMatch(/^reason: /);
    await request(server)
      .post(`${base}/purge`)
      .send({ reason: 'GDPR erasure', categories: ['no-such'] })
      .expect(400);
    // nothing changed: the payload is still there, no record was added
    await request(server)
      .get(
        `/api/evidence/v1/records/${rec.body.hash}/artifacts/${rec.body.envelope.payloadDigest}`,
      )
      .expect(200);
    expect(await countRecords(server)).toBe(1);
    const ok = await request(server)
      .post(`${base}/purge`)
      .send({ reason: 'GDPR erasure' })
      .expect(200);
    expect(ok.body).toMatchObject({ blobs: 1, records: 1 });
    const list = await request(server).get(`${base}/records`).expect(200);
    expect(list.body.items[0].envelope).toMatchObject({
      category: 'compliance',
      summary: { action: 'early-purge', purgedBlobs: 1, purgedRecords: 1 },
    });
  });
});

describe('configurable input caps (evidence.limits)', () => {
  it('refuses envelopes, summaries and artifact lists over the configured caps, naming the field', async () => {
    const server = await start({
      evidence: {
        limits: { maxEnvelopeBytes: 1024, maxSummaryKeys: 2, maxArtifacts: 1 },
      },
    });
    const body = {
      entityRef: 'component:default/service-a',
      category: 'tests',
    };
    const keys = await request(server)
      .post(records)
      .send({ ...body, summary: { a: 1, b: 2, c: 3 } })
      .expect(400);
    expect(keys.body.error.message).toMatch(/^summary: at most 2 keys/);
    const big = await request(server)
      .post(records)
      .send({ ...body, summary: { a: 'x'.repeat(1000) } })
      .expect(400);
    expect(big.body.error.message).toMatch(
      /^summary: the record's envelope would be \d+ bytes, over the limit of 1024/,
    );
    const many = await request(server)
      .post(records)
      .send({
        ...body,
        artifacts: [
          { name: 'a.txt', contentBase64: b64('a') },
          { name: 'b.txt', contentBase64: b64('b') },
        ],
      })
      .expect(400);
    expect(many.body.error.message).toMatch(/^artifacts: at most 1 artifacts/);
    const media = await request(server)
      .post(records)
      .send({
        ...body,
        artifacts: [
          {
            name: 'a.txt',
            mediaType: 'text/plain\r\nX: 1',
            contentBase64: b64('a'),
          },
        ],
      })
      .expect(400);
    expect(media.body.error.message).toMatch(/^artifacts\.0\.mediaType: /);
    await request(server)
      .post(records)
      .send({
        ...body,
        summary: { a: 1, b: 2 },
        artifacts: [
          {
            name: 'a.txt',
            mediaType: 'text/plain; charset=utf-8',
            contentBase64: b64('a'),
          },
        ],
      })
      .expect(201);
    expect(await countRecords(server)).toBe(1);
  });
});
