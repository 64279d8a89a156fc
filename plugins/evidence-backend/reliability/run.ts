/* eslint-disable no-console */
/**
 * yarn test:reliability — several processes, one database, a crash.
 *
 * Starts two evidence backend PROCESSES (reliability/server.ts) on one fresh
 * PostgreSQL database, on different ports; 16 writers (8 per process) append
 * records with idempotency keys; once a third is written, one process is
 * killed with SIGKILL mid-load and restarted. A writer whose request fails
 * retries the same request (same Idempotency-Key) on the other process.
 * Then it asserts: every acknowledged append (201, or 200 replay) is stored
 * with the seq, leaf index and hash it was acknowledged with; each write is
 * stored exactly once; no seq or leaf index is duplicated and both are
 * gapless; every chain verifies (`/verify`); the whole log verifies (root
 * recomputed from every record's canonical bytes = the stored root; the
 * signed checkpoint verifies).
 *
 * Needs BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING. Env
 * RELIABILITY_RECORDS (default 3000). `--write-docs` writes the figures into
 * docs/benchmarks.md.
 */
import Knex from 'knex';
import os from 'node:os';
import path from 'node:path';
import { ChildProcess, spawn } from 'node:child_process';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  fromBase64,
  generateSignerKey,
  leafHash,
  merkleRoot,
  openNote,
  parseCheckpoint,
  toHex,
  utf8Encode,
  verifierKeyFromSignerKey,
} from '@assay/plugin-evidence-common';
import { nativeSha256 } from '../src/store/nodeHash';
import { ENTITIES } from './entities';
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { writeSection } from '../../../scripts/bench/writeSection';

const TOTAL = Number(process.env.RELIABILITY_RECORDS ?? 3000);
const WRITERS = 16;
const auth = mockCredentials.user.header();

type Server = { name: string; url?: string; proc?: ChildProcess };

function startServer(server: Server, connection: string, key: string) {
  return new Promise<void>((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        path.join(__dirname, 'server.ts'),
        connection,
        key,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server.proc = proc;
    let out = '';
    let err = '';
    proc.stdout!.on('data', d => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m && !server.url) {
        server.url = `http://127.0.0.1:${m[1]}/api/evidence/v1`;
        resolve();
      }
    });
    proc.stderr!.on('data', d => {
      err += d;
    });
    proc.on('exit', code => {
      if (!server.url)
        reject(new Error(`${server.name} exited ${code}: ${err.slice(-2000)}`));
    });
  });
}

type Ack = {
  i: number;
  status: number;
  entityRef: string;
  hash: string;
  seq: number;
  leafIndex: number;
};

async function main() {
  const writeDocs = process.argv.includes('--write-docs');
  const conn = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
  if (!conn) {
    throw new Error(
      'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is not set (.ci/run and scripts/test.sh start PostgreSQL)',
    );
  }
  const dbName = `assay_reliability_${Date.now()}`;
  const admin = Knex({ client: 'pg', connection: conn });
  await admin.raw(`CREATE DATABASE ${dbName}`);
  const url = new URL(conn);
  url.pathname = `/${dbName}`;
  const connection = url.toString();
  const key = generateSignerKey('reliability.assay.dev/evidence');
  const servers: Server[] = [{ name: 'A' }, { name: 'B' }];
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) problems.push(what);
  };
  const knex = Knex({ client: 'pg', connection });
  try {
    // one after the other: the first runs the migrations
    await startServer(servers[0], connection, key);
    await startServer(servers[1], connection, key);
    console.log(`[reliability] A ${servers[0].url}, B ${servers[1].url}`);

    let next = 0;
    let done = 0;
    let retries = 0;
    const acks: Ack[] = [];
    let killedAt: number | undefined;
    let restartedAt: number | undefined;
    const t0 = Date.now();

    const post = async (target: Server, i: number) => {
      if (!target.url) throw new Error(`${target.name} is down`);
      const res = await fetch(`${target.url}/records`, {
        method: 'POST',
        headers: {
          authorization: auth,
          'content-type': 'application/json',
          'idempotency-key': `reliability-${i}`,
        },
        body: JSON.stringify({
          entityRef: ENTITIES[i % ENTITIES.length],
          category: 'tests',
          summary: { write: i },
        }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = await res.json();
      if (res.status >= 500) throw new Error(`${res.status}`);
      if (res.status !== 201 && res.status !== 200) {
        throw Object.assign(
          new Error(`${res.status} ${JSON.stringify(body)}`),
          {
            fatal: true,
          },
        );
      }
      return { status: res.status, body };
    };

    const writer = async (w: number) => {
      let preferred = w % 2;
      for (;;) {
        const i = next++;
        if (i >= TOTAL) return;
        for (let attempt = 0; ; attempt++) {
          try {
            const { status, body } = await post(servers[preferred], i);
            acks.push({
              i,
              status,
              entityRef: body.envelope.entityRef,
              hash: body.hash,
              seq: body.envelope.seq,
              leafIndex: body.leafIndex,
            });
            break;
          } catch (e) {
            if ((e as any).fatal) throw e;
            retries += 1;
            if (attempt > 200)
              throw new Error(`write ${i} never succeeded: ${e}`);
            preferred = 1 - preferred; // the other process
            await new Promise(r => setTimeout(r, 25));
          }
        }
        done += 1;
      }
    };

    const killer = (async () => {
      while (done < TOTAL / 3) await new Promise(r => setTimeout(r, 5));
      const a = servers[0];
      killedAt = Date.now() - t0;
      console.log(
        `[reliability] kill -9 A (pid ${a.proc!.pid}) after ${done} writes`,
      );
      a.url = undefined;
      a.proc!.kill('SIGKILL');
      await new Promise(r => setTimeout(r, 1000));
      await startServer(a, connection, key);
      restartedAt = Date.now() - t0;
      console.log(`[reliability] A restarted: ${a.url}`);
    })();

    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    await killer;
    const secs = (Date.now() - t0) / 1000;
    console.log(
      `[reliability] ${TOTAL} writes in ${secs.toFixed(1)} s (${(
        TOTAL / secs
      ).toFixed(0)}/s), ${retries} retries`,
    );

    // --- assertions ------------------------------------------------------
    const rows = await knex('evidence_records')
      .select(
        'leaf_index',
        'entity_ref',
        'seq',
        'hash',
        'canonical',
        'idempotency_key',
      )
      .orderBy('leaf_index');
    const byHash = new Map(rows.map(r => [r.hash, r]));
    const acked = new Map<number, Ack>();
    for (const a of acks) {
      const prev = acked.get(a.i);
      if (prev && prev.hash !== a.hash)
        problems.push(`write ${a.i} acknowledged twice with different records`);
      acked.set(a.i, a);
    }
    check(
      acked.size === TOTAL,
      `every write acknowledged (${acked.size}/${TOTAL})`,
    );
    const missing = [...acked.values()].filter(a => {
      const r = byHash.get(a.hash);
      return (
        !r ||
        Number(r.seq) !== a.seq ||
        Number(r.leaf_index) !== a.leafIndex ||
        r.entity_ref !== a.entityRef
      );
    });
    check(
      missing.length === 0,
      `every acknowledged append is stored with its seq, leaf index and hash (${missing.length} missing or different)`,
    );
    check(
      rows.length === TOTAL,
      `each write stored exactly once (${rows.length} records for ${TOTAL} writes)`,
    );
    const keys = new Set(rows.map(r => r.idempotency_key));
    check(keys.size === rows.length, 'no idempotency key stored twice');
    const leafOk = rows.every((r, i) => Number(r.leaf_index) === i);
    check(leafOk, 'leaf indexes unique and gapless (0…n−1)');
    let seqOk = true;
    for (const e of ENTITIES) {
      const seqs = rows
        .filter(r => r.entity_ref === e)
        .map(r => Number(r.seq))
        .sort((x, y) => x - y);
      seqOk &&= seqs.every((s, i) => s === i + 1);
    }
    check(seqOk, 'per entity: seqs unique and gapless (1…n)');

    const b = servers[1].url!;
    let chainsOk = true;
    for (const e of ENTITIES) {
      const [kind, rest] = e.split(':');
      const [ns, name] = rest.split('/');
      const v = await (
        await fetch(`${b}/entities/${kind}/${ns}/${name}/verify`, {
          headers: { authorization: auth },
        })
      ).json();
      const count = rows.filter(r => r.entity_ref === e).length;
      chainsOk &&= v.ok === true && v.checked === count;
    }
    check(
      chainsOk,
      `every chain verifies (/verify on ${ENTITIES.length} entities)`,
    );
    const root = merkleRoot(
      rows.map(r => leafHash(utf8Encode(r.canonical), nativeSha256)),
      nativeSha256,
    );
    const log = await knex('evidence_log').where({ id: 1 }).first();
    check(
      Number(log.tree_size) === rows.length && log.root_hash === toHex(root),
      'the log verifies: root recomputed from every record = stored root',
    );
    const note = await (
      await fetch(`${b}/checkpoint`, { headers: { authorization: auth } })
    ).text();
    const cp = parseCheckpoint(
      openNote(note, [verifierKeyFromSignerKey(key)]).text,
    );
    check(
      cp.treeSize === rows.length && toHex(cp.rootHash) === toHex(root),
      'the signed checkpoint verifies and commits to that root',
    );
    void fromBase64;

    if (writeDocs) {
      const machine = `${os.cpus().length} × ${os
        .cpus()[0]
        .model.trim()}, Node ${process.version}`;
      writeSection(
        'Evidence reliability',
        [
          `Command: \`yarn test:reliability\` (run by \`.ci/run\` via \`scripts/test.sh\`) — ${new Date()
            .toISOString()
            .slice(
              0,
              10,
            )} — ${machine}, PostgreSQL 15 (machine shared with other jobs).`,
          '',
          `Two evidence backend processes on one database, ${WRITERS} HTTP writers (8 per process, idempotency keys) appending ${TOTAL.toLocaleString(
            'en',
          )} records to ${
            ENTITIES.length
          } entities; process A killed with SIGKILL after a third of the writes (at ${(
            killedAt! / 1000
          ).toFixed(1)} s) and restarted (serving again at ${(
            restartedAt! / 1000
          ).toFixed(
            1,
          )} s); failed requests retried on the other process with the same key.`,
          '',
          '| figure | result |',
          '|---|---|',
          `| writes / time | ${TOTAL.toLocaleString('en')} in ${secs.toFixed(
            1,
          )} s (${(TOTAL / secs).toFixed(0)} records/s incl. the crash) |`,
          `| requests retried after the kill | ${retries} |`,
          `| acknowledged appends stored with their seq, leaf index and hash | ${
            TOTAL - missing.length
          } / ${TOTAL} |`,
          `| records stored (each write exactly once) | ${rows.length} |`,
          `| duplicated seq or leaf index | ${
            leafOk && seqOk ? 0 : 'some'
          } (both gapless: ${leafOk && seqOk}) |`,
          `| chains verified (\`/verify\`) / log root recomputed / checkpoint signature | ${chainsOk} / ${
            Number(log.tree_size) === rows.length &&
            log.root_hash === toHex(root)
          } / ${cp.treeSize === rows.length} |`,
          `| result | ${
            problems.length ? `**FAILED**: ${problems.join('; ')}` : 'passed'
          } |`,
        ].join('\n'),
      );
    }
  } finally {
    for (const s of servers) s.proc?.kill('SIGKILL');
    await knex.destroy();
    await new Promise(r => setTimeout(r, 500));
    await admin
      .raw(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
      .catch(() => undefined);
    await admin.destroy();
  }
  if (problems.length) {
    console.error(`reliability: FAILED: ${problems.join('; ')}`);
    process.exit(1);
  }
  console.log('reliability: passed');
  process.exit(0);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
