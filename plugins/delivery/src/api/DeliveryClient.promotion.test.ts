import { ResponseError } from '@backstage/errors';
import { registerMswTestHooks } from '@backstage/test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { DeliveryClient } from './DeliveryClient';

const server = setupServer();
registerMswTestHooks(server);

const BASE = 'http://backend/api/delivery';
const client = new DeliveryClient({
  discoveryApi: { getBaseUrl: async plugin => `http://backend/api/${plugin}` },
  fetchApi: { fetch: (...args) => fetch(...args) },
});

function record() {
  const seen: Array<{ method: string; path: string; body?: unknown }> = [];
  server.use(
    http.all(`${BASE}/*`, async ({ request }) => {
      const url = new URL(request.url);
      seen.push({
        method: request.method,
        path: url.pathname.replace('/api/delivery', '') + url.search,
        ...(request.method === 'POST' ? { body: await request.json() } : {}),
      });
      return HttpResponse.json({ items: [] });
    }),
  );
  return seen;
}

describe('DeliveryClient promotion routes', () => {
  it('reads under /v1/promotion with the lower-cased entity path and the query', async () => {
    const seen = record();
    await client.getPromotionOverview('Component:default/Service-A');
    await client.verifyRelease('component:default/service-a', 'ab/cd');
    await client.getPromotionHistory('component:default/service-a', {
      limit: 10,
      cursor: 'c 1',
    });
    await client.getPromotionHistory('component:default/service-a');
    await client.getPromotion('p1');
    await client.getPromotionKpis({ entityRef: 'component:default/service-a' });
    await client.getPromotionKpis();
    await client.listPlans({ limit: 5 });
    await client.getPlan('plan/1');
    expect(seen.map(s => `${s.method} ${s.path}`)).toEqual([
      'GET /v1/promotion/entities/component/default/service-a',
      'GET /v1/promotion/entities/component/default/service-a/releases/ab%2Fcd/verify',
      'GET /v1/promotion/entities/component/default/service-a/history?limit=10&cursor=c+1',
      'GET /v1/promotion/entities/component/default/service-a/history',
      'GET /v1/promotion/promotions/p1',
      'GET /v1/promotion/kpis?entityRef=component%3Adefault%2Fservice-a',
      'GET /v1/promotion/kpis',
      'GET /v1/promotion/plans?limit=5',
      'GET /v1/promotion/plans/plan%2F1',
    ]);
  });

  it('posts JSON bodies to the contract’s routes', async () => {
    const seen = record();
    const ref = 'component:default/service-a';
    await client.createRelease(ref, {
      version: '1.2.0',
      artifacts: [{ name: 'api', kind: 'image', digest: 'sha256:aa' }],
    });
    await client.previewPromotion(ref, {
      environment: 'staging',
      releaseHash: 'h1',
    });
    await client.promote(ref, { environment: 'staging', releaseHash: 'h1' });
    await client.approvePromotion('p1', { comment: 'looks good' });
    await client.approvePromotion('p2');
    await client.cancelPromotion('p3', { reason: 'wrong release' });
    await client.rollback(ref, {
      environment: 'prod',
      releaseHash: 'h0',
      reason: 'p95 regression',
    });
    await client.previewPlan({ entityRefs: [ref], environment: 'dev' });
    await client.startPlan({ entityRefs: [ref], environment: 'dev' });
    await client.abortPlan('plan1');
    const e = '/v1/promotion/entities/component/default/service-a';
    expect(seen).toEqual([
      {
        method: 'POST',
        path: `${e}/releases`,
        body: {
          version: '1.2.0',
          artifacts: [{ name: 'api', kind: 'image', digest: 'sha256:aa' }],
        },
      },
      {
        method: 'POST',
        path: `${e}/preview`,
        body: { environment: 'staging', releaseHash: 'h1' },
      },
      {
        method: 'POST',
        path: `${e}/promotions`,
        body: { environment: 'staging', releaseHash: 'h1' },
      },
      {
        method: 'POST',
        path: '/v1/promotion/promotions/p1/approvals',
        body: { comment: 'looks good' },
      },
      {
        method: 'POST',
        path: '/v1/promotion/promotions/p2/approvals',
        body: {},
      },
      {
        method: 'POST',
        path: '/v1/promotion/promotions/p3/cancel',
        body: { reason: 'wrong release' },
      },
      {
        method: 'POST',
        path: `${e}/rollback`,
        body: {
          environment: 'prod',
          releaseHash: 'h0',
          reason: 'p95 regression',
        },
      },
      {
        method: 'POST',
        path: '/v1/promotion/plans/preview',
        body: { entityRefs: [ref], environment: 'dev' },
      },
      {
        method: 'POST',
        path: '/v1/promotion/plans',
        body: { entityRefs: [ref], environment: 'dev' },
      },
      { method: 'POST', path: '/v1/promotion/plans/plan1/abort', body: {} },
    ]);
  });

  it('rejects a refused approval with the backend’s reason', async () => {
    server.use(
      http.post(`${BASE}/v1/promotion/promotions/:id/approvals`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message:
                'you requested this promotion; a different person must approve it',
            },
            request: {},
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    const error = await client.approvePromotion('p1').catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(403);
    expect(error.body.error.message).toBe(
      'you requested this promotion; a different person must approve it',
    );
  });
});
