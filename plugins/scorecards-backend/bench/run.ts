/* eslint-disable no-console */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { evidenceServiceRef } from '@assay/plugin-evidence-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { factsOfRule } from '@assay/plugin-scorecards-common';
import knexFactory from 'knex';
import { readScorecardsConfig } from '../src/config';
import { ConfigReader } from '@backstage/config';
import { scorecardsPlugin } from '../src/plugin';
import { ScorecardEngine } from '../src/service/ScorecardEngine';
import { DatabaseScorecardStore } from '../src/store/DatabaseScorecardStore';
import { recordingEvents } from '../src/__testUtils__/backend';
import { ALL_CHECKS, buildDataset, EXTRA_CHECKS } from './dataset';
import {
  assayFactRetriever,
  techInsightsChecksConfig,
  techInsightsRetrieverModule,
} from './techInsights';
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { writeSection } from '../../../scripts/bench/writeSection';

const N = Number(process.env.BENCH_ENTITIES ?? 10_000);
const OVERVIEW_REQUESTS = Number(process.env.BENCH_OVERVIEW_REQUESTS ?? 300);
const TI_PAGE_REQUESTS = 10;

const silent: any = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silent;
  },
};

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;

function sqlite(name: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${name}-`));
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'db.sqlite') },
    useNullAsDefault: true,
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await fn();
  return [out, performance.now() - t];
}

async function main() {
  console.log(`building ${N} entities × ${ALL_CHECKS.length} checks …`);
  const { entities, systems, evidence } = buildDataset(N);
  const catalogEntities = [...entities, ...systems];
  const user = mockCredentials.user.header('user:default/bench');

  // ---------------- Assay scorecards ----------------
  const knex = sqlite('scorecards');
  const config = readScorecardsConfig(
    new ConfigReader({
      scorecards: {
        additionalChecks: EXTRA_CHECKS,
        refresh: { initialDelaySeconds: 3600, catalogScanMinutes: 600 },
        recordCompliance: false,
      },
    }),
  );
  const store = await DatabaseScorecardStore.create({
    database: mockServices.database({ knex, migrations: { skip: false } }),
  });
  const engine = new ScorecardEngine({
    catalog: catalogServiceMock({ entities: catalogEntities }),
    evidence,
    auth: mockServices.auth(),
    store,
    config,
    logger: silent,
  });
  const refreshRuns: number[] = [];
  for (let i = 0; i < 3; i++) {
    const [summary, t] = await timed(() => engine.refreshAll());
    if (summary.entities !== N)
      throw new Error(`refreshed ${summary.entities}`);
    refreshRuns.push(t);
    console.log(`scorecards full refresh #${i + 1}: ${t.toFixed(0)} ms`);
  }
  const scRefresh = refreshRuns[0]; // cold: empty result store, nothing verified yet
  const scWarm = Math.min(...refreshRuns.slice(1));

  const backend = await startTestBackend({
    features: [
      scorecardsPlugin,
      catalogServiceMock.factory({ entities: catalogEntities }),
      createServiceFactory({
        service: evidenceServiceRef,
        deps: {},
        factory: () => evidence,
      }),
      createServiceFactory({
        service: eventsServiceRef,
        deps: {},
        factory: () => recordingEvents(),
      }),
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          scorecards: {
            additionalChecks: EXTRA_CHECKS,
            refresh: { initialDelaySeconds: 3600, catalogScanMinutes: 600 },
          },
        },
      }),
    ],
  });
  const base = `http://localhost:${
    (backend.server.address() as any).port
  }/api/scorecards/v1`;
  const queries = [
    'limit=50',
    'limit=50&orderBy=score&order=asc',
    'limit=50&orderBy=level&order=desc&offset=5000',
    'limit=50&owner=group:default/team-7',
    'limit=50&level=silver&orderBy=failing&order=desc',
    'limit=50&q=service-12',
    'limit=50&failingCheck=sbom-no-critical-high',
    'limit=50&system=system:default/system-3&mode=compliance',
  ];
  const get = async (url: string) => {
    const res = await fetch(url, { headers: { authorization: user } });
    if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  for (const q of queries) await get(`${base}/overview?${q}`); // warm-up
  const overviewTimes: number[] = [];
  for (let i = 0; i < OVERVIEW_REQUESTS; i++) {
    const [, t] = await timed(() =>
      get(`${base}/overview?${queries[i % queries.length]}`),
    );
    overviewTimes.push(t);
  }
  const first = (await get(`${base}/overview?limit=1`)) as any;
  const [, rollupT] = await timed(() => get(`${base}/rollups/team`));
  const [, csvT] = await timed(() =>
    fetch(`${base}/overview/export`, { headers: { authorization: user } }).then(
      r => r.text(),
    ),
  );
  await backend.stop();
  await knex.destroy();
  const scP95 = pct(overviewTimes, 95);
  console.log(
    `scorecards overview p50 ${ms(pct(overviewTimes, 50))} p95 ${ms(scP95)} (${
      first.totalCount
    } entities)`,
  );

  // ---------------- Backstage Tech Insights ----------------
  const factNames = [...new Set(ALL_CHECKS.flatMap(c => factsOfRule(c.rule)))];
  let retrieverStarted = 0;
  let storedAt = 0;
  const logs: string[] = [];
  const capture: any = {
    info(m: string) {
      logs.push(m);
      if (/^Stored \d+ facts for fact retriever assay-facts/.test(m))
        storedAt = performance.now();
    },
    warn(m: string, e?: unknown) {
      logs.push(`WARN ${m} ${e ?? ''}`);
    },
    error(m: string, e?: unknown) {
      logs.push(`ERROR ${m} ${e ?? ''}`);
    },
    debug() {},
    child() {
      return capture;
    },
  };
  const tiKnex = sqlite('tech-insights');
  const ti = await startTestBackend({
    features: [
      import('@backstage-community/plugin-tech-insights-backend'),
      import('@backstage-community/plugin-tech-insights-backend-module-jsonfc'),
      techInsightsRetrieverModule(
        assayFactRetriever(entities, systems, evidence, factNames, () => {
          retrieverStarted = performance.now();
        }),
      ),
      catalogServiceMock.factory({ entities: catalogEntities }),
      mockServices.database.factory({ knex: tiKnex }),
      // the test backend's scheduler: run the retriever's task (it has an initial delay) on start-up
      mockServices.scheduler.factory({
        includeInitialDelayedTasksOnStartup: true,
      }),
      createServiceFactory({
        service: coreServices.logger,
        deps: {},
        factory: () => capture,
      }),
      mockServices.rootConfig.factory({
        data: {
          techInsights: {
            factRetrievers: {
              'assay-facts': {
                cadence: '0 0 1 1 *',
                initialDelay: { seconds: 1 },
              },
            },
            factChecker: { checks: techInsightsChecksConfig(ALL_CHECKS) },
          },
        },
      }),
    ],
  });
  const tiBase = `http://localhost:${
    (ti.server.address() as any).port
  }/api/tech-insights`;
  const deadline = Date.now() + 600_000;
  while (!storedAt && Date.now() < deadline) {
    if (logs.some(l => l.startsWith('ERROR') || l.startsWith('WARN Failed'))) {
      throw new Error(
        `tech insights: ${logs.filter(l => /ERROR|WARN/.test(l)).join('\n')}`,
      );
    }
    await new Promise(r => setTimeout(r, 50));
  }
  const problems = logs.filter(l => /^(ERROR|WARN)/.test(l));
  if (problems.length || !retrieverStarted) {
    throw new Error(
      `tech insights fact retrieval: ${problems.join('\n') || 'did not run'}`,
    );
  }
  const tiFacts = storedAt - retrieverStarted;
  console.log(
    `tech insights: facts retrieved and stored in ${tiFacts.toFixed(0)} ms`,
  );
  const refs = entities.map(e => `component:default/${e.metadata.name}`);
  const runChecks = async (batch: string[]) => {
    const res = await fetch(`${tiBase}/checks/run`, {
      method: 'POST',
      headers: { authorization: user, 'content-type': 'application/json' },
      body: JSON.stringify({
        entities: batch,
        checks: ALL_CHECKS.map(c => c.id),
      }),
    });
    if (!res.ok)
      throw new Error(`checks/run: ${res.status} ${await res.text()}`);
    return (await res.json()) as any[];
  };
  // `entities: []` = every entity in Tech Insights' store (10,000 refs in the body exceed its 100 kB body limit)
  const [allResults, tiChecksAll] = await timed(() => runChecks([]));
  const errors = allResults.filter(r => r.error).length;
  const resultsPer = allResults[0]?.results?.length;
  console.log(
    `tech insights: checks for all ${
      refs.length
    } entities in ${tiChecksAll.toFixed(
      0,
    )} ms (${errors} errors, ${resultsPer} results each)`,
  );
  if (errors)
    throw new Error(
      `tech insights errors: ${JSON.stringify(
        allResults.find(r => r.error).error,
      )}`,
    );
  const pageTimes: number[] = [];
  for (let i = 0; i < TI_PAGE_REQUESTS; i++) {
    const page = refs.slice((i * 50) % N, ((i * 50) % N) + 50);
    pageTimes.push((await timed(() => runChecks(page)))[1]);
  }
  await ti.stop();
  await tiKnex.destroy();
  const tiPageP95 = pct(pageTimes, 95);
  const tiRefresh = tiFacts + tiChecksAll;

  const refreshRatio = tiRefresh / scRefresh;
  const overviewRatio = tiPageP95 / scP95;
  const status = (ok: boolean) => (ok ? 'met' : '**missed**');
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map(x => x.toFixed(1))
    .join(' / ');
  const body = [
    `Command: \`yarn bench:scorecards\` — 2026-11-30 — ${
      cpus.length
    } × ${cpus[0]?.model.trim()}, ${Math.round(
      os.totalmem() / 2 ** 30,
    )} GiB, Node ${
      process.version
    }, shared with the other helpers' jobs while measured (load average ${load} at the end of the run, on 2 cores: absolute times are inflated; both systems ran under the same load). ${N.toLocaleString(
      'en-US',
    )} components (50 teams, 200 systems, 20 domains) × ${
      ALL_CHECKS.length
    } checks (the 16 defaults + 9), ${evidence.chains.size.toLocaleString(
      'en-US',
    )} evidence chains of 5–8 records. Both systems run in the same process, one after the other, on SQLite files (better-sqlite3), with the same catalog (catalogServiceMock) and the same evidence: an in-memory implementation of \`evidenceServiceRef\` with real hash chains (the evidence store's own costs are in [Evidence store](#evidence-store)). Tech Insights is the real \`@backstage-community/plugin-tech-insights-backend\` 3.x + \`-module-jsonfc\` started with \`startTestBackend\`, fed by one fact retriever that produces the very facts Assay reads (same code), with the 25 checks translated to json-rules-engine conditions.`,
    '',
    '| benchmark | goal | Assay scorecards | Tech Insights | ratio | status |',
    '|---|---|---|---|---|---|',
    `| full refresh of ${N.toLocaleString('en-US')} entities × ${
      ALL_CHECKS.length
    } checks (Assay: catalog stream + evidence read + facts + evaluation + stored results and daily history; TI: fact retriever + fact insert, then \`POST /checks/run\` for every entity) | ≤ 5 s, ≥ 10× | cold (empty store) **${(
      scRefresh / 1000
    ).toFixed(2)} s**; steady state ${(scWarm / 1000).toFixed(
      2,
    )} s (runs: ${refreshRuns
      .map(t => (t / 1000).toFixed(2))
      .join(' / ')} s) | ${(tiRefresh / 1000).toFixed(2)} s (facts ${(
      tiFacts / 1000
    ).toFixed(2)} s + checks ${(tiChecksAll / 1000).toFixed(
      2,
    )} s) | **${refreshRatio.toFixed(1)}×** | ${status(
      scRefresh <= 5000,
    )} (5 s), ${status(refreshRatio >= 10)} (10×) |`,
    `| overview API at ${N.toLocaleString(
      'en-US',
    )} entities (Assay: \`GET /v1/overview\`, 8 filter/sort/page mixes, ${OVERVIEW_REQUESTS} requests over HTTP; TI stores no results, so one overview page = \`POST /checks/run\` for 50 entities, ${TI_PAGE_REQUESTS} pages) | p95 ≤ 100 ms, ≥ 10× | p50 ${ms(
      pct(overviewTimes, 50),
    )}, **p95 ${ms(scP95)}** | p50 ${ms(pct(pageTimes, 50))}, p95 ${ms(
      tiPageP95,
    )} | **${overviewRatio.toFixed(1)}×** | ${status(
      scP95 <= 100,
    )} (100 ms), ${status(overviewRatio >= 10)} (10×) |`,
    '',
    `Extras: Assay rollup per team ${ms(
      rollupT,
    )}, CSV export of all ${N.toLocaleString('en-US')} rows ${ms(
      csvT,
    )}. A Tech Insights overview sorted or filtered by result (what \`/v1/overview?orderBy=score\` answers) needs the checks of every entity: ${(
      tiChecksAll / 1000
    ).toFixed(2)} s per request.`,
  ].join('\n');
  if (N === 10_000) writeSection('Compliance scorecards', body); // small dev runs do not overwrite the figures
  console.log(body);
}

main().then(
  () => process.exit(0),
  e => {
    console.error(e);
    process.exit(1);
  },
);
