/* eslint-disable no-console */
import Knex from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { DatabaseEvidenceStore } from '../src/store/DatabaseEvidenceStore';
import { EvidenceLog } from '../src/service/EvidenceLog';
import { nativeSha256 } from '../src/store/nodeHash';
import { testConfig } from '../src/store/testUtils';
import { silentLogger } from './report';

/** Builds a 1M-leaf log directly in SQLite (nodes only), then times proofs. */
export async function benchProofs(n: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-bench-'));
  const knex = Knex({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'evidence.sqlite') },
    useNullAsDefault: true,
  });
  const store = await DatabaseEvidenceStore.create({
    database: mockServices.database({ knex }),
  });
  console.log(
    `[proofs] writing the perfect subtree hashes of a ${n}-leaf tree…`,
  );
  let level: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    level.push(
      Buffer.from(
        nativeSha256(
          Buffer.concat([Buffer.from([0]), Buffer.from(`leaf-${i}`)]),
        ),
      ),
    );
  }
  for (let lvl = 0; level.length > 0; lvl++) {
    const current = lvl;
    const rows = level.map((h, idx) => ({
      level: current,
      idx,
      hash: h.toString('hex'),
    }));
    await knex.transaction(async tx => {
      for (let i = 0; i < rows.length; i += 5000)
        await tx.batchInsert(
          'evidence_tree_nodes',
          rows.slice(i, i + 5000),
          300,
        );
    });
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      next.push(
        Buffer.from(
          nativeSha256(
            Buffer.concat([Buffer.from([1]), level[i], level[i + 1]]),
          ),
        ),
      );
    }
    level = next;
  }
  await knex('evidence_log').where({ id: 1 }).update({ tree_size: n });
  const log = new EvidenceLog(store, testConfig, silentLogger);
  await log.init();
  const samples = 2000;
  const times: number[] = [];
  for (let i = 0; i < samples + 200; i++) {
    const leaf = Math.floor(Math.random() * n);
    const t = process.hrtime.bigint();
    await log.inclusion(leaf, n);
    if (i >= 200) times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  const p50 = times[Math.floor(samples * 0.5)];
  const p95 = times[Math.floor(samples * 0.95)];
  console.log(`[proofs] p50 ${p50.toFixed(3)} ms, p95 ${p95.toFixed(3)} ms`);
  await knex.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
  return { n, samples, p50, p95, db: 'SQLite' };
}
