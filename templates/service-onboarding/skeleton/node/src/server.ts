import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const SERVICE = '${{ values.name }}';
const TRACK = process.env.SERVICE_TRACK ?? 'stable';
const MAX_BODY_BYTES = 64 * 1024;

interface Item {
  id: string;
  name: string;
  createdAt: string;
}

class BodyTooLargeError extends Error {}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError());
        req.resume(); // drain, so the 413 reaches the client
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The HTTP API of ${{ values.name }}:
 * - `GET /healthz` (probes) and `GET /metrics` (Prometheus, through the sidecar agent);
 * - `GET /api/v1/items`, `GET /api/v1/items/<id>`, `POST /api/v1/items` with `{ "name": "…" }`.
 *   POST honours `Idempotency-Key`: a retried request returns the item created first.
 * Metrics: http_requests_total{method,path,status,track} and
 * http_request_duration_seconds{method,path,track}; `path` is the route, never the raw URL.
 */
export function createServer(): http.Server {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests',
    labelNames: ['method', 'path', 'status', 'track'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'path', 'track'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const items = new Map<string, Item>();
  const byIdempotencyKey = new Map<string, string>();

  return http.createServer(async (req, res) => {
    const end = latency.startTimer();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://localhost');
    let route = 'other';
    let status = 200;
    let body: unknown;
    let contentType = 'application/json';
    try {
      if (method === 'GET' && url.pathname === '/healthz') {
        route = '/healthz';
        body = { status: 'ok', service: SERVICE };
      } else if (method === 'GET' && url.pathname === '/metrics') {
        route = '/metrics';
        contentType = registry.contentType;
        body = await registry.metrics();
      } else if (url.pathname === '/api/v1/items') {
        route = '/api/v1/items';
        if (method === 'GET') {
          body = { items: [...items.values()] };
        } else if (method === 'POST') {
          const key = req.headers['idempotency-key'];
          const existing = typeof key === 'string' ? byIdempotencyKey.get(key) : undefined;
          if (existing) {
            body = items.get(existing);
          } else {
            let parsed: { name?: unknown };
            try {
              parsed = JSON.parse((await readBody(req)) || '{}');
            } catch {
              parsed = {};
            }
            if (typeof parsed.name !== 'string' || !parsed.name.trim()) {
              status = 400;
              body = { error: 'name: a non-empty string is required' };
            } else {
              const item = { id: randomUUID(), name: parsed.name, createdAt: new Date().toISOString() };
              items.set(item.id, item);
              if (typeof key === 'string') byIdempotencyKey.set(key, item.id);
              status = 201;
              body = item;
            }
          }
        } else {
          status = 405;
          body = { error: 'method not allowed' };
        }
      } else if (method === 'GET' && url.pathname.startsWith('/api/v1/items/')) {
        route = '/api/v1/items/:id';
        const item = items.get(url.pathname.slice('/api/v1/items/'.length));
        status = item ? 200 : 404;
        body = item ?? { error: 'not found' };
      } else {
        status = 404;
        body = { error: 'not found' };
      }
    } catch (e) {
      status = e instanceof BodyTooLargeError ? 413 : 500;
      body = { error: e instanceof BodyTooLargeError ? 'body too large' : String(e) };
    }
    res.writeHead(status, { 'content-type': contentType });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
    requests.inc({ method, path: route, status: String(status), track: TRACK });
    end({ method, path: route, track: TRACK });
  });
}
