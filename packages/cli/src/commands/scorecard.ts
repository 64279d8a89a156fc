import fs from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import {
  EvidenceEnvelope,
  parseEntityRefStrict,
  sha256Hex,
} from '@assay/plugin-evidence-common';
import {
  EntityResult,
  EvidenceInput,
  replayResult,
} from '@assay/plugin-scorecards-common';
import { ConnectionOptions } from '../api';
import { CliContext, CliError } from '../context';

export interface ReplayOptions extends ConnectionOptions {
  pack: string;
  result?: string;
  entity?: string;
}

const RECORD = /^records\/(\d+)-([0-9a-f]{64})\.json$/;

/**
 * The records of an audit pack (zip or unpacked directory): every file
 * `records/<seq>-<hash>.json` must hash (SHA-256 of its exact bytes) to the
 * hash in its name.
 */
export async function readPackRecords(pack: string): Promise<{
  records: EvidenceInput[];
  entityRef?: string;
}> {
  let files: Record<string, Uint8Array>;
  try {
    const stat = await fs.stat(pack);
    if (stat.isDirectory()) {
      files = {};
      const dir = path.join(pack, 'records');
      for (const name of await fs.readdir(dir)) {
        files[`records/${name}`] = await fs.readFile(path.join(dir, name));
      }
      const bundle = path.join(pack, 'bundle.json');
      files['bundle.json'] = await fs
        .readFile(bundle)
        .catch(() => new Uint8Array());
    } else {
      files = unzipSync(await fs.readFile(pack));
    }
  } catch (e) {
    throw new CliError(
      `cannot read audit pack ${pack}: ${(e as Error).message}`,
    );
  }
  const records: EvidenceInput[] = [];
  for (const [name, bytes] of Object.entries(files)) {
    const m = RECORD.exec(name);
    if (!m) continue;
    if (sha256Hex(bytes) !== m[2]) {
      throw new CliError(
        `${name}: its bytes do not hash to the hash in its name`,
      );
    }
    records.push({
      envelope: JSON.parse(
        Buffer.from(bytes).toString('utf8'),
      ) as EvidenceEnvelope,
      hash: m[2],
    });
  }
  if (records.length === 0) {
    throw new CliError(`${pack}: no records/<seq>-<hash>.json in the pack`);
  }
  let entityRef: string | undefined;
  try {
    entityRef = JSON.parse(
      Buffer.from(files['bundle.json']).toString('utf8'),
    ).entityRef;
  } catch {
    entityRef = records[0].envelope.entityRef;
  }
  return { records, entityRef };
}

async function loadResult(
  options: ReplayOptions,
  entityRef: string,
  ctx: CliContext,
): Promise<EntityResult> {
  if (options.result) {
    try {
      return JSON.parse(await fs.readFile(options.result, 'utf8'));
    } catch (e) {
      throw new CliError(
        `cannot read ${options.result}: ${(e as Error).message}`,
      );
    }
  }
  const base = (
    options.url ??
    ctx.env.ASSAY_URL ??
    'http://localhost:7007'
  ).replace(/\/+$/, '');
  const token = options.token ?? ctx.env.ASSAY_TOKEN;
  const { kind, namespace, name } = parseEntityRefStrict(entityRef);
  const url = `${base}/api/scorecards/v1/entities/${[kind, namespace, name]
    .map(encodeURIComponent)
    .join('/')}`;
  let res: Response;
  try {
    res = await fetch(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  } catch (e) {
    throw new CliError(`cannot reach ${base}: ${(e as Error).message}`);
  }
  if (!res.ok) {
    throw new CliError(
      `GET ${url} failed with ${res.status}: ${(await res.text()).slice(
        0,
        300,
      )}`,
    );
  }
  return (await res.json()) as EntityResult;
}

/**
 * `assay scorecard replay`: recomputes an entity's stored scorecard result
 * from an audit pack's records with the pure scorecards code and says
 * whether it matches. Exit 0 on a match, 1 otherwise.
 */
export async function replayCommand(
  options: ReplayOptions,
  ctx: CliContext,
): Promise<number> {
  const { records, entityRef: packRef } = await readPackRecords(options.pack);
  const entityRef = options.entity ?? packRef;
  if (!entityRef)
    throw new CliError('--entity is required: the pack names no entity');
  const stored = await loadResult(options, entityRef, ctx);
  if (!stored?.replay || !Array.isArray(stored.checks)) {
    throw new CliError(
      'the stored result has no replay input (not a scorecards result?)',
    );
  }
  const out = replayResult(stored, records);
  ctx.out(`entity    ${stored.entityRef} (${stored.mode} mode)`);
  ctx.out(
    `stored    level ${stored.level}, score ${stored.score}, result ${stored.resultHash}`,
  );
  ctx.out(
    `replayed  level ${out.recomputed.level}, score ${out.recomputed.score}, result ${out.recomputed.resultHash}`,
  );
  ctx.out(
    `evidence  ${stored.inputs.length} record(s) cited, ${
      stored.inputs.length - out.missingEvidence.length
    } found in the pack (${records.length} records, head seq ${
      stored.replay.headSeq
    })`,
  );
  for (const h of out.missingEvidence) ctx.out(`  missing ${h}`);
  for (const d of out.differences) ctx.out(`  differs ${d}`);
  if (out.matches) {
    ctx.out(
      'MATCH: the stored result is exactly what the evidence and the checks give',
    );
    return 0;
  }
  ctx.out(
    'MISMATCH: the stored result is not what the evidence and the checks give',
  );
  return 1;
}
