import assert from 'node:assert/strict';
import { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createServer } from './server';

test('serves /healthz and /metrics', async () => {
  const server = createServer().listen(0);
  await new Promise(resolve => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.equal((await health.json()).status, 'ok');
    const metrics = await fetch(`${base}/metrics`);
    assert.match(await metrics.text(), /http_requests_total/);
  } finally {
    server.close();
  }
});
