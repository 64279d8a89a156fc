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

describe('DeliveryClient', () => {
  it('reads config, runs (with limit) and one run under the entity path', async () => {
    const seen: string[] = [];
    server.use(
      http.get(
        `${BASE}/v1/entities/:kind/:ns/:name/canary/*`,
        ({ request }) => {
          seen.push(
            new URL(request.url).pathname + new URL(request.url).search,
          );
          return HttpResponse.json({ items: [], ok: true });
        },
      ),
    );
    await client.getCanaryConfig('component:default/Service-A');
    await client.listCanaryRuns('component:default/service-a', { limit: 20 });
    await client.getCanaryRun('component:default/service-a', 'run/1');
    expect(seen).toEqual([
      '/api/delivery/v1/entities/component/default/service-a/canary/config',
      '/api/delivery/v1/entities/component/default/service-a/canary/runs?limit=20',
      '/api/delivery/v1/entities/component/default/service-a/canary/runs/run%2F1',
    ]);
  });

  it('posts a start request and actions as JSON', async () => {
    const posts: Array<{ path: string; body: unknown; type: string | null }> =
      [];
    server.use(
      http.post(`${BASE}/*`, async ({ request }) => {
        posts.push({
          path: new URL(request.url).pathname,
          body: await request.json(),
          type: request.headers.get('content-type'),
        });
        return HttpResponse.json({ id: 'r1' }, { status: 201 });
      }),
    );
    await client.startCanaryRun('component:default/service-a', {
      version: '1.4.0',
      steps: [20, 100],
      simulation: 'degrading',
    });
    await client.actOnCanaryRun('component:default/service-a', 'r1', 'abort', {
      reason: 'p95 up',
    });
    await client.actOnCanaryRun('component:default/service-a', 'r1', 'resume');
    expect(posts).toEqual([
      {
        path: '/api/delivery/v1/entities/component/default/service-a/canary/runs',
        body: { version: '1.4.0', steps: [20, 100], simulation: 'degrading' },
        type: 'application/json',
      },
      {
        path: '/api/delivery/v1/entities/component/default/service-a/canary/runs/r1/abort',
        body: { reason: 'p95 up' },
        type: 'application/json',
      },
      {
        path: '/api/delivery/v1/entities/component/default/service-a/canary/runs/r1/resume',
        body: {},
        type: 'application/json',
      },
    ]);
  });

  it('rejects with a ResponseError carrying the backend error', async () => {
    server.use(
      http.post(`${BASE}/*`, () =>
        HttpResponse.json(
          {
            error: { name: 'ConflictError', message: 'a run is active' },
            request: { method: 'POST', url: '/runs' },
            response: { statusCode: 409 },
          },
          { status: 409 },
        ),
      ),
    );
    const error = await client
      .startCanaryRun('component:default/service-a', { version: '1' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(409);
    expect(error.body.error.message).toBe('a run is active');
  });
});
