import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  HeadProofError,
  openNote,
  parseCheckpoint,
  verifyHeadProof,
} from '@assay/plugin-evidence-common';
import Knex from 'knex';
import request from 'supertest';
import { evidencePlugin } from './plugin';

jest.setTimeout(60_000);

const component = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name },
  spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' },
});

/**
 * A backend whose permission policy lets the caller read every entity's
 * evidence except `hidden`'s (resource-level decisions, as a conditional
 * policy would give), and write all of them.
 */
async function start(hidden: string[] = []) {
  const knex = Knex({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  const permissions = mockServices.permissions.mock({
    authorize: async (requests: any[]) =>
      requests.map(r => ({
        result:
          r.permission.attributes.action === 'read' &&
          hidden.includes(r.resourceRef)
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
        entities: ['Service-A', 'alpha', 'secret', 'zulu'].map(component),
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
  return { server, knex };
}

const api = '/api/evidence/v1';
const append = (server: any, entityRef: string) =>
  request(server)
    .post(`${api}/records`)
    .send({ entityRef, category: 'tests', summary: { tests: 1 } })
    .expect(201);

describe('entity refs: one spelling per entity', () => {
  it('appends and reads case variants of a ref as one chain, on every route', async () => {
    const { server } = await start();
    const a = await append(server, 'Component:default/Service-A');
    const b = await append(server, 'component:Default/service-a');
    const c = await append(server, 'component:default/SERVICE-A');
    expect(
      [a, b, c].map(r => [r.body.envelope.entityRef, r.body.envelope.seq]),
    ).toEqual([
      ['component:default/service-a', 1],
      ['component:default/service-a', 2],
      ['component:default/service-a', 3],
    ]);
    expect(c.body.envelope.previousHash).toBe(b.body.hash);
    for (const path of [
      'Component/Default/Service-A',
      'component/default/service-a',
      'COMPONENT/default/Service-a',
    ]) {
      const base = `${api}/entities/${path}`;
      const list = await request(server).get(`${base}/records`).expect(200);
      expect([path, list.body.totalCount, list.body.items.length]).toEqual([
        path,
        3,
        3,
      ]);
      const summary = await request(server).get(`${base}/summary`).expect(200);
      expect(summary.body).toMatchObject({
        entityRef: 'component:default/service-a',
        recordCount: 3,
        head: { seq: 3, hash: c.body.hash },
      });
      const verify = await request(server).get(`${base}/verify`).expect(200);
      expect(verify.body).toMatchObject({ ok: true, checked: 3 });
      const proof = await request(server)
        .get(`${base}/head-proof?treeSize=3`)
        .expect(200);
      expect(proof.body.head).toMatchObject({
        entityRef: 'component:default/service-a',
        seq: 3,
      });
    }
  });
});

describe('absence proofs', () => {
  it('redact the neighbouring entities the caller may not read', async () => {
    const { server } = await start(['component:default/secret']);
    await append(server, 'component:default/alpha');
    await append(server, 'component:default/secret');
    const [key, note] = await Promise.all([
      request(server).get(`${api}/public-key`),
      request(server).get(`${api}/checkpoint`),
    ]);
    const cp = parseCheckpoint(
      openNote(note.text, [key.body.verifierKey]).text,
    );
    // 'mid' has no record; it sorts between alpha and secret
    const res = await request(server)
      .get(`${api}/entities/component/default/mid/head-proof?treeSize=2`)
      .expect(200);
    expect(res.body.head).toBeNull();
    expect(res.body.left).toMatchObject({
      entityRef: 'component:default/alpha',
      seq: 1,
    });
    expect(res.body.right).toEqual({
      index: 1,
      proof: expect.any(Array),
      leafHash: expect.any(String),
      redacted: true,
    });
    expect(res.text).not.toContain('secret');
    expect(() =>
      verifyHeadProof(res.body, cp, 'component:default/mid'),
    ).toThrow(HeadProofError);

    // a reader of both neighbours gets the full, verifiable absence proof
    const { server: open } = await start();
    await append(open, 'component:default/alpha');
    await append(open, 'component:default/secret');
    const [key2, note2] = await Promise.all([
      request(open).get(`${api}/public-key`),
      request(open).get(`${api}/checkpoint`),
    ]);
    const cp2 = parseCheckpoint(
      openNote(note2.text, [key2.body.verifierKey]).text,
    );
    const full = await request(open)
      .get(`${api}/entities/component/default/mid/head-proof?treeSize=2`)
      .expect(200);
    expect(full.body.right.entityRef).toBe('component:default/secret');
    expect(verifyHeadProof(full.body, cp2, 'component:default/mid')).toBeNull();
  });
});

describe('/v1/audit', () => {
  it('counts and lists only findings the caller may see', async () => {
    const { server, knex } = await start(['component:default/secret']);
    await append(server, 'component:default/alpha');
    const finding = (entityRef: string | null, i: number) => ({
      found_at: '2026-11-30T10:00:00.000Z',
      kind: 'record-hash',
      leaf_index: i,
      entity_ref: entityRef,
      message: `finding ${i} about ${entityRef}`,
    });
    await knex('evidence_audit_findings').insert([
      finding('component:default/alpha', 0),
      finding('component:default/secret', 1),
      finding('component:default/secret', 2),
      finding(null, 3),
    ]);
    const res = await request(server)
      .get(`${api}/audit`)
      .set('authorization', mockCredentials.user.header())
      .expect(200);
    expect(res.body.findingCount).toBe(2);
    expect(res.body.findings.map((f: any) => f.entityRef).sort()).toEqual(
      ['component:default/alpha', null].sort(),
    );
    expect(res.text).not.toContain('secret');
    expect(res.body).not.toHaveProperty('hiddenFindings');
  });
});
