import http from 'node:http';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const SERVICE = '${{ values.name }}';
const TRACK = process.env.SERVICE_TRACK ?? 'stable';

export function createServer(): http.Server {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests',
    labelNames: ['method', 'path', 'status', 'version'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'path', 'version'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  return http.createServer(async (req, res) => {
    const end = latency.startTimer();
    let status = 200;
    let path = req.url ?? '/';
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', service: SERVICE }));
    } else if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(status, { 'content-type': registry.contentType });
      res.end(await registry.metrics());
    } else {
      status = 404;
      path = 'other';
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found' }));
    }
    requests.inc({ method: req.method ?? 'GET', path, status: String(status), version: TRACK });
    end({ method: req.method ?? 'GET', path, version: TRACK });
  });
}
