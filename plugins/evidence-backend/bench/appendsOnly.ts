/* eslint-disable no-console */
/**
 * Only the HTTP append benchmark of `yarn bench:evidence` (bench/appends.ts:
 * 16 writers in a separate client process, PostgreSQL), for measuring
 * changes to the append path quickly. Prints the figure and the 1-minute
 * load average before and after; writes nothing.
 *
 *   BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING=… BENCH_APPENDS=8000 \
 *   node --require @backstage/cli/config/nodeTransform.cjs \
 *     plugins/evidence-backend/bench/appendsOnly.ts
 */
import os from 'node:os';
import { benchAppends } from './appends';

async function main() {
  const before = os.loadavg()[0];
  const a = await benchAppends();
  if (!a) {
    throw new Error(
      'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is not set',
    );
  }
  console.log(
    `[appendsOnly] ${a.rate.toFixed(0)}/s, lost ${a.lost}, failures ${
      a.failures
    }, verified ${a.verified}, server CPU ${a.serverCpuMs.toFixed(
      3,
    )} ms/append, client CPU ${a.clientCpuMs.toFixed(
      3,
    )} ms/append; load average ${before.toFixed(2)} before, ${os
      .loadavg()[0]
      .toFixed(2)} after`,
  );
}

main().then(
  () => process.exit(0),
  e => {
    console.error(e);
    process.exit(1);
  },
);
