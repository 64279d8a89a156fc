import { z } from 'zod';
import { utf8Encode } from './bytes';
import {
  ChainFailure,
  ChainVerification,
  createChainChecker,
  VerifyChainOptions,
} from './chain';
import { Checkpoint, parseCheckpoint } from './checkpoint';
import { HashFn, sha256 } from './hash';
import { normalizeEntityRef } from './entityRef';
import { Base64NodeHash, createInclusionBatch } from './inclusionBatch';
import { leafHash } from './merkle';
import { openNote } from './note';
import { CHUNK, runSteps, runStepsAsync, Steps } from './steps';
import {
  compareHead,
  HeadMismatch,
  HeadProof,
  parseHeadsExtension,
  verifyHeadProof,
} from './heads';

/**
 * One record in an {@link EvidenceBundle}.
 *
 * @public
 */
export type EvidenceBundleRecord = {
  /** Position of the record in the global Merkle log. */
  leafIndex: number;
  /** Hex SHA-256 of the canonical bytes. */
  hash: string;
  /** The canonical envelope JSON; its UTF-8 bytes are the Merkle leaf data. */
  canonical: string;
  /** RFC 6962 audit path (base64, bottom-up) against the checkpoint. */
  inclusionProof: string[];
};

/**
 * Everything needed to verify an entity's evidence offline: its full chain,
 * a signed checkpoint of the log, and an inclusion proof per record.
 *
 * @public
 */
export type EvidenceBundle = {
  version: 1;
  entityRef: string;
  /** Log origin; must equal the checkpoint's first line. */
  origin: string;
  /** Verifier key (`name+keyid+base64`) of the checkpoint signer. */
  publicKey: string;
  /** Signed note whose text is a tlog checkpoint. */
  checkpoint: string;
  records: EvidenceBundleRecord[];
  /**
   * The entity's leaf in the heads tree the checkpoint signs (see
   * `HEADS_EXTENSION`); absent in bundles whose checkpoint predates heads.
   */
  headProof?: HeadProof;
};

const index = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const headLeafSchema = z.object({
  index,
  entityRef: z.string(),
  seq: index,
  hash: z.string(),
  proof: z.array(z.string()),
});

/**
 * Zod schema for {@link HeadProof}.
 *
 * @public
 */
export const headProofSchema: z.ZodType<HeadProof> = z.object({
  treeSize: index,
  entityRef: z.string(),
  headsCount: index,
  headsRoot: z.string(),
  head: headLeafSchema.nullable(),
  left: headLeafSchema.nullable().optional(),
  right: headLeafSchema.nullable().optional(),
});

const bundleHeaderShape = {
  version: z.literal(1),
  entityRef: z.string(),
  origin: z.string(),
  publicKey: z.string(),
  checkpoint: z.string(),
  headProof: headProofSchema.optional(),
};

/**
 * Zod schema for {@link EvidenceBundle} (unknown keys are stripped).
 *
 * @public
 */
export const evidenceBundleSchema: z.ZodType<EvidenceBundle> = z.object({
  ...bundleHeaderShape,
  records: z.array(
    z.object({
      leafIndex: index,
      hash: z.string(),
      canonical: z.string(),
      inclusionProof: z.array(z.string()),
    }),
  ),
});

const bundleHeaderSchema: z.ZodType<EvidenceBundleHeader> =
  z.object(bundleHeaderShape);

/**
 * A bundle without its records: what a streaming reader has before the
 * records arrive.
 *
 * @public
 */
export type EvidenceBundleHeader = Omit<EvidenceBundle, 'records'>;

/** Why a bundle record is malformed (the zod record schema, by hand: no per-record zod). */
function recordProblem(r: unknown): string | undefined {
  const rec = r as Partial<Record<keyof EvidenceBundleRecord, unknown>>;
  if (typeof r !== 'object' || r === null || Array.isArray(r))
    return ': Expected object';
  const leaf = rec.leafIndex;
  if (typeof leaf !== 'number' || !Number.isSafeInteger(leaf) || leaf < 0)
    return '.leafIndex: Expected a non-negative safe integer';
  if (typeof rec.hash !== 'string') return '.hash: Expected string';
  if (typeof rec.canonical !== 'string') return '.canonical: Expected string';
  const proof = rec.inclusionProof;
  if (!Array.isArray(proof)) return '.inclusionProof: Expected array';
  for (let i = 0; i < proof.length; i++) {
    if (typeof proof[i] !== 'string')
      return `.inclusionProof.${i}: Expected string`;
  }
  return undefined;
}

/**
 * The result of {@link verifyBundle}. `checkpoint` is null when the signed
 * checkpoint could not be verified; `failures` lists every problem found.
 *
 * @public
 */
export type BundleVerification = {
  ok: boolean;
  chain: ChainVerification;
  checkpoint: Required<Checkpoint> | null;
  failures: Array<{ seq?: number; reason: string }>;
  /**
   * The head binding: `bound` when the checkpoint commits to entity heads
   * and the bundle's head proof verified against it (`committed` is the
   * head it commits to); `mismatch` names a truncation or replaced head.
   */
  heads?: {
    bound: boolean;
    committed: { seq: number; hash: string } | null;
    mismatch: HeadMismatch | null;
  };
};

function openCheckpoint(
  bundle: EvidenceBundleHeader,
  failures: BundleVerification['failures'],
) {
  try {
    const cp = parseCheckpoint(
      openNote(bundle.checkpoint, [bundle.publicKey]).text,
    );
    if (cp.origin !== bundle.origin) {
      failures.push({
        reason: `checkpoint origin ${cp.origin} is not the bundle origin ${bundle.origin}`,
      });
      return null;
    }
    return cp;
  } catch (e) {
    failures.push({
      reason: `checkpoint does not verify: ${(e as Error).message}`,
    });
    return null;
  }
}

/**
 * Checks a bundle record by record, as a streaming reader delivers them.
 *
 * @public
 */
export type BundleVerifier = {
  /** Checks the next record (records in bundle order); throws a TypeError on a malformed one. */
  add(record: EvidenceBundleRecord): void;
  /** The verdict over every record added. */
  finish(): BundleVerification;
};

/**
 * Native hashing shortcuts a bundle verifier may use.
 *
 * @public
 */
export type BundleHashOptions = Pick<VerifyChainOptions, 'hash' | 'hashHex'> & {
  /** RFC 6962 leaf hash of a record's canonical text (native shortcut) */
  leafHashOf?: (canonical: string) => Uint8Array;
  /** the same as canonical base64 (native shortcut; preferred) */
  leafHashBase64Of?: (canonical: string) => string;
  /** RFC 6962 node hash over base64 (native shortcut) */
  nodeHashBase64?: Base64NodeHash;
};

/**
 * What {@link createBundleRangeVerifier} found in a contiguous range of a
 * bundle's records (structured-cloneable: a worker thread posts it). Indexes
 * are relative to the range's first record.
 *
 * @public
 */
export type BundleRangeResult = {
  count: number;
  /** the range's first record (re-checked by the stitcher when the range does not continue the previous one) */
  first: { hash: string; canonical: string; leafIndex: number } | null;
  /**
   * The seq and previousHash the range's chain check started from, read
   * from its first record's envelope; null for a range that starts the
   * bundle (checked from seq 1 like the whole bundle).
   */
  start: { seq: number; previousHash: string | null } | null;
  /** the range's first chain failure (the chain check stops there) */
  chainFailure: { index: number; failure: ChainFailure; hash: string } | null;
  lastHash: string | null;
  /** the leaf index of the range's last record in leaf order (-1: none) */
  lastLeaf: number;
  /**
   * The records that passed the range's leaf order check, as flat triples
   * `[index, leafIndex, seq (own seq; -1: unreadable)]` in range order (their
   * leaf indexes increase): the stitcher fails those at or below the leaf
   * index reached before the range, as a single pass does.
   */
  ascending: number[];
  inclusionFailures: Array<{
    index: number;
    leafIndex: number;
    /** the record's own seq when readable */
    seq: number | null;
    message: string;
  }>;
  /** the range's last record under the checkpoint's tree size */
  lastCovered: { index: number; seq: number | null; hash: string } | null;
};

/** A malformed record (thrown by a range verifier's add): its index in the range and what is wrong. */
export type MalformedBundleRecordError = TypeError & {
  index: number;
  problem: string;
};

function ownSeq(canonical: string): number | null {
  try {
    const seq = JSON.parse(canonical)?.seq;
    return Number.isSafeInteger(seq) ? seq : null;
  } catch {
    return null;
  }
}

/**
 * The per-record part of {@link createBundleVerifier} over one contiguous
 * range of a bundle's records, so ranges can be checked independently (e.g.
 * in worker threads) and joined by {@link createBundleStitcher}: each
 * record's canonical form, schema, hash, the seq and links within the range,
 * leaf order within the range and each record's inclusion proof against the
 * checkpoint's root. A range that does not start the bundle takes its first
 * record's seq and previousHash as its start; the stitcher accepts the
 * range's chain verdict only when that start is exactly where the previous
 * range ended, and otherwise re-checks the first record against it.
 *
 * @public
 */
export function createBundleRangeVerifier(
  options: BundleHashOptions & {
    entityRef: string;
    /** the verified checkpoint's tree (null: inclusion not checked) */
    checkpoint: { treeSize: number; rootHash: Uint8Array } | null;
    /** whether the range starts the bundle (its first record is seq 1) */
    first: boolean;
  },
): { add(record: EvidenceBundleRecord): void; finish(): BundleRangeResult } {
  const hash = options.hash ?? sha256;
  const checkpoint = options.checkpoint;
  const inclusion =
    checkpoint &&
    createInclusionBatch(
      checkpoint.treeSize,
      checkpoint.rootHash,
      hash,
      options.nodeHashBase64,
    );
  const leafHashFor = (canonical: string): Uint8Array | string => {
    if (options.leafHashBase64Of) return options.leafHashBase64Of(canonical);
    if (options.leafHashOf) return options.leafHashOf(canonical);
    return leafHash(utf8Encode(canonical), hash);
  };
  let check: ReturnType<typeof createChainChecker> | undefined = options.first
    ? createChainChecker({
        entityRef: options.entityRef,
        hash,
        hashHex: options.hashHex,
      })
    : undefined;
  let start: BundleRangeResult['start'] = null;
  let first: BundleRangeResult['first'] = null;
  let count = 0;
  let chainFailure: BundleRangeResult['chainFailure'] = null;
  let lastLeaf = -1;
  const ascending: number[] = [];
  let lastHash: string | null = null;
  let lastCovered: { index: number; record: EvidenceBundleRecord } | undefined;
  const inclusionFailures: BundleRangeResult['inclusionFailures'] = [];

  return {
    add(record) {
      const i = count;
      const problem = recordProblem(record);
      if (problem) {
        const error = new TypeError(
          `malformed evidence bundle: records.${i}${problem}`,
        ) as MalformedBundleRecordError;
        error.index = i;
        error.problem = problem;
        throw error;
      }
      count += 1;
      if (i === 0) {
        first = {
          hash: record.hash,
          canonical: record.canonical,
          leafIndex: record.leafIndex,
        };
      }
      if (!check) {
        // a range in the middle: start from what its first record says
        let env: { seq?: unknown; previousHash?: unknown } | undefined;
        try {
          env = JSON.parse(record.canonical);
        } catch {
          env = undefined;
        }
        const seq = env?.seq;
        const prev = env?.previousHash;
        start = {
          seq:
            Number.isSafeInteger(seq) && (seq as number) >= 1
              ? (seq as number)
              : -1,
          previousHash: typeof prev === 'string' ? prev : null,
        };
        check = createChainChecker({
          entityRef: options.entityRef,
          hash,
          hashHex: options.hashHex,
          expectedFirstSeq: start.seq,
          previousHash: start.previousHash,
        });
      }
      if (!chainFailure) {
        const failure = check(record);
        if (failure) chainFailure = { index: i, failure, hash: record.hash };
      }
      lastHash = record.hash;
      if (!checkpoint || !inclusion) return;
      try {
        if (record.leafIndex <= lastLeaf) {
          throw new Error('leaf indexes must increase with seq');
        }
        lastLeaf = record.leafIndex;
        // the own seq: where the chain check passed it is the one expected
        const seq =
          chainFailure === null
            ? (start ? start.seq : 1) + i
            : ownSeq(record.canonical) ?? -1;
        ascending.push(i, record.leafIndex, seq);
        inclusion.verify(
          record.leafIndex,
          leafHashFor(record.canonical),
          record.inclusionProof,
        );
      } catch (e) {
        inclusionFailures.push({
          index: i,
          leafIndex: record.leafIndex,
          seq: ownSeq(record.canonical),
          message: (e as Error).message,
        });
      }
      if (record.leafIndex < checkpoint.treeSize) {
        lastCovered = { index: i, record };
      }
    },
    finish() {
      return {
        count,
        first,
        start,
        chainFailure,
        lastHash,
        lastLeaf,
        ascending,
        inclusionFailures,
        lastCovered: lastCovered
          ? {
              index: lastCovered.index,
              seq: ownSeq(lastCovered.record.canonical),
              hash: lastCovered.record.hash,
            }
          : null,
      };
    },
  };
}

/**
 * Joins the results of {@link createBundleRangeVerifier} over consecutive
 * ranges (added in bundle order) into the verdict of
 * {@link createBundleVerifier} over all of them: the header's checks
 * (shape, normalized entity, checkpoint signature and origin), the chain
 * across range boundaries (a range's verdict counts only when it starts at
 * the seq and previousHash where the previous range ended; otherwise its
 * first record is re-checked against them, as a single pass would), leaf
 * order across boundaries, and the head binding. Throws a TypeError when the
 * header is not shaped like a bundle.
 *
 * @public
 */
export function createBundleStitcher(
  input: EvidenceBundleHeader,
  options: BundleHashOptions = {},
): {
  /** the verified checkpoint (null: it did not verify; inclusion is not checked) */
  checkpoint: Required<Checkpoint> | null;
  entityRef: string;
  /** records added so far */
  readonly count: number;
  add(range: BundleRangeResult): void;
  finish(): BundleVerification;
} {
  const parsed = bundleHeaderSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(
      `malformed evidence bundle: ${issue.path.join('.')}: ${issue.message}`,
    );
  }
  const header = parsed.data;
  const hash = options.hash ?? sha256;
  const failures: BundleVerification['failures'] = [];
  const inclusionFailures: BundleVerification['failures'] = [];
  // The head binding compares refs exactly: a bundle must name its entity
  // in the normalized form the log commits to, or a variant spelling could
  // come with a valid proof that the entity has no head (all records hidden).
  let normalizedRef: string | undefined;
  try {
    normalizedRef = normalizeEntityRef(header.entityRef);
  } catch {
    // reported below
  }
  if (normalizedRef !== header.entityRef) {
    failures.push({
      reason: `the bundle names its entity '${
        header.entityRef
      }', not in the normalized form the log commits to${
        normalizedRef ? ` ('${normalizedRef}')` : ''
      }`,
    });
  }
  const checkpoint = openCheckpoint(header, failures);
  let count = 0;
  let chainFailure:
    | { index: number; failure: ChainFailure; hash: string }
    | undefined;
  // where the chain stands after the records added (while no failure)
  let expectedSeq = 1;
  let previousHash: string | null = null;
  let lastLeaf = -1;
  let lastHash: string | null = null;
  let lastCovered: { seq: number; hash: string } | undefined;
  const notIncluded = (seq: number, leafIndex: number, message: string) => ({
    seq,
    reason: `record #${seq} (leaf ${leafIndex}) is not included in the signed checkpoint: ${message}`,
  });
  const outOfOrder = (
    base: number,
    at: number,
    leafIndex: number,
    seq: number,
  ) =>
    notIncluded(
      seq >= 0 ? seq : base + at + 1,
      leafIndex,
      'leaf indexes must increase with seq',
    );

  return {
    checkpoint,
    entityRef: header.entityRef,
    get count() {
      return count;
    },
    add(range) {
      if (range.count === 0) return;
      const base = count;
      const first = range.first!;
      if (!chainFailure) {
        const continues =
          base === 0
            ? range.start === null
            : range.start !== null &&
              range.start.seq === expectedSeq &&
              range.start.previousHash === previousHash;
        if (continues) {
          if (range.chainFailure) {
            chainFailure = {
              ...range.chainFailure,
              index: base + range.chainFailure.index,
            };
          } else {
            expectedSeq += range.count;
            previousHash = range.lastHash;
          }
        } else {
          // the range does not start where the chain stands: its first
          // record fails as it fails in a single pass
          const check = createChainChecker({
            entityRef: header.entityRef,
            hash,
            hashHex: options.hashHex,
            ...(base === 0
              ? {}
              : { expectedFirstSeq: expectedSeq, previousHash }),
          });
          const failure = check(first) ?? {
            seq: expectedSeq,
            reason: `record #${expectedSeq} does not continue the chain`,
          };
          chainFailure = { index: base, failure, hash: first.hash };
        }
      }
      lastHash = range.lastHash;
      if (checkpoint) {
        // a single pass compares each record's leaf index with the highest
        // one before it in the whole bundle: the range's records that passed
        // its own check but are not above the leaf index reached before the
        // range fail there (before their inclusion proof is checked)
        const a = range.ascending;
        const late = (k: number) => k < a.length && a[k + 1] <= lastLeaf;
        let k = 0;
        for (const f of range.inclusionFailures) {
          for (; late(k) && a[k] < f.index; k += 3) {
            inclusionFailures.push(outOfOrder(base, a[k], a[k + 1], a[k + 2]));
          }
          if (late(k) && a[k] === f.index) {
            inclusionFailures.push(outOfOrder(base, a[k], a[k + 1], a[k + 2]));
            k += 3;
          } else {
            inclusionFailures.push(
              notIncluded(f.seq ?? base + f.index + 1, f.leafIndex, f.message),
            );
          }
        }
        for (; late(k); k += 3) {
          inclusionFailures.push(outOfOrder(base, a[k], a[k + 1], a[k + 2]));
        }
        lastLeaf = Math.max(lastLeaf, range.lastLeaf);
        if (range.lastCovered) {
          lastCovered = {
            seq: range.lastCovered.seq ?? base + range.lastCovered.index + 1,
            hash: range.lastCovered.hash,
          };
        }
      }
      count += range.count;
    },
    finish() {
      const chain: ChainVerification = chainFailure
        ? {
            ok: false,
            checked: chainFailure.index,
            firstBad: { ...chainFailure.failure, hash: chainFailure.hash },
          }
        : { ok: true, checked: count, headHash: lastHash };
      if (chainFailure) {
        failures.push({
          seq: chainFailure.failure.seq,
          reason: chainFailure.failure.reason,
        });
      }
      failures.push(...inclusionFailures);
      const heads = checkpoint
        ? checkBundleHead(header, lastCovered, checkpoint, hash, failures)
        : undefined;
      return { ok: failures.length === 0, chain, checkpoint, failures, heads };
    },
  };
}

/**
 * {@link verifyBundle} one record at a time, so a reader never has to hold
 * the whole bundle: the same checks (checkpoint signature and origin, the
 * full {@link verifyChain} check of every record, every record's inclusion
 * proof, the head binding), with the inclusion proofs of the records
 * verified together (see createInclusionBatch): about one hash per tree
 * node instead of a full path per record. Throws a TypeError when the
 * header is not shaped like a bundle. (One range of
 * {@link createBundleRangeVerifier}, joined by {@link createBundleStitcher}.)
 *
 * @public
 */
export function createBundleVerifier(
  input: EvidenceBundleHeader,
  options: BundleHashOptions = {},
): BundleVerifier {
  const stitcher = createBundleStitcher(input, options);
  const range = createBundleRangeVerifier({
    ...options,
    entityRef: stitcher.entityRef,
    checkpoint: stitcher.checkpoint,
    first: true,
  });
  return {
    add: record => range.add(record),
    finish() {
      stitcher.add(range.finish());
      return stitcher.finish();
    },
  };
}

function* bundleSteps(
  input: unknown,
  hash: HashFn,
  onProgress?: (done: number, total: number) => void,
  hashHex?: VerifyChainOptions['hashHex'],
): Steps<BundleVerification> {
  const records = (input as { records?: unknown } | null)?.records;
  if (!Array.isArray(records)) {
    // let the schema name what is wrong
    const parsed = evidenceBundleSchema.safeParse(input);
    const issue = parsed.success ? undefined : parsed.error.issues[0];
    throw new TypeError(
      `malformed evidence bundle: ${
        issue ? `${issue.path.join('.')}: ${issue.message}` : 'records'
      }`,
    );
  }
  const verifier = createBundleVerifier(input as EvidenceBundleHeader, {
    hash,
    hashHex,
  });
  const total = records.length * 2;
  for (let i = 0; i < records.length; i++) {
    verifier.add(records[i]);
    if ((i + 1) % CHUNK === 0) {
      onProgress?.(2 * (i + 1), total);
      yield;
    }
  }
  onProgress?.(total, total);
  return verifier.finish();
}

/** The bundle's newest record must be the head the checkpoint commits to. */
function checkBundleHead(
  bundle: EvidenceBundleHeader,
  last: { seq: number; hash: string } | undefined,
  checkpoint: Required<Checkpoint>,
  hash: HashFn,
  failures: BundleVerification['failures'],
): BundleVerification['heads'] {
  let extension;
  try {
    extension = parseHeadsExtension(checkpoint.extensions);
  } catch (e) {
    failures.push({ reason: (e as Error).message });
    return { bound: false, committed: null, mismatch: null };
  }
  if (!extension) return { bound: false, committed: null, mismatch: null };
  if (!bundle.headProof) {
    failures.push({
      reason:
        "the checkpoint commits to entity heads but the bundle has no head proof: the entity's newest records cannot be shown complete",
    });
    return { bound: false, committed: null, mismatch: null };
  }
  let committed;
  try {
    committed = verifyHeadProof(
      bundle.headProof,
      checkpoint,
      bundle.entityRef,
      hash,
    );
  } catch (e) {
    failures.push({ reason: (e as Error).message });
    return { bound: false, committed: null, mismatch: null };
  }
  const mismatch = compareHead(committed, last);
  if (mismatch) {
    failures.push({ seq: mismatch.expected?.seq, reason: mismatch.message });
  }
  return { bound: true, committed, mismatch };
}

/**
 * Verifies an offline bundle: the checkpoint's signature with the bundled
 * key (callers that pin a key must compare `bundle.publicKey` themselves),
 * the entity's hash chain, and every record's inclusion in the checkpoint
 * tree. Throws a TypeError if the input is not shaped like a bundle.
 *
 * @public
 */
export function verifyBundle(
  bundle: EvidenceBundle,
  hash: HashFn = sha256,
  hashHex?: VerifyChainOptions['hashHex'],
): BundleVerification {
  return runSteps(bundleSteps(bundle, hash, undefined, hashHex));
}

/**
 * {@link verifyBundle} in chunks, yielding to the event loop and reporting
 * progress (over chain checks plus inclusion checks).
 *
 * @public
 */
export function verifyBundleAsync(
  bundle: EvidenceBundle,
  options: {
    hash?: HashFn;
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<BundleVerification> {
  return runStepsAsync(
    bundleSteps(bundle, options.hash ?? sha256, options.onProgress),
  );
}
