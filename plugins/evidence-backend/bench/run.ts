/* eslint-disable no-console */
/**
 * yarn bench:evidence — the evidence store's three speed goals.
 * Writes its figures into docs/benchmarks.md (section "Evidence store").
 *
 *  1. verify 1M records from stored canonical bytes vs raw sha256 (goal ratio >= 0.5)
 *  2. HTTP append throughput, 16 concurrent writers, PostgreSQL (goal >= 1000/s, 0 lost)
 *  3. inclusion proof at 1M leaves, p95 (goal <= 2 ms)
 *
 * Env: BENCH_RECORDS (default 1000000), BENCH_APPENDS (default 20000),
 * BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING for (2).
 */
import crypto from 'node:crypto';
import os from 'node:os';
import {
  verifyChain,
  verifyChainIntegrity,
  canonicalJson,
  EvidenceEnvelope,
} from '@assay/plugin-evidence-common';
import { nativeSha256, nativeSha256Hex } from '../src/store/nodeHash';
import { writeSection } from './report';
import { benchAppends } from './appends';
import { benchProofs } from './proofs';

const N = Number(process.env.BENCH_RECORDS ?? 1_000_000);

function makeChain(
  n: number,
): Array<{ hash: string; canonical: string; bytes: Buffer }> {
  const out: Array<{ hash: string; canonical: string; bytes: Buffer }> = [];
  let prev: string | null = null;
  for (let i = 1; i <= n; i++) {
    const env: EvidenceEnvelope = {
      v: 1,
      entityRef: 'component:default/bench',
      seq: i,
      category: i % 2 ? 'tests' : 'coverage',
      subject: {
        commit: (i * 2654435761).toString(16).padStart(12, '0'),
        runId: `run-${i}`,
      },
      summary: {
        tests: 400 + (i % 50),
        failures: 0,
        skipped: i % 3,
        linePct: 83.1,
      },
      payloadDigest: null,
      artifacts: [
        {
          name: 'junit.xml',
          digest: `sha256:${'ab'.repeat(32)}`,
          size: 20431,
          mediaType: 'application/xml',
        },
      ],
      producer: 'service:external:ci-pipeline',
      producedAt: '2026-11-24T08:00:00.000Z',
      recordedAt: '2026-11-24T08:00:01.000Z',
      previousHash: prev,
    };
    const canonical = canonicalJson(env);
    const bytes = Buffer.from(canonical, 'utf8');
    const hash = crypto.createHash('sha256').update(bytes).digest('hex');
    out.push({ hash, canonical, bytes });
    prev = hash;
  }
  return out;
}

async function benchVerify() {
  console.log(`[verify] building ${N} chained records…`);
  const records = makeChain(N);
  const bytes = records.reduce((s, r) => s + r.bytes.length, 0);
  const hashOnly = () => {
    const t = process.hrtime.bigint();
    for (const r of records) (crypto as any).hash('sha256', r.bytes);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const verify = (fn: typeof verifyChain) => {
    const t = process.hrtime.bigint();
    const res = fn(records, {
      hash: nativeSha256,
      hashHex: nativeSha256Hex,
    } as any);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (!res.ok)
      throw new Error(`bench chain did not verify: ${JSON.stringify(res)}`);
    return ms;
  };
  hashOnly();
  verify(verifyChainIntegrity);
  const raw = Math.min(hashOnly(), hashOnly(), hashOnly());
  const ver = Math.min(
    verify(verifyChainIntegrity),
    verify(verifyChainIntegrity),
    verify(verifyChainIntegrity),
  );
  const full = verify(verifyChain);
  const ratio = raw / ver;
  console.log(
    `[verify] raw sha256 ${raw.toFixed(
      0,
    )} ms, verifyChainIntegrity ${ver.toFixed(0)} ms, ratio ${ratio.toFixed(
      2,
    )}; full verifyChain ${full.toFixed(0)} ms`,
  );
  return { n: N, mb: bytes / 1e6, raw, ver, ratio, full };
}

async function main() {
  const v = await benchVerify();
  const p = await benchProofs(N);
  const a = await benchAppends();
  const machine = `${os.cpus().length} × ${os
    .cpus()[0]
    .model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${
    process.version
  }`;
  const date = new Date().toISOString().slice(0, 10);
  const ok = (b: boolean) => (b ? 'met' : '**missed**');
  writeSection(
    'Evidence store',
    [
      `Command: \`yarn bench:evidence\` — ${date} — ${machine}`,
      '',
      '| benchmark | goal | result | status |',
      '|---|---|---|---|',
      `| verify ${v.n.toLocaleString('en')} records (${v.mb.toFixed(
        0,
      )} MB of canonical JSON as stored) vs raw \`crypto.hash('sha256')\` over the same bytes | ratio ≥ 0.5 | raw ${v.raw.toFixed(
        0,
      )} ms, \`verifyChainIntegrity\` ${v.ver.toFixed(
        0,
      )} ms, ratio **${v.ratio.toFixed(
        2,
      )}**; full structural \`verifyChain\` ${v.full.toFixed(0)} ms (ratio ${(
        v.raw / v.full
      ).toFixed(2)}) | ${ok(v.ratio >= 0.5)} |`,
      a
        ? `| HTTP append, 16 concurrent writers, PostgreSQL, ${a.n.toLocaleString(
            'en',
          )} records | ≥ 1,000 records/s, 0 lost | **${a.rate.toFixed(
            0,
          )} records/s**, ${a.lost} lost, chains verified: ${a.verified} | ${ok(
            a.rate >= 1000 && a.lost === 0 && a.verified,
          )} |`
        : '| HTTP append, 16 concurrent writers, PostgreSQL | ≥ 1,000 records/s, 0 lost | not run: BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING unset | – |',
      `| inclusion proof at ${p.n.toLocaleString('en')} leaves (${p.db}, ${
        p.samples
      } random leaves, incl. DB reads) | p95 ≤ 2 ms | p50 ${p.p50.toFixed(
        3,
      )} ms, **p95 ${p.p95.toFixed(3)} ms** | ${ok(p.p95 <= 2)} |`,
    ].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  e => {
    console.error(e);
    process.exit(1);
  },
);
