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
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { evidenceServiceRef } from '@assay/plugin-evidence-node';
import { evaluateArgoWebMetric, judge } from '@assay/plugin-delivery-common';
import { AddressInfo } from 'node:net';
import { deliveryPlugin } from './plugin';
import { RecordingEvidence } from './__testUtils__/harness';

jest.setTimeout(60_000);

/**
 * What Argo Rollouts' `web` metric provider does for one measurement
 * (metricproviders/webmetric): one HTTP request built from the template
 * (method, url, headers, `jsonBody` marshalled as JSON with
 * Content-Type: application/json); a non-2xx status is an Error; then the
 * body goes through delivery-common's `evaluateArgoWebMetric` (Argo's
 * JSONPath + successCondition / failureCondition evaluation).
 */
async function argoWebMeasurement(template: {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Array<{ key: string; value: string }>;
  jsonBody?: unknown;
  jsonPath?: string;
  successCondition?: string;
  failureCondition?: string;
}) {
  const headers: Record<string, string> = {};
  for (const h of template.headers ?? []) headers[h.key] = h.value;
  if (template.jsonBody !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(template.url, {
    method: template.method ?? 'GET',
    headers,
    body:
      template.jsonBody !== undefined
        ? JSON.stringify(template.jsonBody)
        : undefined,
  });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300) {
    return {
      phase: 'Error' as const,
      status: res.status,
      message: text,
      data: undefined as any,
    };
  }
  const m = evaluateArgoWebMetric(text, template);
  return { ...m, status: res.status, data: JSON.parse(text) };
}

async function start(allow: boolean) {
  const evidence = new RecordingEvidence();
  const asked: any[] = [];
  const { server } = await startTestBackend({
    features: [
      deliveryPlugin,
      catalogServiceMock.factory({ entities: [] }),
      createServiceFactory({
        service: coreServices.permissions,
        deps: {},
        factory: () =>
          ({
            async authorize(requests: any[]) {
              asked.push(...requests);
              return requests.map(() => ({
                result: allow ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
              }));
            },
            async authorizeConditional() {
              return [];
            },
          } as any),
      }),
      createServiceFactory({
        service: evidenceServiceRef,
        deps: {},
        factory: () => evidence as any,
      }),
      mockServices.rootConfig.factory({
        data: {
          backend: { baseUrl: 'http://localhost:7007' },
          delivery: { canary: { frequencySeconds: 3600 } },
        },
      }),
    ],
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/api/delivery/v1/argo/analysis`,
    evidence,
    asked,
  };
}

// An external access token of Argo Rollouts (service principal).
const argoAuth = [
  { key: 'Authorization', value: mockCredentials.service.header() },
];
const same = Array.from({ length: 30 }, (_, i) => 100 + (i % 9));

describe('Argo Rollouts web metric provider endpoint', () => {
  it('judges posted samples; the AnalysisTemplate successCondition reads result.pass', async () => {
    const { url, evidence, asked } = await start(true);
    const body = {
      entityRef: 'component:default/service-a',
      canaryVersion: 'rev-8f2c',
      baselineVersion: 'rev-71aa',
      metrics: [
        {
          name: 'latency_p95',
          direction: 'increase',
          canary: same,
          baseline: same,
        },
      ],
    };
    const healthy = await argoWebMeasurement({
      url,
      method: 'POST',
      headers: argoAuth,
      jsonBody: body,
      jsonPath: '{$}',
      successCondition: 'result.pass == true',
    });
    expect(healthy.phase).toBe('Successful');
    expect(healthy.data).toMatchObject({
      pass: true,
      classification: 'Pass',
      score: 100,
    });
    expect(asked[0]).toMatchObject({
      permission: { name: 'delivery.canary.analyze' },
      resourceRef: 'component:default/service-a',
    });

    const degraded = await argoWebMeasurement({
      url,
      method: 'POST',
      headers: argoAuth,
      jsonBody: {
        ...body,
        metrics: [{ ...body.metrics[0], canary: same.map(v => v * 1.6) }],
      },
      jsonPath: '{$.score}',
      successCondition: 'result >= 95',
    });
    expect(degraded.phase).toBe('Failed');
    expect(degraded.data.classification).toBe('Fail');
    expect(degraded.data.metrics[0]).toMatchObject({
      name: 'latency_p95',
      classification: 'High',
    });
    // the same verdict as the pure judge, and every verdict is canary evidence
    const pure = judge({
      metrics: [
        {
          name: 'latency_p95',
          direction: 'increase',
          canary: same.map(v => v * 1.6),
          baseline: same,
        },
      ],
      thresholds: { pass: 95, marginal: 75 },
    });
    expect(degraded.data.score).toBe(pure.score);
    expect(evidence.records).toHaveLength(2);
    expect(evidence.records[1].request).toMatchObject({
      entityRef: 'component:default/service-a',
      category: 'canary',
      subject: { version: 'rev-8f2c' },
      summary: { decision: 'argo-verdict', classification: 'Fail' },
    });
    expect(evidence.records[1].principal).toBe('plugin:delivery');
    expect(degraded.data.evidenceHash).toBe(evidence.records[1].hash);
  });

  it('without samples it judges the metrics provider over the window', async () => {
    const { url } = await start(true);
    const m = await argoWebMeasurement({
      url,
      method: 'POST',
      headers: argoAuth,
      jsonBody: {
        entityRef: 'component:default/service-a',
        canaryVersion: 'v2',
        baselineVersion: 'v1',
        windowSeconds: 120,
      },
      jsonPath: '{$}',
      successCondition: 'result.classification == "Pass"',
      failureCondition: 'result.classification == "Fail"',
    });
    expect(m.phase).toBe('Successful'); // the simulator's healthy default
    expect(m.data.metrics.map((x: any) => x.name)).toEqual([
      'latency_p95',
      'error_rate',
      'cpu',
    ]);
  });

  it('is an Error measurement without a token, without permission, or with a bad body', async () => {
    const denied = await start(false);
    const body = {
      entityRef: 'component:default/service-a',
      canaryVersion: 'v2',
      baselineVersion: 'v1',
    };
    // (the test backend's mock auth reads this header as "no credentials")
    const noToken = await argoWebMeasurement({
      url: denied.url,
      method: 'POST',
      headers: [{ key: 'Authorization', value: mockCredentials.none.header() }],
      jsonBody: body,
      successCondition: 'result.pass == true',
    });
    expect(noToken).toMatchObject({ phase: 'Error', status: 401 });
    const forbidden = await argoWebMeasurement({
      url: denied.url,
      method: 'POST',
      headers: argoAuth,
      jsonBody: body,
      successCondition: 'result.pass == true',
    });
    expect(forbidden).toMatchObject({ phase: 'Error', status: 403 });
    expect(denied.evidence.records).toHaveLength(0);

    const allowed = await start(true);
    const bad = await argoWebMeasurement({
      url: allowed.url,
      method: 'POST',
      headers: argoAuth,
      jsonBody: { ...body, entityRef: 'not a ref' },
      successCondition: 'result.pass == true',
    });
    expect(bad).toMatchObject({ phase: 'Error', status: 400 });
    expect(bad.message).toMatch(/entityRef/);
    const missing = await argoWebMeasurement({
      url: allowed.url,
      method: 'POST',
      headers: argoAuth,
      jsonBody: { entityRef: 'component:default/service-a' },
      successCondition: 'result.pass == true',
    });
    expect(missing).toMatchObject({ phase: 'Error', status: 400 });
    expect(missing.message).toMatch(/canaryVersion/);
  });
});
