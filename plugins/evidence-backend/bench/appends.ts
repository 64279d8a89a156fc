/* eslint-disable no-console */
import Knex from 'knex';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { AddressInfo } from 'node:net';
import { evidencePlugin } from '../src/plugin';

const WRITERS = 16;

/** 16 concurrent HTTP writers against the real router on PostgreSQL. */
export async function benchAppends() {
  const conn = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
  if (!conn) return undefined;
  const total = Number(process.env.BENCH_APPENDS ?? 20_000);
  const dbName = `assay_bench_${Date.now()}`;
  const admin = Knex({ client: 'pg', connection: conn });
  await admin.raw(`CREATE DATABASE ${dbName}`);
  const url = new URL(conn);
  url.pathname = `/${dbName}`;
  const knex = Knex({
    client: 'pg',
    connection: url.toString(),
    pool: { min: 2, max: 10 },
  });
  const { server } = await startTestBackend({
    features: [
      evidencePlugin,
      catalogServiceMock.factory({ entities: [] }),
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: { backend: { baseUrl: 'http://localhost:7007' } },
      }),
    ],
  });
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}/api/evidence/v1`;
  const auth = mockCredentials.user.header();
  const entities = ['a', 'b', 'c', 'd'].map(
    x => `component:default/bench-${x}`,
  );
  let next = 0;
  const failures: string[] = [];
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const res = await fetch(`${base}/records`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: auth },
          body: JSON.stringify({
            entityRef: entities[i % entities.length],
            category: 'tests',
            summary: { tests: i, failures: 0 },
            subject: { runId: `run-${i}` },
          }),
        });
        if (res.status !== 201)
          failures.push(`${res.status} ${await res.text()}`);
      }
    }),
  );
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const [{ n }] = await knex('evidence_records').count({ n: '*' });
  const stored = Number(n);
  let verified = true;
  for (const e of entities) {
    const [kind, rest] = e.split(':');
    const [ns, name] = rest.split('/');
    const v = await (
      await fetch(`${base}/entities/${kind}/${ns}/${name}/verify`, {
        headers: { authorization: auth },
      })
    ).json();
    verified = verified && v.ok === true;
  }
  console.log(
    `[appends] ${total} in ${secs.toFixed(2)} s = ${(total / secs).toFixed(
      0,
    )}/s, stored ${stored}, failures ${failures.length}, verified ${verified}`,
  );
  if (failures.length) console.log(failures.slice(0, 3));
  server.close();
  await knex.destroy();
  await admin.raw(`DROP DATABASE ${dbName}`);
  await admin.destroy();
  return {
    n: total,
    rate: total / secs,
    lost: total - stored,
    verified,
    failures: failures.length,
  };
}
