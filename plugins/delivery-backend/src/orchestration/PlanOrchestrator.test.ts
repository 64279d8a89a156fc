import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Knex } from 'knex';
import { RecordingEvidence } from '../__testUtils__/harness';
import { DatabasePlanStore } from './DatabasePlanStore';
import { PlanEvidenceWriter } from './evidence';
import { PlanOrchestrator } from './PlanOrchestrator';
import { PlanService } from './PlanService';
import { FakePromotions, World } from './__testUtils__/FakePromotions';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const ref = (n: string) => `component:default/${n}`;

/** A component whose catalog relations say it depends on `deps`. */
const component = (name: string, deps: string[] = []) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  relations: deps.map(d => ({ type: 'dependsOn', targetRef: ref(d) })),
});

/*
 * web → api, web → auth; api → db; auth → db; worker → db; x (unrelated)
 * waves: [db, x] [api, auth, worker] [web]
 */
const CATALOG = [
  component('db'),
  component('x'),
  component('api', ['db']),
  component('auth', ['db']),
  component('worker', ['db']),
  component('web', ['api', 'auth']),
  component('cyc-a', ['cyc-b']),
  component('cyc-b', ['cyc-c']),
  component('cyc-c', ['cyc-a']),
];
const ALL = ['web', 'api', 'auth', 'worker', 'db', 'x'].map(ref);
const user = 'user:default/alice';

function clock(start = '2026-11-30T10:00:00.000Z') {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    advance: (s: number) => {
      t += s * 1000;
    },
  };
}

async function setup(
  knex: Knex,
  o: {
    world?: World;
    concurrency?: number;
    rollbackEarlierWaves?: boolean;
    time?: ReturnType<typeof clock>;
    delayMs?: number;
    holdUntilActive?: number;
  } = {},
) {
  const world = o.world ?? new World();
  const time = o.time ?? clock();
  const store = await DatabasePlanStore.create({
    database: mockServices.database({ knex }),
  });
  const promotions = new FakePromotions(world, o.delayMs);
  world.holdUntilActive = o.holdUntilActive ?? 0;
  const evidence = new RecordingEvidence();
  const logger = mockServices.logger.mock();
  const writer = new PlanEvidenceWriter({
    store,
    evidence: evidence as any,
    auth: mockServices.auth({ pluginId: 'delivery' }),
    logger,
  });
  const orchestrator = new PlanOrchestrator({
    store,
    promotions,
    logger,
    leaseSeconds: 60,
    clock: time.now,
    flushEvidence: () => writer.flush(),
  });
  const service = new PlanService({
    store,
    promotions,
    catalog: catalogServiceMock({ entities: CATALOG as any }),
    logger,
    concurrency: o.concurrency ?? 4,
    rollbackEarlierWaves: o.rollbackEarlierWaves ?? false,
    clock: time.now,
  });
  const create = (refs: string[], environment = 'staging') =>
    service.create({
      entityRefs: refs,
      environment,
      actor: user,
      credentials: mockCredentials.user(user),
    });
  return {
    world,
    store,
    promotions,
    evidence,
    orchestrator,
    service,
    create,
    time,
    writer,
  };
}

const statuses = (plan: any) =>
  Object.fromEntries(
    plan.waves.flatMap((w: any) =>
      w.items.map((i: any) => [i.entityRef.split('/')[1], i.status]),
    ),
  );

async function waitFor(check: () => Promise<boolean>) {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise(r => setTimeout(r, 25));
  }
  throw new Error('condition not reached');
}

describe.each(databases.eachSupportedId())(
  'coordinated promotion on %p',
  databaseId => {
    let knex: Knex;
    beforeAll(async () => {
      knex = await databases.init(databaseId);
    });
    afterEach(async () => {
      await knex('delivery_promotion_plans').delete();
    });

    it('plans waves from catalog dependsOn relations (diamond) and previews every service', async () => {
      const { service } = await setup(knex);
      const preview = await service.preview({
        entityRefs: ALL,
        environment: 'staging',
        actor: user,
        credentials: mockCredentials.user(user),
      });
      expect(preview.waves).toEqual([
        [ref('db'), ref('x')],
        [ref('api'), ref('auth'), ref('worker')],
        [ref('web')],
      ]);
      expect(preview.graph.edges).toEqual(
        expect.arrayContaining([
          [ref('web'), ref('api')],
          [ref('web'), ref('auth')],
          [ref('api'), ref('db')],
        ]),
      );
      expect(preview.graph.edges).toHaveLength(5);
      expect(preview.previews[ref('web')]).toMatchObject({
        releaseHash: 'rel-2.0.0',
        version: '2.0.0',
        evaluation: { allowed: true },
      });
      // relations to services outside the plan are not followed
      const partial = await service.preview({
        entityRefs: [ref('web'), ref('db')],
        environment: 'staging',
        actor: user,
        credentials: mockCredentials.user(user),
      });
      expect(partial.waves).toEqual([[ref('web'), ref('db')]]);
    });

    it('rejects a cycle with a 400 naming it, unknown entities and bad fields, storing nothing', async () => {
      const { create, store } = await setup(knex);
      await expect(
        create([ref('cyc-a'), ref('cyc-b'), ref('cyc-c'), ref('db')]),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(
          /entityRefs: .*dependency cycle: component:default\/cyc-[abc] → .* → component:default\/cyc-[abc]$/,
        ),
      });
      await expect(create([ref('db'), ref('ghost')])).rejects.toMatchObject({
        name: 'InputError',
        message: 'entityRefs: not in the catalog: component:default/ghost',
      });
      await expect(create(['not a ref'])).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(/^entityRefs\[0\]: /),
      });
      await expect(create([ref('db')], 'Prod!')).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(/^environment: /),
      });
      await expect(create([])).rejects.toMatchObject({ name: 'InputError' });
      expect(await store.listPlans({ limit: 10 })).toEqual([]);
    });

    it('refuses to start when a gate (other than approvals) already blocks a service', async () => {
      const { create, promotions, store } = await setup(knex);
      promotions.behaviour.set(ref('auth'), 'block-preview');
      await expect(create(ALL)).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringContaining('component:default/auth (Coverage)'),
      });
      expect(await store.listPlans({ limit: 10 })).toEqual([]);
    });

    it('promotes wave by wave with a barrier, in parallel up to the concurrency, recording evidence', async () => {
      const { create, orchestrator, world, evidence, service } = await setup(
        knex,
        { concurrency: 2, holdUntilActive: 2 },
      );
      world.deploy(ref('web'), 'staging', 'rel-1.0.0');
      const plan = await create(ALL);
      expect(plan.status).toBe('running');
      expect(plan.waves.map(w => w.status)).toEqual([
        'pending',
        'pending',
        'pending',
      ]);
      await orchestrator.tick();
      const done = await service.get(plan.id);
      expect(done.status).toBe('succeeded');
      expect(done.waves.map(w => w.status)).toEqual([
        'succeeded',
        'succeeded',
        'succeeded',
      ]);
      // barrier: every wave's promotions came after the previous wave's
      const order = world.calls.map(c => c.split('/')[1]);
      const pos = (n: string) => order.indexOf(n);
      expect(order).toHaveLength(6);
      for (const later of ['api', 'auth', 'worker'])
        for (const earlier of ['db', 'x'])
          expect(pos(later)).toBeGreaterThan(pos(earlier));
      for (const earlier of ['api', 'auth', 'worker'])
        expect(pos('web')).toBeGreaterThan(pos(earlier));
      // two at a time (each promotion waits up to 2 s for a second one)
      expect(world.maxActive).toBe(2);
      expect(done.waves[2].items[0]).toMatchObject({
        previousVersion: '1.0.0',
        previousReleaseHash: 'rel-1.0.0',
        version: '2.0.0',
      });
      // plan steps: planned ×6 + promote ×6, through the plugin's own credentials
      const steps = evidence.records.map(r => r.request);
      expect(steps).toHaveLength(12);
      expect(new Set(evidence.records.map(r => r.principal))).toEqual(
        new Set(['plugin:delivery']),
      );
      for (const s of steps) {
        expect(s.category).toBe('promotion');
        expect(s.summary).toMatchObject({
          kind: 'plan-step',
          planId: plan.id,
          actor: user,
          environment: 'staging',
        });
        // `outcome` belongs to final promotion records (success rate)
        expect(s.summary.outcome).toBeUndefined();
      }
      const webDone = steps.find(
        s => s.entityRef === ref('web') && s.summary.step === 'promote',
      );
      expect(webDone.summary).toMatchObject({
        wave: 2,
        stepOutcome: 'succeeded',
      });
      // chained: each step cites the previous step's record
      expect(steps[1].payload.inputs).toContain(
        `evidence:${evidence.records[0].hash}`,
      );
      expect(done.steps.every(s => s.evidenceHash)).toBe(true);
    });

    it('a failure mid-wave aborts the group: the wave rolls back in reverse order, earlier waves stay', async () => {
      const { create, orchestrator, world, promotions, service } = await setup(
        knex,
        { concurrency: 1 },
      );
      for (const n of ['db', 'x', 'api', 'auth', 'worker', 'web'])
        world.deploy(ref(n), 'staging', 'rel-1.0.0');
      promotions.behaviour.set(ref('worker'), 'fail');
      const plan = await create(ALL);
      await orchestrator.tick();
      const done = await service.get(plan.id);
      expect(done.status).toBe('failed');
      expect(done.error).toMatch(
        /wave 2 failed: component:default\/worker failed \(deployment provider: push rejected\)/,
      );
      expect(statuses(done)).toEqual({
        db: 'succeeded',
        x: 'succeeded',
        api: 'rolled-back',
        auth: 'rolled-back',
        worker: 'failed',
        web: 'skipped',
      });
      expect(done.waves.map(w => w.status)).toEqual([
        'succeeded',
        'failed',
        'skipped',
      ]);
      // api then auth were promoted; rollback in reverse: auth, then api
      expect(world.calls.map(c => c.replace('component:default/', ''))).toEqual(
        [
          'promote db',
          'promote x',
          'promote api',
          'promote auth',
          'promote worker',
          'rollback auth',
          'rollback api',
        ],
      );
      expect(world.deployed.get(`staging|${ref('api')}`)?.releaseHash).toBe(
        'rel-1.0.0',
      );
      expect(world.deployed.get(`staging|${ref('db')}`)?.releaseHash).toBe(
        'rel-2.0.0',
      );
      expect(
        done.steps.filter(s => s.step === 'rollback').map(s => s.outcome),
      ).toEqual(['rolled-back', 'rolled-back']);
      // the entities are free again
      world.calls.length = 0;
      promotions.behaviour.clear();
      const again = await create([ref('worker')]);
      await orchestrator.tick();
      expect((await service.get(again.id)).status).toBe('succeeded');
    });

    it('when what runs there cannot be read, the service is not started (no guessed rollback target)', async () => {
      const { create, orchestrator, world, promotions, service } = await setup(
        knex,
      );
      world.deploy(ref('x'), 'staging', 'rel-1.0.0');
      const plan = await create([ref('x')]);
      promotions.deployedFailures = 1;
      await orchestrator.tick();
      expect(statuses(await service.get(plan.id))).toEqual({ x: 'pending' });
      expect(world.calls).toEqual([]);
      await orchestrator.tick();
      const done = await service.get(plan.id);
      expect(done.status).toBe('succeeded');
      expect(done.waves[0].items[0].previousVersion).toBe('1.0.0');
    });

    it('rollbackEarlierWaves: the earlier waves roll back too, latest first', async () => {
      const { create, orchestrator, world, promotions, service } = await setup(
        knex,
        { concurrency: 1, rollbackEarlierWaves: true },
      );
      for (const n of ['db', 'x', 'api', 'auth', 'worker', 'web'])
        world.deploy(ref(n), 'staging', 'rel-1.0.0');
      promotions.behaviour.set(ref('web'), 'block');
      const plan = await create(ALL);
      await orchestrator.tick();
      const done = await service.get(plan.id);
      expect(done.status).toBe('failed');
      expect(done.error).toContain('component:default/web blocked');
      expect(
        world.calls
          .filter(c => c.startsWith('rollback'))
          .map(c => c.replace('rollback component:default/', '')),
      ).toEqual(['worker', 'auth', 'api', 'x', 'db']);
      expect(statuses(done)).toMatchObject({
        db: 'rolled-back',
        web: 'blocked',
      });
    });

    it('waits for approvals (shown as such), continues after them; abort cancels and rolls back', async () => {
      const { create, orchestrator, promotions, service, world } = await setup(
        knex,
      );
      world.deploy(ref('db'), 'staging', 'rel-1.0.0');
      promotions.behaviour.set(ref('api'), 'await');
      const plan = await create([ref('db'), ref('api'), ref('web')]);
      await orchestrator.tick();
      let p = await service.get(plan.id);
      expect(p.status).toBe('running');
      expect(p.awaitingApproval).toEqual([ref('api')]);
      expect(p.waves[1].status).toBe('awaiting-approval');
      expect(p.steps.find(s => s.entityRef === ref('api'))!.text).toBe(
        'component:default/api 2.0.0 planned for staging in wave 2 of 3 (gates pass (compliance); waits for approval: 0 of 1)',
      );
      await orchestrator.tick(); // still waiting: nothing more happens
      expect(world.calls).toHaveLength(2);
      promotions.approve(ref('api'));
      await orchestrator.tick();
      p = await service.get(plan.id);
      expect(p.status).toBe('succeeded');

      // abort while awaiting approval: cancelled, the wave's promoted ones roll back
      promotions.versions.set(ref('db'), '3.0.0');
      promotions.versions.set(ref('api'), '3.0.0');
      promotions.behaviour.set(ref('api'), 'await');
      promotions.behaviour.set(ref('x'), 'succeed');
      const second = await create([ref('db'), ref('x'), ref('api')]);
      await orchestrator.tick();
      expect((await service.get(second.id)).awaitingApproval).toEqual([
        ref('api'),
      ]);
      await service.abort(
        second.id,
        'user:default/bob',
        'release train cancelled',
      );
      await expect(
        service.abort(second.id, 'user:default/bob'),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      await orchestrator.tick();
      p = await service.get(second.id);
      expect(p.status).toBe('aborted');
      expect(p.error).toBe(
        'aborted by user:default/bob: release train cancelled',
      );
      expect(statuses(p)).toEqual({
        db: 'succeeded',
        x: 'succeeded',
        api: 'cancelled',
      });
      expect(promotions.cancelled).toHaveLength(1);
    });

    it('a restart mid-plan: a new orchestrator on the same database continues', async () => {
      const time = clock();
      const world = new World();
      const first = await setup(knex, { world, time, concurrency: 4 });
      world.deploy(ref('api'), 'staging', 'rel-1.0.0');
      world.deploy(ref('auth'), 'staging', 'rel-1.0.0');
      first.promotions.behaviour.set(ref('api'), 'hang'); // its backend dies mid-call
      first.promotions.behaviour.set(ref('auth'), 'land-then-hang');
      const plan = await first.create(ALL);
      void first.orchestrator.tick(); // never finishes: the process "dies"
      // worker lands; api and auth hang in their promotion calls
      await waitFor(async () => {
        const s = statuses(await first.service.get(plan.id));
        return (
          s.api === 'running' &&
          s.auth === 'running' &&
          s.worker === 'succeeded'
        );
      });
      expect(statuses(await first.service.get(plan.id))).toMatchObject({
        db: 'succeeded',
        api: 'running',
        auth: 'running',
        worker: 'succeeded',
      });

      // a new backend: new store, orchestrator and promotion core, same database
      const second = await setup(knex, { world, time });
      await second.orchestrator.tick();
      // within the lease, nobody takes the items over
      expect(statuses(await second.service.get(plan.id)).api).toBe('running');
      time.advance(61);
      await second.orchestrator.tick();
      const done = await second.service.get(plan.id);
      expect(done.status).toBe('succeeded');
      const calls = world.calls.map(c => c.replace('component:default/', ''));
      // api had not landed: promoted again; auth had landed: not promoted twice
      expect(calls.filter(c => c === 'promote api')).toHaveLength(2);
      expect(calls.filter(c => c === 'promote auth')).toHaveLength(1);
      expect(calls.filter(c => c === 'promote web')).toHaveLength(1);
      expect(
        done.steps.filter(s => s.step === 'recover').map(s => s.entityRef),
      ).toEqual([ref('auth')]);
    });

    it('two orchestrators racing promote each service once, within the concurrency', async () => {
      const world = new World();
      const a = await setup(knex, { world, concurrency: 2 });
      const b = await setup(knex, { world, concurrency: 2 });
      const plan = await a.create(ALL);
      await Promise.all([
        a.orchestrator.tick(),
        b.orchestrator.tick(),
        a.orchestrator.tick(),
        b.orchestrator.tick(),
      ]);
      await a.orchestrator.tick();
      const done = await b.service.get(plan.id);
      expect(done.status).toBe('succeeded');
      const calls = world.calls.slice().sort();
      expect(calls).toEqual(ALL.map(r => `promote ${r}`).sort());
      expect(world.maxActive).toBeLessThanOrEqual(2);
      // each step was written once, though both flushed the outbox
      const all = [...a.evidence.records, ...b.evidence.records];
      expect(all.length).toBeGreaterThanOrEqual(12);
      expect(done.steps).toHaveLength(12);
    });

    it('an entity is in one running plan per environment (409)', async () => {
      const { create, promotions } = await setup(knex);
      promotions.behaviour.set(ref('db'), 'await');
      await create([ref('db'), ref('x')]);
      await expect(create([ref('api'), ref('db')])).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringContaining('component:default/db (plan '),
      });
      // another environment is fine
      await create([ref('db')], 'prod');
      // two requests at once for the same service: the database lets one in
      const results = await Promise.allSettled([
        create([ref('worker')], 'qa'),
        create([ref('worker'), ref('auth')], 'qa'),
      ]);
      expect(results.map(r => r.status).sort()).toEqual([
        'fulfilled',
        'rejected',
      ]);
      expect(
        (results.find(r => r.status === 'rejected') as PromiseRejectedResult)
          .reason,
      ).toMatchObject({
        name: 'ConflictError',
        message: expect.stringContaining('component:default/worker (plan '),
      });
    });
  },
);
