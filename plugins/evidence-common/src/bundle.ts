import { z } from 'zod';
import { fromBase64, utf8Encode } from './bytes';
import { chainSteps, ChainVerification } from './chain';
import { Checkpoint, parseCheckpoint } from './checkpoint';
import { HashFn, sha256 } from './hash';
import { leafHash } from './merkle';
import { verifyInclusion } from './merkleVerify';
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

/**
 * Zod schema for {@link EvidenceBundle} (unknown keys are stripped).
 *
 * @public
 */
export const evidenceBundleSchema: z.ZodType<EvidenceBundle> = z.object({
  version: z.literal(1),
  entityRef: z.string(),
  origin: z.string(),
  publicKey: z.string(),
  checkpoint: z.string(),
  records: z.array(
    z.object({
      leafIndex: index,
      hash: z.string(),
      canonical: z.string(),
      inclusionProof: z.array(z.string()),
    }),
  ),
  headProof: headProofSchema.optional(),
});

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

function seqOf(record: EvidenceBundleRecord, position: number): number {
  try {
    const seq = JSON.parse(record.canonical)?.seq;
    return Number.isSafeInteger(seq) ? seq : position + 1;
  } catch {
    return position + 1;
  }
}

function openCheckpoint(
  bundle: EvidenceBundle,
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

function* bundleSteps(
  input: unknown,
  hash: HashFn,
  onProgress?: (done: number, total: number) => void,
): Steps<BundleVerification> {
  const parsed = evidenceBundleSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(
      `malformed evidence bundle: ${issue.path.join('.')}: ${issue.message}`,
    );
  }
  const bundle = parsed.data;
  const total = bundle.records.length * 2;
  const failures: BundleVerification['failures'] = [];
  const checkpoint = openCheckpoint(bundle, failures);
  const chain = yield* chainSteps(bundle.records, {
    entityRef: bundle.entityRef,
    hash,
    onProgress: done => onProgress?.(done, total),
  });
  if (!chain.ok)
    failures.push({ seq: chain.firstBad.seq, reason: chain.firstBad.reason });
  if (checkpoint) {
    let lastLeaf = -1;
    for (const [i, record] of bundle.records.entries()) {
      const seq = seqOf(record, i);
      const where = `record #${seq} (leaf ${record.leafIndex})`;
      try {
        if (record.leafIndex <= lastLeaf) {
          throw new Error('leaf indexes must increase with seq');
        }
        lastLeaf = record.leafIndex;
        verifyInclusion(
          {
            leafIndex: record.leafIndex,
            treeSize: checkpoint.treeSize,
            leafHash: leafHash(utf8Encode(record.canonical), hash),
            proof: record.inclusionProof.map(p => fromBase64(p)),
            rootHash: checkpoint.rootHash,
          },
          hash,
        );
      } catch (e) {
        failures.push({
          seq,
          reason: `${where} is not included in the signed checkpoint: ${
            (e as Error).message
          }`,
        });
      }
      if ((i + 1) % CHUNK === 0) {
        onProgress?.(bundle.records.length + i + 1, total);
        yield;
      }
    }
  }
  const heads = checkpoint
    ? checkBundleHead(bundle, checkpoint, hash, failures)
    : undefined;
  onProgress?.(total, total);
  return { ok: failures.length === 0, chain, checkpoint, failures, heads };
}

/** The bundle's newest record must be the head the checkpoint commits to. */
function checkBundleHead(
  bundle: EvidenceBundle,
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
  const covered = bundle.records.filter(r => r.leafIndex < checkpoint.treeSize);
  const last = covered[covered.length - 1];
  const mismatch = compareHead(
    committed,
    last && { seq: seqOf(last, covered.length - 1), hash: last.hash },
  );
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
): BundleVerification {
  return runSteps(bundleSteps(bundle, hash));
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
