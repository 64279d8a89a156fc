import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import type { Knex } from 'knex';
import Router from 'express-promise-router';
import request from 'supertest';
import { DatabasePlanStore } from './DatabasePlanStore';
import { PlanOrchestrator } from './PlanOrchestrator';
import { PlanService } from './PlanService';
import { registerPlanRoutes } from './router';
import { FakePromotions, World } from './__testUtils__/FakePromotions';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const ref = (n: string) => `component:default/${n}`;
const component = (name: string, deps: string[] = []) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  relations: deps.map(d => ({ type: 'dependsOn', targetRef: ref(d) })),
});

/**
 * The plan routes on an express app with the real store (SQLite), the real
 * plan service and orchestrator, a recording promotion core, and a
 * permission service that allows `read` everywhere and the other delivery
 * permissions only on the entities the test says the caller owns.
 */
async function start(owned: string[] = ['a', 'b', 'c'], db?: Knex) {
  const knex = db ?? (await databases.init('SQLITE_3'));
  const store = await DatabasePlanStore.create({
    database: mockServices.database({ knex }),
  });
  const world = new World();
  const promotions = new FakePromotions(world);
  const logger = mockServices.logger.mock();
  const plans = new PlanService({
    store,
    promotions,
    catalog: catalogServiceMock({
      entities: [
        component('a'),
        component('b', ['a']),
        component('c', ['b']),
        component('d'),
        component('loop-1', ['loop-2']),
        component('loop-2', ['loop-1']),
      ] as any,
    }),
    logger,
    concurrency: 4,
    rollbackEarlierWaves: false,
  });
  const orchestrator = new PlanOrchestrator({
    store,
    promotions,
    logger,
    leaseSeconds: 60,
  });
  const asked: any[] = [];
  const ownedRefs = owned.map(ref);
  const permissions = {
    async authorize(requests: any[]) {
      asked.push(...requests);
      return requests.map(r => ({
        result:
          r.permission.attributes.action === 'read' ||
          ownedRefs.includes(r.resourceRef)
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      }));
    },
    async authorizeConditional() {
      throw new Error('not used');
    },
  };
  const router = Router();
  router.use(express.json());
  registerPlanRoutes(router, {
    plans,
    httpAuth: mockServices.httpAuth({
      defaultCredentials: mockCredentials.user('user:default/alice'),
    }),
    auth: mockServices.auth(),
    permissions: permissions as any,
    auditor: mockServices.auditor.mock(),
  });
  const app = express().use(router);
  app.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger,
    }).error(),
  );
  return { app, asked, orchestrator, promotions, store, knex };
}

describe('coordinated promotion routes', () => {
  it('previews a plan: graph, waves, every service gated (read on each)', async () => {
    const { app, asked } = await start();
    const res = await request(app)
      .post('/v1/promotion/plans/preview')
      .send({
        entityRefs: [ref('c'), ref('a'), ref('b')],
        environment: 'staging',
      })
      .expect(200);
    expect(res.body.waves).toEqual([[ref('a')], [ref('b')], [ref('c')]]);
    expect(res.body.graph.edges).toEqual([
      [ref('c'), ref('b')],
      [ref('b'), ref('a')],
    ]);
    expect(Object.keys(res.body.previews).sort()).toEqual(
      [ref('a'), ref('b'), ref('c')].sort(),
    );
    expect(res.body.previews[ref('a')].evaluation.allowed).toBe(true);
    expect(asked.map(r => [r.permission.name, r.resourceRef]).sort()).toEqual(
      [ref('a'), ref('b'), ref('c')]
        .map(r => ['delivery.promotion.read', r])
        .sort(),
    );
  });

  it('400 naming the field or the cycle; 403 naming every entity not allowed; nothing stored', async () => {
    const { app, store } = await start(['a', 'b']);
    const cases: Array<[any, RegExp]> = [
      [{ environment: 'dev' }, /^entityRefs: /],
      [{ entityRefs: [ref('a')] }, /^environment: /],
      [{ entityRefs: ['nope'], environment: 'dev' }, /^entityRefs\[0\]: /],
      [
        { entityRefs: [ref('a')], environment: 'dev', extra: 1 },
        /^extra: unknown field/,
      ],
      [
        { entityRefs: [ref('loop-1'), ref('loop-2')], environment: 'dev' },
        /dependency cycle: component:default\/loop-\d → component:default\/loop-\d → component:default\/loop-\d/,
      ],
    ];
    for (const [body, message] of cases) {
      // loop-* are not owned: the cycle case needs read only (preview)
      const res = await request(app)
        .post('/v1/promotion/plans/preview')
        .send(body)
        .expect(400);
      expect(res.body.error.message).toMatch(message);
    }
    const denied = await request(app)
      .post('/v1/promotion/plans')
      .send({
        entityRefs: [ref('a'), ref('c'), ref('d')],
        environment: 'dev',
      })
      .expect(403);
    expect(denied.body.error.message).toContain(
      'component:default/c, component:default/d (delivery.promotion.promote)',
    );
    expect(denied.body.error.message).not.toContain('component:default/a,');
    expect(await store.listPlans({ limit: 5 })).toEqual([]);
  });

  it('starts (201), lists, reads and aborts a plan; abort needs promote on every entity', async () => {
    const { app, orchestrator, promotions } = await start(['a', 'b', 'c']);
    promotions.behaviour.set(ref('b'), 'await');
    const created = await request(app)
      .post('/v1/promotion/plans')
      .send({ entityRefs: [ref('a'), ref('b'), ref('c')], environment: 'dev' })
      .expect(201);
    expect(created.body).toMatchObject({
      environment: 'dev',
      status: 'running',
      requestedBy: 'user:default/alice',
      waves: [
        { index: 0, items: [{ entityRef: ref('a'), status: 'pending' }] },
        { index: 1, items: [{ entityRef: ref('b'), status: 'pending' }] },
        { index: 2, items: [{ entityRef: ref('c'), status: 'pending' }] },
      ],
    });
    const id = created.body.id;
    await orchestrator.tick();
    const got = await request(app).get(`/v1/promotion/plans/${id}`).expect(200);
    expect(got.body.awaitingApproval).toEqual([ref('b')]);
    expect(got.body.waves.map((w: any) => w.status)).toEqual([
      'succeeded',
      'awaiting-approval',
      'pending',
    ]);
    const list = await request(app).get('/v1/promotion/plans').expect(200);
    expect(list.body.items.map((p: any) => p.id)).toEqual([id]);
    expect(list.body.nextCursor).toBeNull();

    const aborted = await request(app)
      .post(`/v1/promotion/plans/${id}/abort`)
      .send({ reason: 'stop' })
      .expect(200);
    expect(aborted.body.abortRequestedBy).toBe('user:default/alice');
    await request(app)
      .post(`/v1/promotion/plans/${id}/abort`)
      .send({})
      .expect(409);
    await orchestrator.tick();
    const done = await request(app)
      .get(`/v1/promotion/plans/${id}`)
      .expect(200);
    expect(done.body.status).toBe('aborted');
    await request(app).get('/v1/promotion/plans/nope').expect(404);
  });

  it('abort is refused (403) to someone who may not promote every service', async () => {
    const first = await start(['a', 'b', 'c', 'd']);
    first.promotions.behaviour.set(ref('d'), 'await');
    const created = await request(first.app)
      .post('/v1/promotion/plans')
      .send({ entityRefs: [ref('a'), ref('d')], environment: 'dev' })
      .expect(201);
    // the same database, a caller owning only a
    const second = await start(['a'], first.knex);
    const res = await request(second.app)
      .post(`/v1/promotion/plans/${created.body.id}/abort`)
      .send({})
      .expect(403);
    expect(res.body.error.message).toContain('component:default/d');
  });

  it('pages plans with a cursor; a bad cursor is a 400', async () => {
    const { app, promotions } = await start(['a', 'b', 'c', 'd']);
    promotions.behaviour.set(ref('d'), 'succeed');
    for (const env of ['dev', 'staging', 'prod']) {
      await request(app)
        .post('/v1/promotion/plans')
        .send({ entityRefs: [ref('d')], environment: env })
        .expect(201);
    }
    const page1 = await request(app)
      .get('/v1/promotion/plans?limit=2')
      .expect(200);
    expect(page1.body.items).toHaveLength(2);
    const page2 = await request(app)
      .get(`/v1/promotion/plans?limit=2&cursor=${page1.body.nextCursor}`)
      .expect(200);
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    const bad = await request(app)
      .get('/v1/promotion/plans?cursor=zzz')
      .expect(400);
    expect(bad.body.error.message).toMatch(/^cursor: /);
  });
});
