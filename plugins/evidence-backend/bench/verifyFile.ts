/* eslint-disable no-console */
/**
 * The full-verification figure alone, on a bundle file already exported
 * (e.g. `BENCH_LARGE_KEEP_BUNDLE=/tmp/b.json yarn bench:evidence`, or
 * `BENCH_EXPORT=/tmp/b.json` below to build one):
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs \
 *     plugins/evidence-backend/bench/verifyFile.ts <bundle.json> [assay.cjs]
 *
 * In one run: raw SHA-256 (node:crypto) over the file's bytes, then
 * `assay evidence verify --bundle` in-process with the default threads and
 * with `--threads 1`, then (when given) the built single-file CLI
 * (`assay.cjs`, evidence-node's loadCliBundle) as a child process, both
 * ways. Load average next to each figure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { mockCredentials } from '@backstage/backend-test-utils';
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { run as runCli } from '../../../packages/cli/src/program';
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { defaultThreads } from '../../../packages/cli/src/bundleThreads';
import { buildDatabase, rawFileHashMs, serveDatabase } from './large';

const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
const load = () => os.loadavg()[0].toFixed(2);

/** Builds an n-record entity and exports its bundle to `file` (the served /bundle). */
async function exportBundle(n: number, file: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-bench-export-'));
  const db = path.join(dir, 'evidence.sqlite');
  await buildDatabase(n, db);
  const { knex, server } = await serveDatabase(db);
  const url = `http://127.0.0.1:${
    (server.address() as AddressInfo).port
  }/api/evidence/v1/entities/component/default/bench/bundle`;
  const t = process.hrtime.bigint();
  const res = await fetch(url, {
    headers: { authorization: mockCredentials.user.header() },
  });
  if (!res.ok) throw new Error(`bundle: ${res.status}`);
  await pipeline(Readable.fromWeb(res.body as any), fs.createWriteStream(file));
  console.log(
    `[verify-file] exported ${n} records (${(
      fs.statSync(file).size / 1e6
    ).toFixed(0)} MB) in ${(ms(t) / 1000).toFixed(1)} s`,
  );
  server.close();
  await knex.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}

async function inProcess(file: string, extra: string[]) {
  const err: string[] = [];
  const ctx = { env: {}, out: () => {}, err: (l: string) => err.push(l) };
  const c = process.cpuUsage();
  const t = process.hrtime.bigint();
  const code = await runCli(
    ['evidence', 'verify', '--bundle', file, ...extra],
    ctx,
  );
  const took = ms(t);
  const cu = process.cpuUsage(c);
  if (code !== 0 || err.length) throw new Error(err.join('\n'));
  return { took, cpu: (cu.user + cu.system) / 1000 };
}

function child(bin: string, file: string, extra: string[]) {
  const t = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [bin, 'evidence', 'verify', '--bundle', file, ...extra],
    { encoding: 'utf8', env: { PATH: process.env.PATH } },
  );
  const took = ms(t);
  if (r.status !== 0 || r.stderr) {
    throw new Error(`${bin}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  }
  return took;
}

async function main() {
  const [file, bin] = process.argv.slice(2);
  if (!file) throw new Error('usage: verifyFile.ts <bundle.json> [assay.cjs]');
  if (process.env.BENCH_EXPORT) {
    await exportBundle(Number(process.env.BENCH_EXPORT), file);
  }
  const mb = fs.statSync(file).size / 1e6;
  const threads = defaultThreads();
  const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
  for (let round = 0; round < rounds; round++) {
    const raw = rawFileHashMs(file);
    console.log(
      `[verify-file] ${mb.toFixed(0)} MB: raw sha256 ${raw.toFixed(
        0,
      )} ms (load ${load()})`,
    );
    for (const [label, extra] of [
      [`${threads} threads`, []],
      ['1 thread', ['--threads', '1']],
    ] as const) {
      const l = load();
      const { took, cpu } = await inProcess(file, [...extra]);
      console.log(
        `[verify-file] CLI in-process, ${label}: ${(took / 1000).toFixed(
          2,
        )} s (CPU ${(cpu / 1000).toFixed(2)} s) → ratio ${(raw / took).toFixed(
          3,
        )} (load ${l})`,
      );
    }
    if (bin) {
      for (const [label, extra] of [
        [`${threads} threads`, []],
        ['1 thread', ['--threads', '1']],
      ] as const) {
        const l = load();
        const took = child(bin, file, [...extra]);
        console.log(
          `[verify-file] built CLI ${path.basename(bin)}, ${label}: ${(
            took / 1000
          ).toFixed(2)} s → ratio ${(raw / took).toFixed(3)} (load ${l})`,
        );
      }
    }
  }
  process.exit(0);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
