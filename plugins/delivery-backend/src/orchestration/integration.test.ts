import {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  EvidenceService,
  evidenceServiceRef,
} from '@assay/plugin-evidence-node';
// The real evidence backend, started next to delivery (tests only).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import evidencePlugin from '@assay/plugin-evidence-backend';
import request from 'supertest';
import { deliveryPlugin } from '../plugin';
import {
  as,
  conventionPermissions,
  daysAgo,
  entity,
  healthyEvidence,
} from '../promotion/__testUtils__/backend';

jest.setTimeout(240_000);

const A = 'component:default/service-a';
const B = 'component:default/service-b';
const api = '/api/delivery/v1/promotion';
const ent = (name: string) => `${api}/entities/component/default/${name}`;
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const artifacts = (name: string, c: string) => [
  {
    name: `registry.example.com/payments/${name}`,
    kind: 'image',
    digest: digest(c),
  },
  { name: 'overview', kind: 'dashboard', digest: digest('d') },
  { name: 'slo', kind: 'alert-rules', digest: digest('e') },
];

/** service-b depends on service-a (a catalog relation). */
const withDeps = (e: any, deps: string[]) => ({
  ...e,
  relations: deps.map(targetRef => ({ type: 'dependsOn', targetRef })),
});

/**
 * Coordinated promotion end to end: the delivery plugin with the real
 * promotion core, the real evidence backend and the real scheduler task,
 * driven through the HTTP API only.
 */
describe('coordinated promotion on the real promotion core', () => {
  // the scheduler of the test backend runs a task when triggered: the test
  // plays the periodic runs of the plan task
  const scheduler = mockServices.scheduler();
  const tick = () => scheduler.triggerTask('delivery-promotion-plans');
  const holder: { evidence?: EvidenceService } = {};
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const alice = mockCredentials.user('user:default/alice');
  const put = (ref: string, category: string, summary: any) =>
    holder.evidence!.append(
      { entityRef: ref, category, summary, producedAt: daysAgo(1) },
      { credentials: alice },
    );
  const list = (ref: string, category: string) =>
    holder.evidence!.list(ref, {
      credentials: alice,
      category: [category],
      limit: 200,
    });

  beforeAll(async () => {
    backend = await startTestBackend({
      features: [
        createServiceFactory({
          service: coreServices.scheduler,
          deps: {},
          factory: () => scheduler,
        }),
        evidencePlugin,
        deliveryPlugin,
        // a stand-in CI producer: hands out the evidence service
        createBackendPlugin({
          pluginId: 'ci',
          register(env) {
            env.registerInit({
              deps: { evidence: evidenceServiceRef },
              async init({ evidence }) {
                holder.evidence = evidence;
              },
            });
          },
        }),
        conventionPermissions(),
        catalogServiceMock.factory({
          entities: [
            entity('service-a', { 'assay.dev/compliance-mode': 'compliance' }),
            withDeps(
              entity('service-b', {
                'assay.dev/compliance-mode': 'compliance',
              }),
              [A],
            ),
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            delivery: {
              canary: { intervalSeconds: 3600, frequencySeconds: 3600 },
              promotion: { rollbackEarlierWaves: true },
            },
          },
        }),
      ],
    });
  });
  afterAll(async () => {
    await backend.stop();
  });
  const server = () => backend.server;

  const post = (path: string, user: string, body: unknown) =>
    request(server())
      .post(path)
      .set('Authorization', as(user))
      .send(body as object);

  async function release(name: string, version: string, c: string) {
    const r = await post(`${ent(name)}/releases`, 'bob', {
      version,
      artifacts: artifacts(name, c),
    });
    expect(r.status).toBe(201);
    return r.body.hash as string;
  }

  async function promote(name: string, environment: string, hash: string) {
    const r = await post(`${ent(name)}/promotions`, 'alice', {
      environment,
      releaseHash: hash,
    });
    expect(r.status).toBe(201);
    if (r.body.status === 'awaiting-approval') {
      const ok = await post(
        `${api}/promotions/${r.body.id}/approvals`,
        'carol',
        {},
      );
      expect(ok.status).toBe(201);
      expect(ok.body.status).toBe('succeeded');
    } else {
      expect(r.body.status).toBe('succeeded');
    }
  }

  async function planUntil(id: string, done: (p: any) => boolean) {
    let last: any;
    for (let i = 0; i < 20; i++) {
      const r = await request(server())
        .get(`${api}/plans/${id}`)
        .set('Authorization', as('dan'));
      expect(r.status).toBe(200);
      last = r.body;
      // done, and every step's evidence record written
      if (done(r.body) && r.body.steps.every((s: any) => s.evidenceHash)) {
        return r.body;
      }
      await tick();
    }
    throw new Error(
      `plan ${id} did not get there: ${JSON.stringify(last, null, 1)}`,
    );
  }

  const deployed = async (name: string, environment: string) => {
    const r = await request(server())
      .get(ent(name))
      .set('Authorization', as('dan'));
    return r.body.environments.find((e: any) => e.name === environment)
      ?.deployed?.version;
  };

  it('previews, refuses non-owners, promotes in waves, and on a blocked service rolls the wave back', async () => {
    for (const ref of [A, B]) {
      for (const [category, summary] of Object.entries(healthyEvidence())) {
        await put(ref, category, summary);
      }
    }
    // the pipeline's signature verification of each image a release ships
    // (a release cites the signature naming its image digest)
    for (const [ref, c] of [
      [A, 'a'],
      [B, 'b'],
      [A, 'c'],
      [B, 'f'],
    ]) {
      await put(ref, 'signature', { verified: true, digest: digest(c) });
    }
    const a1 = await release('service-a', '1.0.0', 'a');
    const b1 = await release('service-b', '1.0.0', 'b');
    for (const [n, h] of [
      ['service-a', a1],
      ['service-b', b1],
    ]) {
      await promote(n, 'dev', h);
      await promote(n, 'staging', h);
    }
    await release('service-a', '1.1.0', 'c');
    await release('service-b', '1.1.0', 'f');

    // preview: waves from the catalog relation, every service's gates
    const preview = await post(`${api}/plans/preview`, 'dan', {
      entityRefs: [B, A],
      environment: 'dev',
    });
    expect(preview.status).toBe(200);
    expect(preview.body.waves).toEqual([[A], [B]]);
    expect(preview.body.previews[B]).toMatchObject({
      version: '1.1.0',
      evaluation: { allowed: true },
    });

    // bad input through the OpenAPI router: 400 naming the field
    for (const [body, field] of [
      [{ entityRefs: [A], environment: 'dev', extra: 1 }, 'extra'],
      [{ environment: 'dev' }, 'entityRefs'],
      [{ entityRefs: [A], environment: 7 }, 'environment'],
      [{ entityRefs: 'x', environment: 'dev' }, 'entityRefs'],
    ] as const) {
      const bad = await post(`${api}/plans`, 'alice', body);
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain(field);
    }

    // an environment the services do not have: 400 naming the field
    const unknownEnv = await post(`${api}/plans`, 'alice', {
      entityRefs: [A, B],
      environment: 'qa',
    });
    expect(unknownEnv.status).toBe(400);
    expect(unknownEnv.body.error.message).toMatch(
      /^environment: cannot promote .*'qa' is not an environment of/,
    );

    // dan owns neither: 403 naming both, nothing started
    const refused = await post(`${api}/plans`, 'dan', {
      entityRefs: [A, B],
      environment: 'dev',
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain(`${A}, ${B}`);

    // to dev: no approvals there; the task runs the waves
    const dev = await post(`${api}/plans`, 'alice', {
      entityRefs: [A, B],
      environment: 'dev',
    });
    expect(dev.status).toBe(201);
    const devDone = await planUntil(dev.body.id, p => p.status !== 'running');
    expect(devDone.status).toBe('succeeded');
    expect(await deployed('service-a', 'dev')).toBe('1.1.0');
    expect(await deployed('service-b', 'dev')).toBe('1.1.0');
    const [a, b] = devDone.waves.map((w: any) => w.items[0]);
    const promotionA = await request(server())
      .get(`${api}/promotions/${a.promotionId}`)
      .set('Authorization', as('dan'));
    expect(promotionA.body).toMatchObject({
      planId: dev.body.id,
      status: 'succeeded',
    });
    expect(b.previousVersion).toBe('1.0.0');
    // plan steps are promotion evidence written by the plugin itself
    const steps = (await list(B, 'promotion')).items.filter(
      r => r.envelope.summary.kind === 'plan-step',
    );
    expect(steps.map(s => s.envelope.summary.step).sort()).toEqual([
      'planned',
      'promote',
    ]);
    for (const s of steps) {
      expect(s.envelope.producer).toBe('service:plugin:delivery');
      expect(s.envelope.summary).toMatchObject({
        planId: dev.body.id,
        actor: 'user:default/alice',
        environment: 'dev',
      });
      expect(s.envelope.summary.outcome).toBeUndefined();
    }

    // to staging: service-a waits for an approval (the plan shows it)
    const staging = await post(`${api}/plans`, 'alice', {
      entityRefs: [A, B],
      environment: 'staging',
    });
    expect(staging.status).toBe(201);
    const waiting = await planUntil(
      staging.body.id,
      p => p.awaitingApproval.length > 0,
    );
    expect(waiting.awaitingApproval).toEqual([A]);
    // meanwhile service-b is rolled back in dev: 1.1.0 no longer runs in the
    // environment before staging, its path gate blocks it (a newer bad record
    // would not: the gates read the records the release cites)
    await put(B, 'coverage', { linePct: 41 });
    const devBack = await post(`${ent('service-b')}/rollback`, 'carol', {
      environment: 'dev',
      releaseHash: b1,
      reason: 'errors in dev',
    });
    expect(devBack.status).toBe(201);
    expect(devBack.body.status).toBe('rolled-back');
    const approve = await post(
      `${api}/promotions/${waiting.waves[0].items[0].promotionId}/approvals`,
      'carol',
      {},
    );
    expect(approve.status).toBe(201);
    const failed = await planUntil(
      staging.body.id,
      p => p.status !== 'running',
    );
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain(`${B} blocked`);
    // policy rollbackEarlierWaves: service-a goes back to the release it ran before
    expect(failed.waves.map((w: any) => w.items[0].status)).toEqual([
      'rolled-back',
      'blocked',
    ]);
    expect(await deployed('service-a', 'staging')).toBe('1.0.0');
    expect(await deployed('service-b', 'staging')).toBe('1.0.0');
    const rollback = await request(server())
      .get(`${api}/promotions/${failed.waves[0].items[0].rollbackPromotionId}`)
      .set('Authorization', as('dan'));
    expect(rollback.body).toMatchObject({
      kind: 'rollback',
      planId: staging.body.id,
      version: '1.0.0',
    });
    expect(failed.steps.map((s: any) => `${s.step}:${s.outcome}`)).toEqual([
      'planned:planned',
      'planned:planned',
      'approval-wait:awaiting-approval',
      'promote:succeeded',
      'promote:blocked',
      'rollback:rolled-back',
    ]);
  });
});
