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

describe('EvidenceClient.remoteWriter', () => {
  it('appends with the token of the access it was made from', async () => {
    const seen: Array<{ url?: string; authorization?: string; body: any }> = [];
    const server = http.createServer((req, res) => {
      let text = '';
      req.on('data', d => {
        text += d;
      });
      req.on('end', () => {
        const body = JSON.parse(text);
        seen.push({
          url: req.url,
          authorization: req.headers.authorization,
          body,
        });
        res.setHeader('content-type', 'application/json');
        res.statusCode = 201;
        const result = (i: number) => ({
          hash: `h${i}`,
          seq: i + 1,
          leafIndex: i,
        });
        res.end(
          JSON.stringify(
            req.url?.endsWith('/batch')
              ? {
                  items: body.records.map((_: unknown, i: number) => result(i)),
                }
              : result(0),
          ),
        );
      });
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const baseUrl = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/evidence`;
    try {
      const writer = EvidenceClient.remoteWriter({ baseUrl, token: 'tok-1' });
      const request = {
        entityRef: 'component:default/a',
        category: 'compliance',
        summary: { level: 'gold' },
        idempotencyKey: 'k-1',
      };
      const many = await writer.appendMany([
        request,
        { ...request, idempotencyKey: 'k-2' },
      ]);
      expect(many.map(r => r.hash)).toEqual(['h0', 'h1']);
      const one = await writer.append(request);
      expect(one.hash).toBe('h0');
      expect(seen.map(s => [s.url, s.authorization])).toEqual([
        ['/api/evidence/v1/records/batch', 'Bearer tok-1'],
        ['/api/evidence/v1/records', 'Bearer tok-1'],
      ]);
      expect(seen[0].body.records.map((r: any) => r.idempotencyKey)).toEqual([
        'k-1',
        'k-2',
      ]);
    } finally {
      await new Promise(r => server.close(r));
    }
  });
});
