import { ResponseError } from '@backstage/errors';
import { registerMswTestHooks } from '@backstage/test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE_URL, errorResponse } from '../__testUtils__/fakeScorecards';
import { entityPath, ScorecardsClient } from './ScorecardsClient';

const server = setupServer();
registerMswTestHooks(server);

const client = new ScorecardsClient({
  discoveryApi: { getBaseUrl: async () => BASE_URL },
  fetchApi: { fetch: (...args) => fetch(...args) },
});

describe('ScorecardsClient', () => {
  it('addresses an entity by kind, namespace and name', () => {
    expect(entityPath('Component:default/Service-B')).toBe(
      '/v1/entities/component/default/Service-B',
    );
    expect(entityPath('component:my ns/a/b')).toBe(
      '/v1/entities/component/my%20ns/a%2Fb',
    );
  });

  it('sends overview filters, sorting and paging as query parameters', async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${BASE_URL}/v1/overview`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json({
          items: [],
          totalCount: 0,
          offset: 50,
          limit: 25,
          levels: { none: 0, bronze: 0, silver: 0, gold: 0 },
        });
      }),
    );
    await client.getOverview({
      owner: 'group:default/payments-team',
      level: 'gold',
      q: '',
      orderBy: 'score',
      order: 'desc',
      offset: 50,
      limit: 25,
    });
    expect(Object.fromEntries(url!.searchParams)).toEqual({
      owner: 'group:default/payments-team',
      level: 'gold',
      orderBy: 'score',
      order: 'desc',
      offset: '50',
      limit: '25',
    });
  });

  it('posts a waiver request as JSON', async () => {
    let body: unknown;
    let contentType: string | null = null;
    server.use(
      http.post(
        `${BASE_URL}/v1/entities/component/default/service-b/waivers`,
        async ({ request }) => {
          body = await request.json();
          contentType = request.headers.get('content-type');
          return HttpResponse.json({ id: 'w1' }, { status: 201 });
        },
      ),
    );
    await client.requestWaiver('component:default/service-b', {
      checkId: 'sbom',
      reason: 'vendor fix due next sprint',
      expiresAt: '2026-12-31T23:59:59.000Z',
    });
    expect(contentType).toBe('application/json');
    expect(body).toEqual({
      checkId: 'sbom',
      reason: 'vendor fix due next sprint',
      expiresAt: '2026-12-31T23:59:59.000Z',
    });
  });

  it('returns exports as text', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/controls/export`, ({ request }) =>
        HttpResponse.text(
          `format=${new URL(request.url).searchParams.get('format')}`,
        ),
      ),
    );
    await expect(client.exportControls({ format: 'json' })).resolves.toBe(
      'format=json',
    );
  });

  it('throws a ResponseError carrying the status and the server message', async () => {
    server.use(
      http.post(`${BASE_URL}/v1/waivers/w1/approve`, () =>
        errorResponse(403, 'NotAllowedError', 'approver is the requester'),
      ),
    );
    const error = await client.approveWaiver('w1').catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(403);
    expect(error.body.error.message).toBe('approver is the requester');
  });
});
