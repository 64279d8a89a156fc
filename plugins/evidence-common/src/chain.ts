import { toHex, utf8Decode, utf8Encode } from './bytes';
import { canonicalJson } from './canonical';
import { normalizeEntityRef } from './entityRef';
import { evidenceEnvelopeSchema } from './envelope';
import { recognizeCanonicalEnvelope } from './fastEnvelope';
import { HashFn, sha256 } from './hash';
import { CHUNK, runSteps, runStepsAsync, Steps } from './steps';

/**
 * A stored record: its hex hash and its canonical envelope (string or UTF-8).
 *
 * @public
 */
export type ChainRecord = { hash: string; canonical: string | Uint8Array };

/**
 * Options for {@link verifyChain}.
 *
 * @public
 */
export type VerifyChainOptions = {
  /** Seq of the first record (default 1) — for verifying a suffix. */
  expectedFirstSeq?: number;
  /** Hash the first record must link to; defaults to null for seq 1 and to
   * "unchecked" for a suffix. */
  previousHash?: string | null;
  hash?: HashFn;
  /**
   * Hex SHA-256 of a string (as UTF-8) or of bytes in one call — lets Node
   * pass `data => crypto.hash('sha256', data)` and skip conversions.
   */
  hashHex?: (data: string | Uint8Array) => string;
  /** Entity every record must belong to (default: the first record's). */
  entityRef?: string;
  onProgress?: (done: number, total: number) => void;
};

/**
 * The outcome of {@link verifyChain}: `checked` counts the records that
 * passed before the first bad one. `firstBad.seq` is the record's own seq
 * when it is readable, else the seq expected at its position.
 *
 * @public
 */
export type ChainVerification =
  | { ok: true; checked: number; headHash: string | null }
  | {
      ok: false;
      checked: number;
      firstBad: { seq: number; hash: string; reason: string };
    };

/**
 * Why a record failed the chain check: its seq and the reason (part of a
 * bundle range's report, which the stitcher joins).
 *
 * @public
 */
export type ChainFailure = { seq: number; reason: string };
type Failure = ChainFailure;

function decode(record: ChainRecord): { text: string; bytes: Uint8Array } {
  if (typeof record.canonical === 'string') {
    return { text: record.canonical, bytes: utf8Encode(record.canonical) };
  }
  return { text: utf8Decode(record.canonical), bytes: record.canonical };
}

function schemaReason(error: {
  issues: { path: (string | number)[]; message: string }[];
}) {
  const issue = error.issues[0];
  return `envelope does not match the schema: ${
    issue.path.join('.') || '(root)'
  }: ${issue.message}`;
}

/**
 * Builds the per-record check; it carries the chain state between calls.
 * Returns undefined for a good record, else why (and at which seq) it is bad.
 * @internal
 */
export function createChainChecker(options: VerifyChainOptions) {
  const hash = options.hash ?? sha256;
  let expectedSeq = options.expectedFirstSeq ?? 1;
  let previous: { seq: number; hash: string | null } | undefined =
    options.previousHash !== undefined
      ? { seq: expectedSeq - 1, hash: options.previousHash }
      : undefined;
  let entityRef = options.entityRef;
  if (entityRef !== undefined) {
    try {
      entityRef = normalizeEntityRef(entityRef);
    } catch {
      // keep as given; every record will mismatch and say so
    }
  }

  /** Checks the chain fields of a record whose envelope is valid. */
  const link = (
    env: { seq: number; entityRef: string; previousHash: string | null },
    recordHash: string,
  ): Failure | undefined => {
    const fail = (reason: string) => ({ seq: env.seq, reason });
    if (env.seq !== expectedSeq) {
      const what =
        env.seq > expectedSeq
          ? 'sequence gap'
          : 'duplicate or out-of-order sequence';
      return fail(`${what}: expected ${expectedSeq}, found ${env.seq}`);
    }
    entityRef ??= env.entityRef;
    if (env.entityRef !== entityRef) {
      return fail(
        `entityRef mismatch: expected ${entityRef}, found ${env.entityRef}`,
      );
    }
    if (previous === undefined && env.seq === 1)
      previous = { seq: 0, hash: null };
    if (previous !== undefined && env.previousHash !== previous.hash) {
      const target =
        previous.seq >= 1
          ? `record #${previous.seq}`
          : 'the expected previous hash';
      return fail(
        `previousHash does not match ${target} (expected ${previous.hash}, found ${env.previousHash})`,
      );
    }
    previous = { seq: env.seq, hash: recordHash };
    expectedSeq += 1;
    return undefined;
  };

  /**
   * Fast path: a strict recognizer of the canonical envelope layout (see
   * fastEnvelope.ts) plus one hash. It accepts only what the full check
   * accepts; undefined means "let the full check decide".
   */
  const fast = (record: ChainRecord): Failure | undefined | 'slow' => {
    let text: string;
    let hex: string;
    if (typeof record.canonical === 'string') {
      text = record.canonical;
      // a lone surrogate has no UTF-8 encoding: the full check rejects it
      if (!isWellFormed(text)) return 'slow';
      const fields = recognizeCanonicalEnvelope(text);
      if (!fields) return 'slow';
      hex = options.hashHex
        ? options.hashHex(text)
        : toHex(hash(utf8Encode(text)));
      if (hex !== record.hash) return 'slow';
      return link(fields, record.hash);
    }
    try {
      text = utf8Decode(record.canonical);
    } catch {
      return 'slow';
    }
    const fields = recognizeCanonicalEnvelope(text);
    if (!fields) return 'slow';
    hex = options.hashHex
      ? options.hashHex(record.canonical)
      : toHex(hash(record.canonical));
    if (hex !== record.hash) return 'slow';
    return link(fields, record.hash);
  };

  return (record: ChainRecord): Failure | undefined => {
    const quick = fast(record);
    if (quick !== 'slow') return quick;
    return full(record);
  };

  /** The full check: parse, re-serialize, schema; decides and explains. */
  function full(record: ChainRecord): Failure | undefined {
    const fail = (reason: string, seq = expectedSeq) => ({ seq, reason });
    let text: string;
    let bytes: Uint8Array;
    let parsed: unknown;
    try {
      ({ text, bytes } = decode(record));
    } catch {
      return fail('canonical bytes are not valid UTF-8');
    }
    try {
      parsed = JSON.parse(text);
    } catch {
      return fail('canonical bytes are not valid JSON');
    }
    const ownSeq = (parsed as { seq?: unknown } | null)?.seq;
    const seq = Number.isSafeInteger(ownSeq) ? (ownSeq as number) : expectedSeq;
    let canonical: string | undefined;
    try {
      canonical = canonicalJson(parsed);
    } catch {
      canonical = undefined;
    }
    if (canonical !== text) {
      return fail('record bytes are not in RFC 8785 canonical form', seq);
    }
    // evidence never carries a `__proto__` key (appends refuse it: objects
    // in JavaScript readers would drop or misread it)
    const proto = text.includes('"__proto__"') ? protoKeyPath(parsed) : '';
    if (proto) {
      return fail(
        `schema: ${proto}: the key __proto__ is not accepted in evidence records`,
        seq,
      );
    }
    const result = evidenceEnvelopeSchema.safeParse(parsed);
    if (!result.success) return fail(schemaReason(result.error), seq);
    const env = result.data;
    const recomputed = toHex(hash(bytes));
    if (record.hash !== recomputed) {
      return fail(
        `hash mismatch: stored ${record.hash} recomputed ${recomputed}`,
        seq,
      );
    }
    return link(env, record.hash);
  }
}

function isWellFormed(text: string): boolean {
  const native = (text as { isWellFormed?: () => boolean }).isWellFormed;
  if (native) return native.call(text);
  return !/[\ud800-\udfff]/.test(text); // conservative: any surrogate → full check
}

function outcome(
  records: ChainRecord[],
  index: number,
  failure: Failure | undefined,
  options: VerifyChainOptions,
): ChainVerification {
  if (failure) {
    return {
      ok: false,
      checked: index,
      firstBad: {
        seq: failure.seq,
        hash: records[index].hash,
        reason: failure.reason,
      },
    };
  }
  const head = records.length
    ? records[records.length - 1].hash
    : options.previousHash ?? null;
  return { ok: true, checked: records.length, headHash: head };
}

/** The chain check as resumable steps (see steps.ts). @internal */
export function* chainSteps(
  records: ChainRecord[],
  options: VerifyChainOptions,
): Steps<ChainVerification> {
  const check = createChainChecker(options);
  for (let i = 0; i < records.length; i++) {
    const failure = check(records[i]);
    if (failure) return outcome(records, i, failure, options);
    if ((i + 1) % CHUNK === 0) {
      options.onProgress?.(i + 1, records.length);
      yield;
    }
  }
  options.onProgress?.(records.length, records.length);
  return outcome(records, records.length, undefined, options);
}

/**
 * Verifies an entity's hash chain, in seq order: each record's bytes are
 * valid UTF-8 JSON in canonical form, match the envelope schema and the stored
 * hash; seqs are continuous; every previousHash links to the prior record;
 * all records belong to the same entity. Stops at the first bad record.
 *
 * @public
 */
export function verifyChain(
  records: ChainRecord[],
  options: VerifyChainOptions = {},
): ChainVerification {
  return runSteps(chainSteps(records, options));
}

/**
 * {@link verifyChain} in chunks of 500 records, yielding to the event loop
 * between chunks and reporting progress, so a browser stays responsive.
 *
 * @public
 */
export function verifyChainAsync(
  records: ChainRecord[],
  options: VerifyChainOptions = {},
): Promise<ChainVerification> {
  return runStepsAsync(chainSteps(records, options));
}

/** Path of the first own `__proto__` key in a parsed JSON value, else ''. */
function protoKeyPath(value: unknown, path = ''): string {
  if (typeof value !== 'object' || value === null) return '';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = protoKeyPath(value[i], `${path}[${i}]`);
      if (p) return p;
    }
    return '';
  }
  for (const k of Object.keys(value)) {
    const here = path ? `${path}.${k}` : k;
    if (k === '__proto__') return here;
    const p = protoKeyPath((value as Record<string, unknown>)[k], here);
    if (p) return p;
  }
  return '';
}
