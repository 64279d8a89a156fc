import fs from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import {
  EvidenceEnvelope,
  parseEntityRefStrict,
  sha256Hex,
} from '@assay/plugin-evidence-common';
import {
  CheckDefinition,
  CompactEntityResult,
  EntityResult,
  EvidenceInput,
  isCompactResult,
  isRecordedResult,
  RecordedEntityResult,
  replayResult,
} from '@assay/plugin-scorecards-common';
import { ConnectionOptions } from '../api';
import { CliContext, CliError } from '../context';

export interface ReplayOptions extends ConnectionOptions {
  pack: string;
  result?: string;
  entity?: string;
  /**
   * The check definitions a compact or recorded result names by digest (a file: the
   * JSON of `GET /api/scorecards/v1/check-sets/{digest}`); fetched from the
   * backend when absent.
   */
  checks?: string;
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

type StoredResult = EntityResult | CompactEntityResult | RecordedEntityResult;

function connection(options: ReplayOptions, ctx: CliContext) {
  const base = (
    options.url ??
    ctx.env.ASSAY_URL ??
    'http://localhost:7007'
  ).replace(/\/+$/, '');
  const token = options.token ?? ctx.env.ASSAY_TOKEN;
  return { base, token };
}

async function getJson(
  options: ReplayOptions,
  ctx: CliContext,
  pathName: string,
): Promise<unknown> {
  const { base, token } = connection(options, ctx);
  const url = `${base}${pathName}`;
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
  return res.json();
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

/**
 * The stored result: a file (the entity API's JSON, a result, or a
 * `compliance` record's payload `{ actor, result }`, whose result is in the
 * full, compact or recorded form) or the entity API. For a payload, also
 * its bytes' digest (`sha256:<hex>`, as in an envelope's `payloadDigest`).
 */
async function loadResult(
  options: ReplayOptions,
  entityRef: string,
  ctx: CliContext,
): Promise<{ stored: StoredResult; payloadDigest?: string }> {
  if (options.result) {
    let bytes: Buffer;
    let json: any;
    try {
      bytes = await fs.readFile(options.result);
      json = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      throw new CliError(
        `cannot read ${options.result}: ${(e as Error).message}`,
      );
    }
    // a compliance record's payload wraps the result
    if (json && !json.replay && json.result?.replay) {
      return {
        stored: json.result,
        payloadDigest: `sha256:${sha256Hex(bytes)}`,
      };
    }
    return { stored: json };
  }
  const { kind, namespace, name } = parseEntityRefStrict(entityRef);
  const stored = (await getJson(
    options,
    ctx,
    `/api/scorecards/v1/entities/${[kind, namespace, name]
      .map(encodeURIComponent)
      .join('/')}`,
  )) as EntityResult;
  return { stored };
}

/**
 * The check set a compact or recorded result names by digest: `--checks <file>` (the
 * JSON of `GET /api/scorecards/v1/check-sets/{digest}` or the definitions
 * array) or fetched from that route. Whether it hashes to the digest is
 * checked by replayResult.
 */
async function loadCheckSet(
  options: ReplayOptions,
  digest: string,
  ctx: CliContext,
): Promise<CheckDefinition[]> {
  if (!/^[0-9a-f]{64}$/.test(digest)) {
    throw new CliError(`replay.checksDigest: '${digest}' is not a SHA-256`);
  }
  const json = (
    options.checks
      ? await readJson(options.checks)
      : await getJson(options, ctx, `/api/scorecards/v1/check-sets/${digest}`)
  ) as any;
  const checks = Array.isArray(json) ? json : json?.checks;
  if (!Array.isArray(checks)) {
    throw new CliError(
      `${
        options.checks ?? 'the check set'
      }: expected { checks: [...] } or an array of check definitions`,
    );
  }
  return checks;
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
  const { stored, payloadDigest } = await loadResult(options, entityRef, ctx);
  if (!stored?.replay || !Array.isArray(stored.checks)) {
    throw new CliError(
      'the stored result has no replay input (not a scorecards result?)',
    );
  }
  const digest =
    isCompactResult(stored) || isRecordedResult(stored)
      ? stored.replay.checksDigest
      : undefined;
  let checkSet: CheckDefinition[] | undefined;
  if (digest !== undefined) {
    checkSet = await loadCheckSet(options, digest, ctx);
  }
  let out: ReturnType<typeof replayResult>;
  try {
    out = replayResult(stored, records, checkSet);
  } catch (e) {
    throw new CliError(`cannot replay: ${(e as Error).message}`);
  }
  ctx.out(`entity    ${stored.entityRef} (${stored.mode} mode)`);
  if (isRecordedResult(stored)) {
    ctx.out(
      `form      recorded: each check's status; reasons, facts and evidence are recomputed, the result hash commits to them`,
    );
  }
  if (payloadDigest) {
    // a compliance record's payload file: is it the payload of a record in
    // the pack (whose envelope the chain and the checkpoint commit to)?
    const record = records.find(
      r => r.envelope.payloadDigest === payloadDigest,
    );
    ctx.out(
      record
        ? `record    the payload of ${record.envelope.category} record ${record.envelope.seq} (${record.hash}) in the pack`
        : `record    not the payload of a record in the pack (the file hashes to ${payloadDigest})`,
    );
  }
  if (checkSet && digest) {
    ctx.out(
      `checks    set ${digest} (${checkSet.length} definitions; they hash to the digest the result names)`,
    );
  }
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
