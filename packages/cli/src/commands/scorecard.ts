import fs from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import {
  BundleVerification,
  EvidenceBundle,
  EvidenceEnvelope,
  normalizeEntityRef,
  parseEntityRefStrict,
  sha256Hex,
  verifyBundle,
} from '@assay/plugin-evidence-common';
import {
  assertStoredResult,
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
import { readBundleFile } from '../bundleFile';
import { nativeHash } from '../bundleStream';
import { CliContext, CliError } from '../context';
import { checkPinnedKey } from './verify';

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
  /** the log verifier key trusted (else ASSAY_PUBLIC_KEY, else the pack's own, not pinned) */
  publicKey?: string;
  /** replay a result that is not a compliance record's payload (e.g. the entity API's) */
  unbound?: boolean;
}

/** Exit codes of `assay scorecard replay`. */
export const REPLAY_EXIT = { match: 0, notMatched: 1, error: 2 } as const;

const RECORD = /^records\/(\d+)-([0-9a-f]{64})\.json$/;

/** The producer of the records the scorecards backend writes with its own credentials. */
export const SCORECARDS_PRODUCER = 'service:plugin:scorecards';

/** An audit pack, verified as `assay evidence verify` verifies it. */
export type VerifiedPack = {
  bundle: EvidenceBundle;
  verification: BundleVerification;
  pinned: boolean;
  /** The bundle's records (their hashes are checked by the verification). */
  records: EvidenceInput[];
  /** Why the pack cannot be trusted, in words; empty when it verifies. */
  problems: string[];
};

/**
 * Reads an audit pack (zip or unpacked directory) and verifies it with the
 * code of `assay evidence verify`: the bundle's hash chain, every record's
 * inclusion proof and the signed checkpoint (against `pinnedKey` when
 * given). The records replayed are the bundle's; every `records/<seq>-<hash>.json`
 * file must be the exact bytes of the bundle's record with that hash, so
 * a record added to the zip is refused rather than read. Throws CliError
 * only when the pack cannot be read.
 */
export async function readVerifiedPack(
  pack: string,
  pinnedKey: string | undefined,
): Promise<VerifiedPack> {
  let files: Record<string, Uint8Array>;
  let bundleFile = pack;
  try {
    const stat = await fs.stat(pack);
    if (stat.isDirectory()) {
      files = {};
      const dir = path.join(pack, 'records');
      const names = await fs.readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        files[`records/${name}`] = await fs.readFile(path.join(dir, name));
      }
      bundleFile = path.join(pack, 'bundle.json');
    } else {
      files = unzipSync(await fs.readFile(pack), {
        filter: f => f.name.startsWith('records/'),
      });
    }
  } catch (e) {
    throw new CliError(
      `cannot read audit pack ${pack}: ${(e as Error).message}`,
    );
  }
  const bundle = await readBundleFile(bundleFile);
  const problems: string[] = [];
  let pinned = false;
  try {
    pinned = checkPinnedKey(bundle, pinnedKey);
  } catch (e) {
    problems.push((e as Error).message);
  }
  let verification: BundleVerification;
  try {
    verification = verifyBundle(bundle, nativeHash.hash, nativeHash.hashHex);
  } catch (e) {
    throw new CliError(`${pack}: ${(e as Error).message}`);
  }
  if (!verification.ok) {
    const first = verification.chain.ok
      ? verification.failures[0]
      : verification.chain.firstBad ?? verification.failures[0];
    problems.push(
      `the pack does not verify: ${
        first?.seq !== undefined ? `record #${first.seq}: ` : ''
      }${first?.reason ?? 'chain or checkpoint'}`,
    );
  }
  const records: EvidenceInput[] = [];
  const canonicalByHash = new Map<string, string>();
  for (const r of bundle.records) {
    canonicalByHash.set(r.hash, r.canonical);
    try {
      records.push({
        envelope: JSON.parse(r.canonical) as EvidenceEnvelope,
        hash: r.hash,
      });
    } catch {
      problems.push(`bundle record ${r.hash}: not JSON`);
    }
  }
  for (const [name, bytes] of Object.entries(files)) {
    const m = RECORD.exec(name);
    if (!m) continue;
    if (sha256Hex(bytes) !== m[2]) {
      problems.push(`${name}: its bytes do not hash to the hash in its name`);
    } else if (
      canonicalByHash.get(m[2]) !== Buffer.from(bytes).toString('utf8')
    ) {
      problems.push(
        `${name}: not a record of the pack's bundle.json (which the chain and the checkpoint cover)`,
      );
    }
  }
  if (records.length === 0) {
    throw new CliError(`${pack}: the pack's bundle has no records`);
  }
  return { bundle, verification, pinned, records, problems };
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
  try {
    return await res.json();
  } catch (e) {
    throw new CliError(`GET ${url}: not JSON (${(e as Error).message})`);
  }
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
): Promise<{ stored: unknown; payloadDigest?: string }> {
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
    if (
      json &&
      typeof json === 'object' &&
      !('replay' in json) &&
      'result' in json
    ) {
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
  )) as unknown;
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

/** Whether the payload file is bound to a recorded decision in the pack, and if not why. */
function bindingOf(
  pack: VerifiedPack,
  payloadDigest: string,
  stored: StoredResult,
): { record?: EvidenceInput; problem?: string } {
  const candidates = pack.records.filter(
    r => r.envelope.payloadDigest === payloadDigest,
  );
  if (candidates.length === 0) {
    return {
      problem: `the file is not the payload of any record in the pack (it hashes to ${payloadDigest})`,
    };
  }
  const why = (r: EvidenceInput): string | undefined => {
    const e = r.envelope;
    if (e.category !== 'compliance') {
      return `it is the payload of ${e.category} record ${e.seq} (${r.hash}), not of a compliance record`;
    }
    if (e.producer !== SCORECARDS_PRODUCER) {
      return `compliance record ${e.seq} (${r.hash}) was written by ${e.producer}, not by the scorecards plugin (${SCORECARDS_PRODUCER})`;
    }
    if (e.entityRef !== stored.entityRef) {
      return `compliance record ${e.seq} is for ${e.entityRef}, the result for ${stored.entityRef}`;
    }
    if (!(stored.replay.headSeq < e.seq)) {
      return `the result reads records up to seq ${stored.replay.headSeq}, not all before its compliance record ${e.seq}`;
    }
    return undefined;
  };
  const record = candidates.find(r => why(r) === undefined);
  return record ? { record } : { problem: why(candidates[0]) };
}

/**
 * `assay scorecard replay`: recomputes a recorded scorecard decision from
 * an audit pack's records with the pure scorecards code. The result file
 * must be the payload of a `compliance` record the scorecards plugin wrote
 * in the pack, whose chain and signed checkpoint verify; `--unbound`
 * replays any result (e.g. the entity API's) without that binding.
 * Exit 0: match (bound, or with --unbound); 1: mismatch or unverified;
 * 2: error (cannot read or fetch).
 */
export async function replayCommand(
  options: ReplayOptions,
  ctx: CliContext,
): Promise<number> {
  try {
    return await replay(options, ctx);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    ctx.err(`error: ${e.message}`);
    return REPLAY_EXIT.error;
  }
}

async function replay(options: ReplayOptions, ctx: CliContext) {
  const unverified = (reason: string) => {
    ctx.out(`UNVERIFIED: ${reason}`);
    return REPLAY_EXIT.notMatched;
  };
  if (!options.result && !options.unbound) {
    return unverified(
      "the entity API's result is not a recorded decision: pass --result <a compliance record's payload> (bound to its record in the pack), or --unbound to replay the API's result anyway",
    );
  }
  const pack = await readVerifiedPack(
    options.pack,
    options.publicKey ?? ctx.env.ASSAY_PUBLIC_KEY,
  );
  let wanted: string | undefined;
  try {
    wanted = options.entity ? normalizeEntityRef(options.entity) : undefined;
  } catch (e) {
    throw new CliError(`--entity: ${(e as Error).message}`);
  }
  const entityRef = wanted ?? pack.bundle.entityRef;
  const { stored: raw, payloadDigest } = await loadResult(
    options,
    entityRef,
    ctx,
  );
  if (!payloadDigest && !options.unbound) {
    return unverified(
      `${options.result} is a bare result, not a compliance record's payload ({ actor, result }): nothing binds it to a recorded decision (pass --unbound to replay it anyway)`,
    );
  }
  try {
    assertStoredResult(raw);
  } catch (e) {
    ctx.err(`error: not a scorecards result: ${(e as Error).message}`);
    return unverified(`not a scorecards result: ${(e as Error).message}`);
  }
  const stored = raw as StoredResult;
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
    out = replayResult(stored, pack.records, checkSet);
  } catch (e) {
    ctx.err(`error: cannot replay: ${(e as Error).message}`);
    return unverified(`cannot replay: ${(e as Error).message}`);
  }

  const problems = [...pack.problems];
  if (stored.entityRef !== pack.bundle.entityRef) {
    problems.push(
      `the result is for ${stored.entityRef}, the pack for ${pack.bundle.entityRef}`,
    );
  }
  if (wanted && wanted !== pack.bundle.entityRef) {
    problems.push(
      `--entity ${options.entity}: the pack is for ${pack.bundle.entityRef}`,
    );
  }
  const binding = payloadDigest
    ? bindingOf(pack, payloadDigest, stored)
    : undefined;

  const cp = pack.verification.checkpoint;
  ctx.out(`entity    ${stored.entityRef} (${stored.mode} mode)`);
  ctx.out(
    pack.verification.ok
      ? `pack      ${pack.records.length} records of ${
          pack.bundle.entityRef
        }: chain, inclusion proofs and checkpoint (tree size ${
          cp?.treeSize
        }) verify; signer ${pack.bundle.publicKey}${
          pack.pinned
            ? ' (matches --public-key)'
            : ' (taken from the pack, not pinned: pass --public-key or ASSAY_PUBLIC_KEY)'
        }`
      : `pack      does NOT verify (run assay evidence verify --bundle ${options.pack})`,
  );
  if (isRecordedResult(stored)) {
    ctx.out(
      `form      recorded: each check's status; reasons, facts and evidence are recomputed, the result hash commits to them`,
    );
  }
  if (binding?.record) {
    const e = binding.record.envelope;
    ctx.out(
      `record    the payload of compliance record ${e.seq} (${binding.record.hash}) written by ${e.producer}`,
    );
  } else if (binding?.problem) {
    ctx.out(`record    not a recorded decision: ${binding.problem}`);
  } else {
    ctx.out('record    none: --unbound (the result is not a record payload)');
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
  const cited = new Set(stored.inputs);
  const missing = new Set(out.missingEvidence);
  ctx.out(
    `evidence  ${cited.size} record(s) cited${
      cited.size === stored.inputs.length
        ? ''
        : ` (${stored.inputs.length} listed)`
    }, ${cited.size - missing.size} found in the pack (${
      pack.records.length
    } records, head seq ${stored.replay.headSeq})`,
  );
  for (const h of missing) ctx.out(`  missing ${h}`);
  for (const d of out.differences) ctx.out(`  differs ${d}`);
  for (const p of problems) ctx.out(`  unverified ${p}`);

  if (problems.length) {
    return unverified(
      `${problems[0]}${out.matches ? '' : ' (and the replay does not match)'}`,
    );
  }
  if (binding?.problem && !options.unbound) {
    return unverified(
      `${binding.problem}${
        out.matches ? '' : ' (and the replay does not match)'
      }`,
    );
  }
  if (!out.matches) {
    ctx.out(
      'MISMATCH: the stored result is not what the evidence and the checks give',
    );
    return REPLAY_EXIT.notMatched;
  }
  if (binding?.record) {
    ctx.out(
      `MATCH: the decision recorded in compliance record ${binding.record.envelope.seq} is exactly what the evidence and the checks give`,
    );
  } else {
    ctx.out(
      'MATCH (not bound to a recorded decision): the result is what the evidence and the checks give, but no verified compliance record of the scorecards plugin in the pack records it',
    );
  }
  return REPLAY_EXIT.match;
}
