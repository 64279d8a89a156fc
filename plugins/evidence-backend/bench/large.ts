/* eslint-disable no-console */
import Knex from 'knex';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Readable } from 'node:stream';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  canonicalJson,
  EvidenceEnvelope,
  fromBase64,
  parseCheckpoint,
  subtreeHash,
  toBase64,
} from '@assay/plugin-evidence-common';
import { DatabaseEvidenceStore } from '../src/store/DatabaseEvidenceStore';
import { evidencePlugin } from '../src/plugin';
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { run as runCli } from '../../../packages/cli/src/program';
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { defaultThreads } from '../../../packages/cli/src/bundleThreads';
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { verifyIntegrity } from '../../evidence/src/lib/verifyIntegrity';
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { createInMemoryCheckpointMemory } from '../../evidence/src/lib/checkpointMemory';

const hash = (d: string | Uint8Array): Buffer =>
  (crypto as any).hash('sha256', d, 'buffer');
const hex = (d: string | Uint8Array): string =>
  (crypto as any).hash('sha256', d);

export const ENTITY = 'component:default/bench';

export function envelope(i: number, prev: string | null): EvidenceEnvelope {
  return {
    v: 1,
    entityRef: ENTITY,
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
}

/**
 * A SQLite evidence database holding one entity with n records, written
 * directly (the append path's bytes: canonical envelopes, leaf and perfect
 * subtree hashes, log state, heads, counts) — appending 1M records through
 * HTTP would take the whole bench.
 */
export async function buildDatabase(n: number, file: string) {
  const knex = Knex({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
  });
  await DatabaseEvidenceStore.create({
    database: mockServices.database({ knex }),
  });
  await knex.raw('PRAGMA journal_mode = WAL');
  await knex.raw('PRAGMA synchronous = OFF');
  const levels: Buffer[][] = [[]];
  let prev: string | null = null;
  let rows: any[] = [];
  let canonicalBytes = 0;
  const flush = async () => {
    await knex.transaction(async tx => {
      for (let i = 0; i < rows.length; i += 2000) {
        await tx.batchInsert('evidence_records', rows.slice(i, i + 2000), 100);
      }
    });
    rows = [];
  };
  for (let i = 1; i <= n; i++) {
    const canonical = canonicalJson(envelope(i, prev));
    const h = hex(canonical);
    canonicalBytes += Buffer.byteLength(canonical);
    levels[0].push(
      hash(Buffer.concat([Buffer.from([0]), Buffer.from(canonical)])),
    );
    rows.push({
      leaf_index: i - 1,
      entity_ref: ENTITY,
      seq: i,
      category: i % 2 ? 'tests' : 'coverage',
      hash: h,
      canonical,
      recorded_at: '2026-11-24T08:00:01.000Z',
      subject_text: null,
      idempotency_key: null,
    });
    prev = h;
    if (rows.length === 50_000) {
      await flush();
      process.stdout.write(`\r[db] ${i} records`);
    }
  }
  if (rows.length) await flush();
  console.log('');
  for (let lvl = 0; levels[lvl].length > 1; lvl++) {
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < levels[lvl].length; i += 2) {
      next.push(
        hash(
          Buffer.concat([Buffer.from([1]), levels[lvl][i], levels[lvl][i + 1]]),
        ),
      );
    }
    levels.push(next);
  }
  await knex.transaction(async tx => {
    for (const [lvl, hashes] of levels.entries()) {
      for (let i = 0; i < hashes.length; i += 20_000) {
        await tx.batchInsert(
          'evidence_tree_nodes',
          hashes.slice(i, i + 20_000).map((h, k) => ({
            level: lvl,
            idx: i + k,
            hash: h.toString('hex'),
          })),
          300,
        );
      }
    }
  });
  const root = subtreeHash(0, n, (l, i) => levels[l][i]);
  await knex('evidence_log')
    .where({ id: 1 })
    .update({ tree_size: n, root_hash: Buffer.from(root).toString('hex') });
  await knex('evidence_heads').insert({
    entity_ref: ENTITY,
    seq: n,
    hash: prev,
    leaf_index: n - 1,
  });
  await knex('evidence_category_counts').insert([
    {
      entity_ref: ENTITY,
      category: 'tests',
      count: Math.ceil(n / 2),
      latest_seq: n % 2 ? n : n - 1,
    },
    {
      entity_ref: ENTITY,
      category: 'coverage',
      count: Math.floor(n / 2),
      latest_seq: n % 2 ? n - 1 : n,
    },
  ]);
  await knex.destroy();
  return { canonicalBytes };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
};

/** Incremental re-verification rounds (each after 1,000 new records). */
const INCREMENTAL_ROUNDS = 5;
const median = (xs: number[]) => pct(xs, 0.5);
const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;

function quietContext() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    ctx: {
      env: {},
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
    },
    out,
    err,
  };
}

/** Every figure measured against the one 1M-record entity. */
/** Raw `crypto` SHA-256 over a file's bytes, read in 4 MiB chunks: milliseconds. */
export function rawFileHashMs(file: string): number {
  const t = process.hrtime.bigint();
  const h = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(1 << 22);
  for (;;) {
    const got = fs.readSync(fd, buf, 0, buf.length, null);
    if (!got) break;
    h.update(buf.subarray(0, got));
  }
  fs.closeSync(fd);
  h.digest();
  return ms(t);
}

/** The evidence plugin over HTTP on the SQLite file `file` (the bench entity in its catalog). */
export async function serveDatabase(file: string) {
  const knex = Knex({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
  });
  const { server } = await startTestBackend({
    features: [
      evidencePlugin,
      catalogServiceMock.factory({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'bench', namespace: 'default' },
            spec: { owner: 'user:default/mock', type: 'service' },
          },
        ],
      }),
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: { backend: { baseUrl: 'http://localhost:7007' } },
      }),
    ],
  });
  return { knex, server };
}

export async function benchLarge(n: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-bench-large-'));
  const file = path.join(dir, 'evidence.sqlite');
  console.log(`[large] building a ${n}-record entity…`);
  const t0 = process.hrtime.bigint();
  const { canonicalBytes } = await buildDatabase(n, file);
  console.log(`[large] database built in ${(ms(t0) / 1000).toFixed(0)} s`);

  const { knex, server } = await serveDatabase(file);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const api = `${url}/api/evidence/v1`;
  const auth = { authorization: mockCredentials.user.header() };
  const get = async (p: string) => {
    const res = await fetch(`${api}${p}`, { headers: auth });
    if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
    return res;
  };
  const records = '/entities/component/default/bench/records';

  // list pages: newest page and keyset pages at random depths
  const list: number[] = [];
  for (let i = 0; i < 320; i++) {
    const cursor = i % 2 ? `&cursor=${1 + Math.floor(Math.random() * n)}` : '';
    const t = process.hrtime.bigint();
    await (await get(`${records}?limit=50${cursor}`)).json();
    if (i >= 20) list.push(ms(t));
  }
  const listP95 = pct(list, 0.95);
  console.log(
    `[large] list page p50 ${pct(list, 0.5).toFixed(
      2,
    )} ms, p95 ${listP95.toFixed(2)} ms`,
  );

  // inclusion proofs over HTTP at n leaves
  const proofs: number[] = [];
  for (let i = 0; i < 1200; i++) {
    const leaf = Math.floor(Math.random() * n);
    const t = process.hrtime.bigint();
    await (
      await get(`/proofs/inclusion?leafIndex=${leaf}&treeSize=${n}`)
    ).json();
    if (i >= 200) proofs.push(ms(t));
  }
  // the same from a verifier's own process (one keep-alive connection): the
  // loop above runs fetch on the server's event loop, so its latencies add
  // the client's work (undici: ~0.6 ms CPU per request) to the server's
  const outside = await promisify(execFile)(
    process.execPath,
    [
      path.join(__dirname, 'proofClient.js'),
      api,
      auth.authorization,
      String(n),
      '1000',
      '200',
    ],
    { maxBuffer: 1 << 22 },
  );
  const proofsOutside: number[] = JSON.parse(outside.stdout).latencies;
  const proofP95 = pct(proofsOutside, 0.95);
  console.log(
    `[large] proof from its own process p50 ${pct(proofsOutside, 0.5).toFixed(
      3,
    )} / p95 ${proofP95.toFixed(3)} ms; in-process fetch p50 ${pct(
      proofs,
      0.5,
    ).toFixed(3)} / p95 ${pct(proofs, 0.95).toFixed(3)} ms`,
  );

  // /verify (full first pass) while a health request runs every 20 ms
  const health: number[] = [];
  let verifying = true;
  const pinger = (async () => {
    while (verifying) {
      const t = process.hrtime.bigint();
      await (await get('/public-key')).json();
      health.push(ms(t));
      await new Promise(r => setTimeout(r, 20));
    }
  })();
  const tv = process.hrtime.bigint();
  const verdict = await (
    await get('/entities/component/default/bench/verify')
  ).json();
  const verifyMs = ms(tv);
  verifying = false;
  await pinger;
  const healthP99 = pct(health, 0.99);
  console.log(
    `[large] /verify ${JSON.stringify(verdict).slice(0, 80)} in ${(
      verifyMs / 1000
    ).toFixed(1)} s; health p99 ${healthP99.toFixed(1)} ms (${
      health.length
    } requests, max ${Math.max(...health).toFixed(1)} ms)`,
  );

  // export the bundle (streamed) and verify it with the CLI; skipped with
  // BENCH_LARGE_SKIP_BUNDLE=1 (the served paths only: list, proof, health,
  // incremental), a shorter run for changes to the server
  const skipBundle = process.env.BENCH_LARGE_SKIP_BUNDLE === '1';
  const full = skipBundle
    ? {
        bundleBytes: NaN,
        exportMs: NaN,
        rawFile: NaN,
        rawFileCpu: NaN,
        rawCanonical: NaN,
        cliMs: NaN,
        cliCpu: NaN,
        loadAtCli: NaN,
        cliThreads: NaN,
        cli1Ms: NaN,
        cli1Cpu: NaN,
        loadAtCli1: NaN,
      }
    : await bundleAndCli();

  async function bundleAndCli() {
    const bundleFile = path.join(dir, 'bundle.json');
    const te = process.hrtime.bigint();
    const res = await get('/entities/component/default/bench/bundle');
    await pipeline(
      Readable.fromWeb(res.body as any),
      fs.createWriteStream(bundleFile),
    );
    const exportMs = ms(te);
    const bundleBytes = fs.statSync(bundleFile).size;
    console.log(
      `[large] exported ${(bundleBytes / 1e6).toFixed(0)} MB in ${(
        exportMs / 1000
      ).toFixed(1)} s`,
    );

    // raw SHA-256 over the same bytes: the bundle file, and the canonical records
    const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
    const loadAtCli = os.loadavg()[0];
    let rawFileCpu = 0;
    const rawFile = (() => {
      const c0 = process.cpuUsage();
      const took = rawFileHashMs(bundleFile);
      rawFileCpu = cpuMs(process.cpuUsage(c0));
      return took;
    })();
    const rawCanonical = (() => {
      const items: string[] = [];
      let prev: string | null = null;
      for (let i = 1; i <= n; i++) {
        const c = canonicalJson(envelope(i, prev));
        prev = hex(c);
        items.push(c);
      }
      const t = process.hrtime.bigint();
      for (const c of items) (crypto as any).hash('sha256', c);
      return ms(t);
    })();
    // the CLI as users run it (worker threads, one per available core),
    // then the same on one thread (--threads 1)
    const verifyWith = async (extra: string[]) => {
      const cli = quietContext();
      const cc = process.cpuUsage();
      const tc = process.hrtime.bigint();
      const code = await runCli(
        ['evidence', 'verify', '--bundle', bundleFile, ...extra],
        cli.ctx,
      );
      const took = ms(tc);
      const cpu = cpuMs(process.cpuUsage(cc));
      if (code !== 0 || cli.err.length) {
        throw new Error(`CLI verify failed: ${cli.err.join('\n')}`);
      }
      return { took, cpu };
    };
    const cliThreads = defaultThreads();
    const { took: cliMs, cpu: cliCpu } = await verifyWith([]);
    const loadAtCli1 = os.loadavg()[0];
    const { took: cli1Ms, cpu: cli1Cpu } = await verifyWith(['--threads', '1']);
    console.log(
      `[large] CLI verify, one thread: ${(cli1Ms / 1000).toFixed(
        1,
      )} s (ratio ${(rawFile / cli1Ms).toFixed(3)}); CPU ${cli1Cpu.toFixed(
        0,
      )} ms; load ${loadAtCli1.toFixed(1)}`,
    );
    console.log(
      `[large] CLI verify (${cliThreads} threads) ${(cliMs / 1000).toFixed(
        1,
      )} s; raw sha256 of the file ${rawFile.toFixed(0)} ms (ratio ${(
        rawFile / cliMs
      ).toFixed(3)}), of the canonical records ${rawCanonical.toFixed(
        0,
      )} ms (ratio ${(rawCanonical / cliMs).toFixed(
        3,
      )}); CPU time: CLI ${cliCpu.toFixed(0)} ms, raw ${rawFileCpu.toFixed(
        0,
      )} ms (ratio ${(rawFileCpu / cliCpu).toFixed(
        3,
      )}); load ${loadAtCli.toFixed(1)}`,
    );
    return {
      bundleBytes,
      exportMs,
      rawFile,
      rawFileCpu,
      rawCanonical,
      cliMs,
      cliCpu,
      loadAtCli,
      cliThreads,
      cli1Ms,
      cli1Cpu,
      loadAtCli1,
    };
  }

  // incremental: remember the verified head, append 1,000, re-verify
  const note = await (await get('/checkpoint')).text();
  const cp = parseCheckpoint(note.slice(0, note.lastIndexOf('\n\n') + 1));
  const key = (await (await get('/public-key')).json()).verifierKey;
  const head = (await (await get(`${records}?limit=1`)).json()).items[0];
  const stateFile = path.join(dir, 'state.json');
  fs.writeFileSync(
    stateFile,
    JSON.stringify({
      version: 1,
      entityRef: ENTITY,
      origin: cp.origin,
      verifierKey: key,
      treeSize: cp.treeSize,
      rootHash: toBase64(cp.rootHash),
      head: { seq: n, hash: head.hash, leafIndex: head.leafIndex },
      verifiedAt: new Date().toISOString(),
    }),
  );
  const appendMany = async (count: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < count) {
          const i = next++;
          const r = await fetch(`${api}/records`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: JSON.stringify({
              entityRef: ENTITY,
              category: 'tests',
              summary: { i },
            }),
          });
          if (r.status !== 201) throw new Error(`append: ${r.status}`);
        }
      }),
    );
  };
  // INCREMENTAL_ROUNDS rounds (one sample varies by ±50 % on this VM):
  // 1,000 new records, then re-verification from the state the previous
  // round left; the median is the figure
  const loadAtInc = os.loadavg()[0];
  const cliIncAll: number[] = [];
  for (let round = 0; round < INCREMENTAL_ROUNDS; round++) {
    await appendMany(1000);
    const inc = quietContext();
    const ti = process.hrtime.bigint();
    const incCode = await runCli(
      [
        'evidence',
        'verify',
        '--entity',
        ENTITY,
        '--state',
        stateFile,
        '--url',
        url,
        '--token',
        mockCredentials.user.token(),
      ],
      inc.ctx,
    );
    cliIncAll.push(ms(ti));
    if (incCode !== 0)
      throw new Error(`incremental CLI verify failed: ${inc.err.join('\n')}`);
    console.log(
      `[large] CLI incremental (1,000 new) ${cliIncAll[round].toFixed(
        0,
      )} ms: ${inc.out.slice(-2).join(' | ')}`,
    );
  }
  const cliIncMs = median(cliIncAll);

  // the browser's code path (verifyIntegrity with a remembered checkpoint and head)
  let browserIncMs: number | undefined;
  let browserIncAll: number[] = [];
  try {
    browserIncAll = await benchBrowserIncremental(api, auth, n, appendMany);
    browserIncMs = median(browserIncAll);
  } catch (e) {
    console.log(`[large] browser incremental not measured: ${e}`);
  }

  server.close();
  await knex.destroy();
  // BENCH_LARGE_KEEP_BUNDLE=<file>: keep the exported bundle (e.g. for
  // bench/verifyFile.ts)
  const keep = process.env.BENCH_LARGE_KEEP_BUNDLE;
  if (keep && !skipBundle) fs.copyFileSync(path.join(dir, 'bundle.json'), keep);
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    n,
    canonicalMb: canonicalBytes / 1e6,
    bundleMb: full.bundleBytes / 1e6,
    listP95,
    listP50: pct(list, 0.5),
    proofP95,
    proofP50: pct(proofsOutside, 0.5),
    proofInProcessP50: pct(proofs, 0.5),
    proofInProcessP95: pct(proofs, 0.95),
    verifyMs,
    verifyOk: verdict.ok === true,
    healthP99,
    healthMax: Math.max(...health),
    healthCount: health.length,
    exportMs: full.exportMs,
    cliMs: full.cliMs,
    rawFile: full.rawFile,
    rawCanonical: full.rawCanonical,
    cliIncMs,
    cliIncAll,
    browserIncMs,
    browserIncAll,
    cliCpu: full.cliCpu,
    rawFileCpu: full.rawFileCpu,
    loadAtCli: full.loadAtCli,
    cliThreads: full.cliThreads,
    cli1Ms: full.cli1Ms,
    cli1Cpu: full.cli1Cpu,
    loadAtCli1: full.loadAtCli1,
    loadAtInc,
    loadAtEnd: os.loadavg()[0],
  };
}

/** verifyIntegrity (the Evidence tab's code) from a remembered checkpoint and head. */
async function benchBrowserIncremental(
  api: string,
  auth: Record<string, string>,
  n: number,
  appendMany: (count: number) => Promise<void>,
) {
  const call = async (p: string) => {
    const res = await fetch(`${api}${p}`, { headers: auth });
    if (!res.ok) throw new Error(`${p}: ${res.status}`);
    return res;
  };
  const entityPath = '/entities/component/default/bench';
  const client: any = {
    listRecords: async (_: string, q: any) =>
      (
        await call(
          `${entityPath}/records?${new URLSearchParams(
            Object.entries(q)
              .filter(([, v]) => v !== undefined)
              .map(([k, v]) => [k, String(v)]),
          )}`,
        )
      ).json(),
    getCheckpoint: async () => (await call('/checkpoint')).text(),
    getPublicKey: async () => (await call('/public-key')).json(),
    getInclusionProof: async (q: any) =>
      (
        await call(
          `/proofs/inclusion?leafIndex=${q.leafIndex}&treeSize=${q.treeSize}`,
        )
      ).json(),
    getConsistencyProof: async (q: any) =>
      (await call(`/proofs/consistency?from=${q.from}&to=${q.to}`)).json(),
    getHeadProof: async (_: string, treeSize: number) =>
      (await call(`${entityPath}/head-proof?treeSize=${treeSize}`)).json(),
    getIncrement: async (_: string, q: any) =>
      (
        await call(
          `${entityPath}/increment?after=${q.after}&treeSize=${q.treeSize}&window=${q.window}`,
        )
      ).json(),
  };
  const note = await client.getCheckpoint();
  const cp = parseCheckpoint(note.slice(0, note.lastIndexOf('\n\n') + 1));
  const key = (await client.getPublicKey()).verifierKey;
  const head = (await client.listRecords(ENTITY, { limit: 1, order: 'desc' }))
    .items[0];
  const memory = createInMemoryCheckpointMemory([
    [
      `entity:${ENTITY}`,
      {
        origin: cp.origin,
        treeSize: cp.treeSize,
        rootHash: toBase64(cp.rootHash),
        verifierKey: key,
        seenAt: new Date().toISOString(),
        head: {
          seq: head.envelope?.seq ?? JSON.parse(head.canonical).seq,
          hash: head.hash,
          leafIndex: head.leafIndex,
        },
      } as any,
    ],
  ]);
  const all: number[] = [];
  for (let round = 0; round < INCREMENTAL_ROUNDS; round++) {
    await appendMany(1000);
    const t = process.hrtime.bigint();
    const report = await verifyIntegrity({
      api: client,
      entityRef: ENTITY,
      memory,
    });
    const took = ms(t);
    if (report.status !== 'verified') {
      throw new Error(`browser path: ${JSON.stringify(report).slice(0, 300)}`);
    }
    console.log(
      `[large] browser incremental (1,000 new, ${
        report.checked
      } checked) ${took.toFixed(0)} ms`,
    );
    all.push(took);
  }
  void n;
  void fromBase64;
  return all;
}
