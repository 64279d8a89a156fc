import assert from 'node:assert/strict';
import { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createServer } from './server';

async function withServer(fn: (base: string) => Promise<void>) {
  const server = createServer().listen(0);
  await new Promise(resolve => server.once('listening', resolve));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.close();
  }
}

test('serves /healthz and /metrics', async () => {
  await withServer(async base => {
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.equal((await health.json()).status, 'ok');
    const metrics = await fetch(`${base}/metrics`);
    assert.match(await metrics.text(), /http_requests_total\{method="GET",path="\/healthz",status="200",track="stable"\} 1/);
  });
});

test('creates and lists items; a retried POST with the same Idempotency-Key creates one item', async () => {
  await withServer(async base => {
    const post = () =>
      fetch(`${base}/api/v1/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'k1' },
        body: JSON.stringify({ name: 'first' }),
      });
    const first = await post();
    assert.equal(first.status, 201);
    const created = await first.json();
    const retried = await (await post()).json();
    assert.equal(retried.id, created.id);
    const list = await (await fetch(`${base}/api/v1/items`)).json();
    assert.equal(list.items.length, 1);
    const one = await fetch(`${base}/api/v1/items/${created.id}`);
    assert.equal((await one.json()).name, 'first');
    assert.equal((await fetch(`${base}/api/v1/items/nope`)).status, 404);
  });
});

test('refuses an item without a name, naming the field', async () => {
  await withServer(async base => {
    const res = await fetch(`${base}/api/v1/items`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /^name:/);
  });
});
