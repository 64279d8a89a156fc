/* eslint-disable no-console */
/**
 * yarn bench:evidence-heads — what binding entity heads to checkpoints costs.
 * Writes the section "Evidence heads" of docs/benchmarks.md.
 *
 * For BENCH_HEAD_ENTITIES (default 1000, 10000, 100000) entities with one
 * record each in a SQLite log: the time to sign a checkpoint for a new tree
 * size (read evidence_heads, build the heads tree, sign) next to signing
 * without the heads line, and a head proof served from the cached tree.
 */
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import fs from 'node:fs';
import knexFactory from 'knex';
import {
  generateSignerKey,
  verifyHeadProof,
  parseCheckpoint,
  openNote,
} from '@assay/plugin-evidence-common';
import { mockServices } from '@backstage/backend-test-utils';
import { DatabaseEvidenceStore } from '../src/store/DatabaseEvidenceStore';
import { EvidenceLog } from '../src/service/EvidenceLog';
import { prepared, testConfig } from '../src/store/testUtils';
import { writeSection } from './report';

const SIZES = (process.env.BENCH_HEAD_ENTITIES ?? '1000,10000,100000')
  .split(',')
  .map(Number);

const quietLogger: any = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return quietLogger;
  },
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function measure(entities: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-heads-bench-'));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'evidence.sqlite') },
    useNullAsDefault: true,
  });
  const store = await DatabaseEvidenceStore.create({
    database: mockServices.database({ knex }),
  });
  const key = generateSignerKey(testConfig.origin);
  const log = new EvidenceLog(
    store,
    { ...testConfig, signerKey: key },
    quietLogger,
  );
  await log.init();
  for (let i = 0; i < entities; i += 500) {
    await store.appendBatch(
      Array.from({ length: Math.min(500, entities - i) }, (_, j) =>
        prepared(`component:default/service-${i + j}`, i + j),
      ),
    );
  }
  const heads: number[] = [];
  const rest: number[] = [];
  const proofs: number[] = [];
  // the first tree: built from evidence_heads (O(entities)), yielding to
  // the event loop; its longest event-loop stall is measured
  const lag = monitorEventLoopDelay({ resolution: 1 });
  const t0 = performance.now();
  lag.enable();
  await log.headsTree((await store.getLogState()).treeSize);
  lag.disable();
  const full = performance.now() - t0;
  const stall = lag.max / 1e6;
  await log.checkpoint(); // signs the first size
  for (let round = 0; round < 3; round++) {
    // a new tree size: one more append, then the checkpoint is signed
    await log.append(prepared('component:default/service-0', round));
    const { treeSize } = await store.getLogState();
    let t = performance.now();
    await log.headsTree(treeSize); // updated from the previous size's tree
    heads.push(performance.now() - t);
    t = performance.now();
    const cp = await log.checkpoint(); // root check + sign (tree cached)
    rest.push(performance.now() - t);
    t = performance.now();
    const proof = await log.headProof(
      `component:default/service-${entities >> 1}`,
      cp.treeSize,
    );
    proofs.push(performance.now() - t);
    const checkpoint = parseCheckpoint(
      openNote(cp.note, [log.verifierKey]).text,
    );
    verifyHeadProof(proof, checkpoint, proof.entityRef);
  }
  await knex.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    entities,
    full,
    stall,
    heads: median(heads),
    rest: median(rest),
    proof: median(proofs),
  };
}

async function main() {
  const rows: string[] = [];
  for (const n of SIZES) {
    const r = await measure(n);
    console.log(r);
    rows.push(
      `| ${n.toLocaleString('en-US')} | ${r.full.toFixed(
        0,
      )} ms (longest event-loop stall ${r.stall.toFixed(
        1,
      )} ms) | ${r.heads.toFixed(1)} ms | ${r.rest.toFixed(
        1,
      )} ms | ${r.proof.toFixed(2)} ms |`,
    );
  }
  const load = os.loadavg()[0].toFixed(1);
  writeSection(
    'Evidence heads',
    [
      `Command: \`yarn bench:evidence-heads\` — ${new Date()
        .toISOString()
        .slice(0, 10)} — ${os.cpus().length} × ${
        os.cpus()[0]?.model ?? 'CPU'
      }, Node ${
        process.version
      }, SQLite; load average ${load} at the end (other jobs shared the machine).`,
      '',
      'Signing a checkpoint commits to a heads tree (one leaf per entity). The first tree a process needs is built from `evidence_heads` (O(entities), hashing in slices of 2,048 with a yield to the event loop between them); the tree of a later size is updated from the newest kept one with the heads that changed in between (O(appends since + changed × log entities)); the last 8 trees are kept, so a head proof is a lookup. Incremental, signing and proof figures: median of 3 new tree sizes (one append each).',
      '',
      '| entities | first heads tree (read `evidence_heads` + build) | heads tree for a new tree size (incremental) | rest of the signing (root check, Ed25519) | head proof (kept tree) |',
      '|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
