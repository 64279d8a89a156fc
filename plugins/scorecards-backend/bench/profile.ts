/* eslint-disable no-console */
// Profiling harness: the Assay full refresh only (no Tech Insights, no HTTP).
// node --cpu-prof --require @backstage/cli/config/nodeTransform.cjs plugins/scorecards-backend/bench/profile.ts
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import knexFactory from 'knex';
import { readScorecardsConfig } from '../src/config';
import { ScorecardEngine } from '../src/service/ScorecardEngine';
import { DatabaseScorecardStore } from '../src/store/DatabaseScorecardStore';
import { benchCatalog } from './catalog';
import { buildDataset, EXTRA_CHECKS } from './dataset';

const N = Number(process.env.BENCH_ENTITIES ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const silent: any = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child: () => silent,
};

async function main() {
  const { entities, systems, evidence } = buildDataset(N);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-profile-'));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'db.sqlite') },
    useNullAsDefault: true,
  });
  const config = readScorecardsConfig(
    new ConfigReader({
      scorecards: {
        additionalChecks: EXTRA_CHECKS,
        recordCompliance: process.env.BENCH_RECORD === '1',
      },
    }),
  );
  const store = await DatabaseScorecardStore.create({
    database: mockServices.database({ knex, migrations: { skip: false } }),
  });
  const engine = new ScorecardEngine({
    catalog: benchCatalog([...entities, ...systems]),
    evidence,
    auth: mockServices.auth(),
    store,
    config,
    logger: silent,
  });
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    const s = await engine.refreshAll();
    const cpu = process.cpuUsage(c);
    console.log(
      `refresh #${i + 1}: ${(performance.now() - t).toFixed(0)} ms, CPU ${(
        (cpu.user + cpu.system) /
        1000
      ).toFixed(0)} ms (${s.entities} entities, ${s.changed} changed, ${
        s.written
      } written)`,
    );
  }
  await knex.destroy();
}

main().then(
  () => process.exit(0),
  e => {
    console.error(e);
    process.exit(1);
  },
);
