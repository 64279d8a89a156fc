// A local fake Kubernetes API server for Istio VirtualServices, run as a
// plain Node ESM process by the tests (so @kubernetes-models/istio, which is
// ESM-only, validates natively). Supports GET and JSON Patch (test / add /
// replace). Every patched object is validated with @kubernetes-models/istio
// before it is stored, plus the rules Istio's admission enforces on weights
// (integers 0..100 summing to 100 per route). Only weight paths may change.
// GET /__state returns { objects, requests, rejected } for assertions.
// Prints `listening <port>` on stdout.
import http from 'node:http';
import { VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1/VirtualService';

const objects = new Map();
for (const o of JSON.parse(process.argv[2] ?? '[]')) {
  objects.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
}
const requests = [];
const rejected = [];
let rv = 100;

const server = http.createServer((req, res) => {
  let raw = '';
  req.on('data', c => (raw += c));
  req.on('end', () => {
    const send = (code, obj) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    const status = (code, message) =>
      send(code, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        code,
        message,
      });
    if (req.url === '/__state') {
      return send(200, {
        objects: Object.fromEntries(objects),
        requests,
        rejected,
      });
    }
    let body;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return status(400, 'body is not JSON');
    }
    requests.push({
      method: req.method,
      url: req.url,
      contentType: req.headers['content-type'],
      authorization: req.headers.authorization,
      body,
    });
    const m =
      /^\/apis\/networking\.istio\.io\/v1\/namespaces\/([^/]+)\/virtualservices\/([^/?]+)/.exec(
        req.url,
      );
    if (!m) return status(404, 'not found');
    const key = `${m[1]}/${m[2]}`;
    const current = objects.get(key);
    if (!current) return status(404, `virtualservices "${m[2]}" not found`);
    if (req.method === 'GET') return send(200, current);
    if (req.method !== 'PATCH') return status(405, 'method not allowed');
    if (req.headers['content-type'] !== 'application/json-patch+json') {
      return status(
        415,
        `unsupported patch type ${req.headers['content-type']}`,
      );
    }
    if (!Array.isArray(body)) return status(400, 'JSON Patch must be an array');
    const next = structuredClone(current);
    for (const op of body) {
      const parts = String(op.path).split('/').slice(1);
      const parent = parts.slice(0, -1).reduce((o, p) => o?.[p], next);
      const leaf = parts[parts.length - 1];
      if (op.op === 'test') {
        if (JSON.stringify(parent?.[leaf]) !== JSON.stringify(op.value)) {
          return status(422, `test failed at ${op.path}`);
        }
      } else if (op.op === 'replace' || op.op === 'add') {
        if (!/^\/spec\/http\/\d+\/route\/\d+\/weight$/.test(op.path)) {
          rejected.push(`patch outside weights: ${op.path}`);
          return status(422, `unexpected path ${op.path}`);
        }
        if (
          parent === undefined ||
          (op.op === 'replace' && !(leaf in parent))
        ) {
          return status(422, `missing ${op.path}`);
        }
        parent[leaf] = op.value;
      } else {
        return status(422, `unsupported op ${op.op}`);
      }
    }
    try {
      new VirtualService(next).validate();
      for (const route of next.spec.http ?? []) {
        const ws = (route.route ?? []).map(d => d.weight ?? 0);
        if (ws.some(w => !Number.isInteger(w) || w < 0 || w > 100)) {
          throw new Error(`invalid weights ${JSON.stringify(ws)}`);
        }
        if (ws.length > 1 && ws.reduce((a, b) => a + b, 0) !== 100) {
          throw new Error(`weights must sum to 100, got ${JSON.stringify(ws)}`);
        }
      }
    } catch (e) {
      rejected.push(String(e.message ?? e));
      return status(422, String(e.message ?? e));
    }
    next.metadata.resourceVersion = String(++rv);
    objects.set(key, next);
    return send(200, next);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
