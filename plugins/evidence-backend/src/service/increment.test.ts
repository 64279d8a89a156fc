import {
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  fromBase64,
  leafHash,
  openNote,
  parseCheckpoint,
  utf8Encode,
  verifyChain,
  verifyConsistency,
  verifyHeadProof,
  verifyInclusion,
} from '@assay/plugin-evidence-common';
import request from 'supertest';
import { evidencePlugin } from '../plugin';

jest.setTimeout(60_000);

const ENTITY = 'component:default/service-a';
const base = '/api/evidence/v1';
const increment = `${base}/entities/component/default/service-a/increment`;

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

async function start(
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY,
  db?: TestDatabaseId,
) {
  const { server } = await startTestBackend({
    features: [
      evidencePlugin,
      ...(db
        ? [mockServices.database.factory({ knex: await databases.init(db) })]
        : []),
      catalogServiceMock.factory({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'service-a' },
            spec: { type: 'service', owner: 'team-a' },
          },
        ],
      }),
      mockServices.permissions.factory({ result }),
      mockServices.rootConfig.factory({
        data: { backend: { baseUrl: 'http://localhost:7007' } },
      }),
    ],
  });
  return server;
}

describe('GET /v1/entities/{kind}/{namespace}/{name}/increment', () => {
  it.each(databases.eachSupportedId())(
    'serves what a returning verifier checks, and every piece verifies (%p)',
    async db => {
      const server = await start(AuthorizeResult.ALLOW, db);
      const append = async (n: number) => {
        for (let i = 0; i < n; i++) {
          await request(server)
            .post(`${base}/records`)
            .send({ entityRef: ENTITY, category: 'tests', summary: { i } })
            .expect(201);
        }
      };
      await append(3);
      const note = (await request(server).get(`${base}/checkpoint`)).text;
      const before = parseCheckpoint(`${note.split('\n\n')[0]}\n`);
      await append(2);
      const key = (await request(server).get(`${base}/public-key`)).body
        .verifierKey;

      const res = await request(server)
        .get(increment)
        .query({ after: 3, treeSize: before.treeSize, window: 2 })
        .expect(200);
      const body = res.body;
      const cp = parseCheckpoint(openNote(body.checkpoint, [key]).text);
      expect(body.treeSize).toBe(cp.treeSize);
      expect(body.complete).toBe(true);
      // the window (#2, #3) and the new records (#4, #5), one chain
      expect(body.records.map((r: any) => JSON.parse(r.canonical).seq)).toEqual(
        [2, 3, 4, 5],
      );
      expect(
        verifyChain(body.records, { expectedFirstSeq: 2, entityRef: ENTITY })
          .ok,
      ).toBe(true);
      verifyConsistency({
        size1: before.treeSize,
        size2: cp.treeSize,
        root1: before.rootHash,
        root2: cp.rootHash,
        proof: body.consistency.map(fromBase64),
      });
      const last = body.records[3];
      expect(body.inclusion.leafIndex).toBe(last.leafIndex);
      verifyInclusion({
        leafIndex: last.leafIndex,
        treeSize: cp.treeSize,
        leafHash: leafHash(utf8Encode(last.canonical)),
        proof: body.inclusion.hashes.map(fromBase64),
        rootHash: cp.rootHash,
      });
      expect(verifyHeadProof(body.headProof, cp, ENTITY)).toEqual({
        seq: 5,
        hash: last.hash,
      });

      // nothing new since: no inclusion proof, the head proof of the same head
      const same = await request(server)
        .get(increment)
        .query({ after: 5, treeSize: cp.treeSize })
        .expect(200);
      expect(same.body.records.map((r: any) => r.hash)).toEqual([]);
      expect(same.body.consistency).toBeNull();
      expect(same.body.inclusion).toBeNull();
      expect(same.body.headProof.head.seq).toBe(5);

      // a first visit: everything from #1
      const first = await request(server)
        .get(increment)
        .query({ after: 0, treeSize: 0 })
        .expect(200);
      expect(first.body.records).toHaveLength(5);
    },
  );

  it('names the query parameter that is missing or out of range', async () => {
    const server = await start(AuthorizeResult.ALLOW);
    for (const [query, field] of [
      [{ treeSize: 1 }, 'after'],
      [{ after: -1, treeSize: 1 }, 'after'],
      [{ after: '1e3', treeSize: 1 }, 'after'],
      [{ after: 2_147_483_648, treeSize: 1 }, 'after'],
      [{ after: 1 }, 'treeSize'],
      [{ after: 1, treeSize: 'x' }, 'treeSize'],
      [{ after: 1, treeSize: 1, window: 501 }, 'window'],
    ] as const) {
      const res = await request(server).get(increment).query(query);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(new RegExp(`^${field}:`));
    }
  });

  it('refuses a reader without access before revealing anything', async () => {
    const server = await start(AuthorizeResult.DENY);
    const res = await request(server)
      .get(increment)
      .query({ after: 0, treeSize: 0 });
    expect(res.status).toBe(403);
    expect(res.body.records).toBeUndefined();
  });
});
