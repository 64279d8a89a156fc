/* eslint-disable no-console */
/**
 * The served paths of `yarn bench:evidence` only (bench/large.ts without the
 * bundle export and the CLI's full verification): list page, inclusion
 * proof, health during /verify, CLI and browser incremental re-verification,
 * at BENCH_RECORDS records (default 200,000). Prints the figures with the
 * 1-minute load average; writes nothing.
 */
import os from 'node:os';
import { benchLarge } from './large';

async function main() {
  process.env.BENCH_LARGE_SKIP_BUNDLE = '1';
  const n = Number(process.env.BENCH_RECORDS ?? 200_000);
  const before = os.loadavg()[0];
  const l = await benchLarge(n);
  console.log(
    `[servedOnly] ${n} records: list p50 ${l.listP50.toFixed(
      2,
    )} / p95 ${l.listP95.toFixed(2)} ms; proof p50 ${l.proofP50.toFixed(
      3,
    )} / p95 ${l.proofP95.toFixed(3)} ms; health p99 ${l.healthP99.toFixed(
      1,
    )} ms (verify ${(l.verifyMs / 1000).toFixed(1)} s, ok ${
      l.verifyOk
    }); CLI incremental ${l.cliIncMs.toFixed(0)} ms (load ${l.loadAtInc.toFixed(
      2,
    )}); browser incremental ${l.browserIncMs?.toFixed(
      0,
    )} ms; load ${before.toFixed(2)} at the start, ${l.loadAtEnd.toFixed(
      2,
    )} at the end`,
  );
}

main().then(
  () => process.exit(0),
  e => {
    console.error(e);
    process.exit(1);
  },
);
