import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  PermissionEvaluator,
} from '@backstage/plugin-permission-common';
import { evidenceServiceRef } from '@assay/plugin-evidence-node';
import request from 'supertest';
import { deliveryPlugin } from './plugin';
import { RecordingEvidence } from './__testUtils__/harness';

jest.setTimeout(60_000);

const entity = (name: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, annotations },
  spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' },
});

/**
 * A permission service following the suite's convention in miniature:
 * `read` is allowed; every other delivery permission only when the test
 * says the caller owns the entity. Records what was asked.
 */
function permissionsFactory(state: {
  owner: boolean;
  read: boolean;
  asked: any[];
}) {
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: (): PermissionEvaluator =>
      ({
        async authorize(requests: any[]) {
          state.asked.push(...requests);
          return requests.map(r => ({
            result: (
              r.permission.attributes.action === 'read'
                ? state.read
                : state.owner
            )
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
          }));
        },
        async authorizeConditional(requests: any[]) {
          return requests.map(() => ({ result: AuthorizeResult.DENY }));
        },
      } as any),
  });
}

async function start(opts: { owner?: boolean; read?: boolean } = {}) {
  const state = {
    owner: opts.owner ?? true,
    read: opts.read ?? true,
    asked: [] as any[],
  };
  const evidence = new RecordingEvidence();
  const { server } = await startTestBackend({
    features: [
      deliveryPlugin,
      catalogServiceMock.factory({
        entities: [
          entity('service-a', { 'assay.dev/canary-steps': '20 → 60 → 100' }),
          entity('service-b'),
          entity('bad-steps', { 'assay.dev/canary-steps': '50,10' }),
        ],
      }),
      permissionsFactory(state),
      createServiceFactory({
        service: evidenceServiceRef,
        deps: {},
        factory: () => evidence as any,
      }),
      mockServices.rootConfig.factory({
        data: {
          backend: { baseUrl: 'http://localhost:7007' },
          delivery: {
            canary: { intervalSeconds: 3600, frequencySeconds: 3600 },
          },
        },
      }),
    ],
  });
  return { server, state, evidence };
}

const base = '/api/delivery/v1/entities/component/default/service-a/canary';

describe('delivery router', () => {
  it('serves the start dialog config with the annotation steps', async () => {
    const { server, state } = await start();
    const res = await request(server).get(`${base}/config`).expect(200);
    expect(res.body).toMatchObject({
      steps: [20, 60, 100],
      stepsSource: 'annotation',
      metricsProvider: 'simulator',
      trafficProvider: 'recorder',
      simulationAvailable: true,
      retries: 2,
    });
    expect(res.body.metrics.map((m: any) => m.name)).toEqual([
      'latency_p95',
      'error_rate',
      'cpu',
    ]);
    expect(state.asked[0]).toMatchObject({
      permission: { name: 'delivery.canary.read' },
      resourceRef: 'component:default/service-a',
    });
    const b = await request(server)
      .get(
        '/api/delivery/v1/entities/component/default/service-b/canary/config',
      )
      .expect(200);
    expect(b.body).toMatchObject({
      steps: [10, 50, 100],
      stepsSource: 'default',
    });
  });

  it('starts a run (201), refuses a second (409), lists and shows it, acts on it', async () => {
    const { server, evidence } = await start();
    const created = await request(server)
      .post(`${base}/runs`)
      .send({ version: '1.5.0', simulation: 'healthy' })
      .expect(201);
    expect(created.body).toMatchObject({
      entityRef: 'component:default/service-a',
      version: '1.5.0',
      baselineVersion: 'stable',
      status: 'running',
      requestedWeight: 20,
      currentStep: 0,
      createdBy: 'user:default/mock',
      simulation: 'healthy',
      demo: false,
    });
    expect(created.body.steps.map((s: any) => [s.weight, s.status])).toEqual([
      [20, 'running'],
      [60, 'pending'],
      [100, 'pending'],
    ]);
    expect(created.body.events[0]).toMatchObject({
      type: 'started',
      actor: 'user:default/mock',
    });
    expect(created.body.events[0].evidenceHash).toMatch(/^[0-9a-f]{64}$/);
    const id = created.body.id;

    const again = await request(server)
      .post(`${base}/runs`)
      .send({ version: '1.6.0' })
      .expect(409);
    expect(again.body.error.message).toMatch(/already active/);

    const list = await request(server).get(`${base}/runs`).expect(200);
    expect(list.body.activeRunId).toBe(id);
    expect(list.body.items.map((r: any) => r.id)).toEqual([id]);

    await request(server).get(`${base}/runs/${id}`).expect(200);
    // a run of another entity is not found under this one
    await request(server)
      .get(
        `/api/delivery/v1/entities/component/default/service-b/canary/runs/${id}`,
      )
      .expect(404);

    const paused = await request(server)
      .post(`${base}/runs/${id}/pause`)
      .send({ reason: 'checking dashboards' })
      .expect(200);
    expect(paused.body.status).toBe('paused');
    await request(server).post(`${base}/runs/${id}/pause`).send({}).expect(409);
    const resumed = await request(server).post(`${base}/runs/${id}/resume`);
    expect(resumed.body.error?.message).toBeUndefined();
    expect(resumed.status).toBe(200);
    const aborted = await request(server)
      .post(`${base}/runs/${id}/abort`)
      .send({ reason: 'wrong build' })
      .expect(200);
    expect(aborted.body).toMatchObject({
      status: 'aborted',
      requestedWeight: 0,
    });
    expect(aborted.body.causalChain).toMatchObject({
      actor: 'user:default/mock',
      step: 0,
      weight: 20,
    });
    expect(aborted.body.events.map((e: any) => e.type)).toEqual([
      'started',
      'paused',
      'resumed',
      'aborted',
    ]);
    expect(evidence.records.map(r => r.request.summary.decision)).toEqual([
      'started',
      'paused',
      'resumed',
      'aborted',
    ]);
    expect(evidence.records[3].request.summary.actor).toBe('user:default/mock');
  });

  it('answers 400 naming the field for bad input, and stores nothing', async () => {
    const { server } = await start();
    const cases: Array<[any, RegExp]> = [
      [{}, /version/],
      [{ version: 7 }, /version/],
      [{ version: '1', steps: [50, 10, 100] }, /steps\[1\]/],
      [{ version: '1', steps: [10, 50] }, /steps: the last step must be 100/],
      [{ version: '1', simulation: 'sideways' }, /simulation/],
      [{ version: '1', metrics: ['nope'] }, /metrics: unknown metric "nope"/],
      [{ version: '1', colour: 'red' }, /colour/],
    ];
    for (const [body, message] of cases) {
      const res = await request(server).post(`${base}/runs`).send(body);
      expect([JSON.stringify(body), res.status]).toEqual([
        JSON.stringify(body),
        400,
      ]);
      expect(res.body.error.message).toMatch(message);
    }
    const bad = await request(server)
      .post('/api/delivery/v1/entities/component/default/bad-steps/canary/runs')
      .send({ version: '1' })
      .expect(400);
    expect(bad.body.error.message).toMatch(/assay.dev\/canary-steps/);
    await request(server)
      .post('/api/delivery/v1/entities/component/default/ghost/canary/runs')
      .send({ version: '1' })
      .expect(404);
    const list = await request(server).get(`${base}/runs`).expect(200);
    expect(list.body.items).toEqual([]);
  });

  it('requires sign-in, lets non-owners read but not act (403 before anything happens)', async () => {
    const { server, state } = await start({ owner: false });
    await request(server)
      .get(`${base}/runs`)
      .set('authorization', mockCredentials.none.header())
      .expect(401);
    await request(server).get(`${base}/runs`).expect(200);
    const denied = await request(server)
      .post(`${base}/runs`)
      .send({ version: '1' })
      .expect(403);
    expect(denied.body.error.message).toMatch(/delivery.canary.start/);
    expect((await request(server).get(`${base}/runs`)).body.items).toEqual([]);
    // the owner starts one; a non-owner may not pause / resume / abort / promote it
    state.owner = true;
    const id = (
      await request(server)
        .post(`${base}/runs`)
        .send({ version: '1' })
        .expect(201)
    ).body.id;
    state.owner = false;
    for (const action of ['pause', 'resume', 'abort', 'promote']) {
      const res = await request(server)
        .post(`${base}/runs/${id}/${action}`)
        .send({})
        .expect(403);
      expect(res.body.error.message).toContain(`delivery.canary.${action}`);
    }
    expect((await request(server).get(`${base}/runs/${id}`)).body.status).toBe(
      'running',
    );
    // denied read: nothing is revealed, not even whether the run exists
    state.read = false;
    await request(server).get(`${base}/runs/${id}`).expect(403);
    await request(server).get(`${base}/runs/does-not-exist`).expect(403);
    await request(server).get(`${base}/config`).expect(403);
  });

  it('POST /v1/judge re-judges posted samples (what-if); 400 names the field', async () => {
    const { server } = await start();
    const same = Array.from({ length: 20 }, (_, i) => 100 + i);
    const ok = await request(server)
      .post('/api/delivery/v1/judge')
      .send({ metrics: [{ name: 'latency', canary: same, baseline: same }] })
      .expect(200);
    expect(ok.body).toMatchObject({ classification: 'Pass', score: 100 });
    expect(ok.body.metrics[0]).toMatchObject({
      name: 'latency',
      classification: 'Pass',
    });
    const worse = await request(server)
      .post('/api/delivery/v1/judge')
      .send({
        metrics: [
          {
            name: 'latency',
            direction: 'increase',
            canary: same.map(v => v * 2),
            baseline: same,
          },
        ],
        thresholds: { pass: 95, marginal: 75 },
      })
      .expect(200);
    expect(worse.body.classification).toBe('Fail');
    expect(worse.body.metrics[0].classification).toBe('High');
    expect(worse.body.metrics[0].reason).toMatch(/./);
    const bad = await request(server)
      .post('/api/delivery/v1/judge')
      .send({ metrics: [{ name: 'latency', canary: 'lots', baseline: same }] })
      .expect(400);
    expect(bad.body.error.message).toMatch(/canary/);
    await request(server)
      .post('/api/delivery/v1/judge')
      .set('authorization', mockCredentials.none.header())
      .send({ metrics: [] })
      .expect(401);
  });
});
