/* eslint-disable no-console */
import Knex from 'knex';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
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
      catalogServiceMock.factory({
        // appends for entities the catalog does not know are refused
        entities: ['a', 'b', 'c', 'd'].map(x => ({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: `bench-${x}`, namespace: 'default' },
          spec: { owner: 'user:default/mock', type: 'service' },
        })),
      }),
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
  // the server keeps serving on this process's event loop meanwhile
  const cpu0 = process.cpuUsage();
  const client = await promisify(execFile)(
    process.execPath,
    [
      path.join(__dirname, 'appendClient.js'),
      base,
      auth,
      String(total),
      String(WRITERS),
    ],
    { maxBuffer: 1 << 20 },
  );
  const cpu = process.cpuUsage(cpu0);
  // CPU per append of the server process (all its threads) and of the client
  const serverCpuMs = (cpu.user + cpu.system) / 1000 / total;
  const { secs, failures, sample, cpuMs } = JSON.parse(client.stdout) as {
    secs: number;
    failures: number;
    sample: string[];
    cpuMs: number;
  };
  const clientCpuMs = cpuMs / total;
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
    )}/s, stored ${stored}, failures ${failures}, verified ${verified}; CPU per append: server ${serverCpuMs.toFixed(
      3,
    )} ms, client ${clientCpuMs.toFixed(3)} ms`,
  );
  if (failures) console.log(sample);
  server.close();
  await knex.destroy();
  await admin.raw(`DROP DATABASE ${dbName}`);
  await admin.destroy();
  return {
    n: total,
    rate: total / secs,
    lost: total - stored,
    verified,
    failures,
    serverCpuMs,
    clientCpuMs,
  };
}
