import { ResponseError } from '@backstage/errors';
import { registerMswTestHooks } from '@backstage/test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE_URL, errorResponse } from '../__testUtils__/fakeEvidenceLog';
import { EvidenceClient } from './EvidenceClient';

const server = setupServer();
registerMswTestHooks(server);

const client = new EvidenceClient({
  discoveryApi: { getBaseUrl: async () => BASE_URL },
  fetchApi: { fetch: (...args) => fetch(...args) },
});

describe('EvidenceClient', () => {
  it('sends the record filters as query parameters on a lowercased entity path', async () => {
    let seen: URL | undefined;
    server.use(
      http.get(
        `${BASE_URL}/v1/entities/:kind/:namespace/:name/records`,
        ({ request }) => {
          seen = new URL(request.url);
          return HttpResponse.json({ items: [], totalCount: 0 });
        },
      ),
    );
    await client.listRecords('Component:default/Service-A', {
      categories: ['tests', 'sbom'],
      since: '2025-01-01T00:00:00.000Z',
      subject: 'run-0412',
      cursor: '42',
      limit: 100,
      order: 'desc',
    });
    expect(seen!.pathname).toBe(
      '/api/evidence/v1/entities/component/default/service-a/records',
    );
    expect(Object.fromEntries(seen!.searchParams)).toEqual({
      category: 'tests,sbom',
      since: '2025-01-01T00:00:00.000Z',
      subject: 'run-0412',
      cursor: '42',
      limit: '100',
      order: 'desc',
    });
  });

  it('throws a ResponseError carrying the status and the backend message', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/entities/component/default/x/summary`, () =>
        errorResponse(
          403,
          'NotAllowedError',
          'You are not allowed to read evidence',
        ),
      ),
    );
    const error = await client.getSummary('component:default/x').catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(403);
    expect(error.body.error.message).toBe(
      'You are not allowed to read evidence',
    );
  });

  it('returns the checkpoint as text and artifacts as blobs', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/checkpoint`, () => HttpResponse.text('note\n')),
      http.get(`${BASE_URL}/v1/records/abc/artifacts/sha256%3A00`, () =>
        HttpResponse.arrayBuffer(new Uint8Array([1, 2, 3]).buffer),
      ),
    );
    expect(await client.getCheckpoint()).toBe('note\n');
    const blob = await client.getArtifact('abc', 'sha256:00');
    expect(blob.size).toBe(3);
  });
});
