import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { EvidenceClient } from './client';

describe('EvidenceClient.appendMany', () => {
  let server: http.Server;
  let answer: (records: unknown[]) => unknown[];
  let baseUrl: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', c => (body += c));
      req.on('end', () => {
        const { records } = JSON.parse(body);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ items: answer(records) }));
      });
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise(r => server.close(r)));

  const client = () =>
    EvidenceClient.create({
      discovery: mockServices.discovery.mock({
        getBaseUrl: async () => baseUrl,
      }),
      auth: mockServices.auth(),
    });
  const requests = [1, 2, 3].map(i => ({
    entityRef: 'component:default/a',
    category: 'tests',
    summary: { i },
  }));

  it('returns one result per record, in order', async () => {
    answer = records => records.map((r: any) => ({ summary: r.summary }));
    const out = await client().appendMany(requests, {
      credentials: mockCredentials.service(),
    });
    expect(out.map((o: any) => o.summary.i)).toEqual([1, 2, 3]);
  });

  it('refuses an answer with another number of results than records sent', async () => {
    answer = records => records.slice(1);
    await expect(
      client().appendMany(requests, {
        credentials: mockCredentials.service(),
      }),
    ).rejects.toThrow('answered 2 results for 3 records');
  });
});

describe('EvidenceClient.remoteAccess and remoteReader', () => {
  it('hands out the base URL and a token for the evidence plugin, and a reader made from them sends that token', async () => {
    const seen: Array<{ url?: string; authorization?: string }> = [];
    const server = http.createServer((req, res) => {
      seen.push({ url: req.url, authorization: req.headers.authorization });
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          items: [{ entityRef: 'component:default/a', readable: true }],
          rest: [],
        }),
      );
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const baseUrl = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/evidence`;
    try {
      const client = EvidenceClient.create({
        discovery: mockServices.discovery.mock({
          getBaseUrl: async (id: string) =>
            id === 'evidence' ? baseUrl : 'http://wrong',
        }),
        auth: mockServices.auth(),
      });
      const credentials = mockCredentials.service('plugin:scorecards');
      const access = await client.remoteAccess({ credentials });
      expect(access.baseUrl).toBe(baseUrl);
      // a service token on behalf of the caller, for the evidence plugin
      expect(access.token).toBe(
        mockCredentials.service.token({
          onBehalfOf: credentials,
          targetPluginId: 'evidence',
        }),
      );
      // plain data: what a worker thread receives
      expect(structuredClone(access)).toEqual(access);

      const remote = EvidenceClient.remoteReader(access);
      const items = await remote.latestForEntities(['component:default/a'], {
        window: 5,
      });
      expect(items).toEqual([
        { entityRef: 'component:default/a', readable: true, records: [] },
      ]);
      expect(seen).toEqual([
        {
          url: '/api/evidence/v1/latest',
          authorization: `Bearer ${access.token}`,
        },
      ]);
    } finally {
      await new Promise(r => server.close(r));
    }
  });
});
