import { fromBase64, toBase64, utf8Encode, bytesEqual } from './bytes';
import { canonicalJson } from './canonical';
import { HashFn, sha256 } from './hash';
import { leafHash, nodeHash, subtreeHash } from './merkle';
import { inclusionProof } from './merkleProofs';
import { rootFromInclusionProof } from './merkleVerify';

/**
 * Entity heads bound to checkpoints.
 *
 * Every checkpoint the evidence log signs carries one extension line
 *
 *     assay-heads/v1 <count> <base64 root>
 *
 * where `root` is the RFC 6962 Merkle Tree Hash over `count` leaves, one per
 * entity that has at least one record among the first `treeSize` leaves of the
 * log, sorted by entity ref (UTF-8 byte order). The leaf data of an entity is
 * the RFC 8785 canonical JSON of the triple `[entityRef, seq, hash]` of its
 * newest record in that tree (e.g. `["component:default/a",3,"ab12…"]`), leaf
 * hash = SHA-256(0x00 ‖ bytes), node hash = SHA-256(0x01 ‖ left ‖ right).
 *
 * A verifier that holds only the signed checkpoint asks the log for the
 * entity's head proof (inclusion of its leaf, or two adjacent leaves that
 * bracket it when it has no record) and compares the committed seq/hash with
 * the newest record it was served: records ending earlier are a truncation,
 * another hash at that seq is a replaced head.
 */

/** The first word of the heads extension line. @public */
export const HEADS_EXTENSION = 'assay-heads/v1';

/**
 * An entity's newest record at some tree size.
 *
 * @public
 */
export type EntityHead = { entityRef: string; seq: number; hash: string };

/**
 * Thrown when a head proof or heads extension is malformed or does not verify.
 *
 * @public
 */
export class HeadProofError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HeadProofError';
  }
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Orders entity refs by their UTF-8 bytes (= Unicode code point order).
 *
 * @public
 */
export function compareEntityRefs(a: string, b: string): number {
  // without surrogates, UTF-16 order is code point order
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) {
    if (a === b) return 0;
    return a < b ? -1 : 1;
  }
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  if (a.length === b.length) return 0;
  return a.length < b.length ? -1 : 1;
}

/**
 * The leaf data of a head: UTF-8 of canonical JSON `[entityRef, seq, hash]`.
 *
 * @public
 */
export function headLeafData(head: EntityHead): Uint8Array {
  // For [string, integer, string] JSON.stringify is the RFC 8785 form
  // (same string escaping, integers in shortest form); anything else goes
  // through the general canonicalizer.
  const triple = [head.entityRef, head.seq, head.hash];
  return utf8Encode(
    Number.isSafeInteger(head.seq) &&
      !SURROGATE.test(head.entityRef) &&
      !SURROGATE.test(head.hash)
      ? JSON.stringify(triple)
      : canonicalJson(triple),
  );
}

const isHex64 = (s: unknown) =>
  typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);

/**
 * A head proof from a built heads tree (sorted `heads`, their index by ref,
 * the root): the entity's leaf with its inclusion proof, or, when it has no
 * head, the two leaves around where it would sort. `leafProof` builds one
 * leaf's proof from the tree's nodes.
 *
 * @public
 */
export function headProofOf(tree: {
  heads: ReadonlyArray<EntityHead>;
  byRef: ReadonlyMap<string, number>;
  root: Uint8Array;
  treeSize: number;
  entityRef: string;
  leafProof: (index: number) => HeadLeafProof;
}): HeadProof {
  const { heads, entityRef, leafProof } = tree;
  const base = {
    treeSize: tree.treeSize,
    entityRef,
    headsCount: heads.length,
    headsRoot: toBase64(tree.root),
  };
  const i = tree.byRef.get(entityRef);
  if (i !== undefined) return { ...base, head: leafProof(i) };
  // the first index whose ref sorts after entityRef
  let lo = 0;
  let hi = heads.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareEntityRefs(heads[mid].entityRef, entityRef) < 0) {
      lo = mid + 1;
    } else hi = mid;
  }
  return {
    ...base,
    head: null,
    left: lo > 0 ? leafProof(lo - 1) : null,
    right: lo < heads.length ? leafProof(lo) : null,
  };
}

/**
 * The heads tree at one tree size, built in memory: O(entities) hashes.
 *
 * @public
 */
export class HeadsTree {
  readonly heads: EntityHead[];
  readonly root: Uint8Array;
  private readonly levels: Uint8Array[][];
  private readonly byRef: Map<string, number>;

  constructor(
    heads: Iterable<EntityHead>,
    private readonly hash: HashFn = sha256,
  ) {
    this.heads = [...heads].sort((a, b) =>
      compareEntityRefs(a.entityRef, b.entityRef),
    );
    this.byRef = new Map();
    this.heads.forEach((h, i) => {
      if (i > 0 && this.heads[i - 1].entityRef === h.entityRef) {
        throw new HeadProofError(`duplicate head for ${h.entityRef}`);
      }
      this.byRef.set(h.entityRef, i);
    });
    const leaves = this.heads.map(h => leafHash(headLeafData(h), hash));
    this.levels = [leaves];
    for (let l = leaves; l.length > 1; ) {
      const next: Uint8Array[] = [];
      for (let i = 0; i + 1 < l.length; i += 2) {
        next.push(nodeHash(l[i], l[i + 1], hash));
      }
      this.levels.push(next);
      l = next;
    }
    this.root = subtreeHash(0, this.heads.length, this.lookup, hash);
  }

  private lookup = (level: number, index: number) => this.levels[level][index];

  get size(): number {
    return this.heads.length;
  }

  /** The heads extension line for this tree. */
  extension(): string {
    return formatHeadsExtension({ count: this.size, root: this.root });
  }

  /** The head proof of `entityRef` (inclusion, or the two leaves around it). */
  proof(entityRef: string, treeSize: number): HeadProof {
    return headProofOf({
      heads: this.heads,
      byRef: this.byRef,
      root: this.root,
      treeSize,
      entityRef,
      leafProof: i => this.leafProof(i),
    });
  }

  private leafProof(index: number): HeadLeafProof {
    return {
      index,
      ...this.heads[index],
      proof: inclusionProof(index, this.size, this.lookup, this.hash).map(h =>
        toBase64(h),
      ),
    };
  }
}

/**
 * One leaf of the heads tree with its RFC 6962 audit path (base64, bottom-up).
 *
 * @public
 */
export type HeadLeafProof = EntityHead & { index: number; proof: string[] };

/**
 * What `GET /v1/entities/:kind/:namespace/:name/head-proof?treeSize=` serves:
 * the entity's leaf in the heads tree of that checkpoint, or (`head: null`)
 * the adjacent leaves `left`/`right` that prove it has no record there.
 *
 * @public
 */
export type HeadProof = {
  treeSize: number;
  entityRef: string;
  headsCount: number;
  /** base64; informative, verifiers use the signed extension */
  headsRoot: string;
  head: HeadLeafProof | null;
  left?: HeadLeafProof | RedactedHeadLeafProof | null;
  right?: HeadLeafProof | RedactedHeadLeafProof | null;
};

/**
 * A neighbouring leaf of an absence proof whose entity the caller may not
 * read: only its leaf hash (base64) and audit path. It proves that the leaf
 * is in the heads tree and adjacent to the other one, not which entity it
 * is, so an absence proof with a redacted neighbour cannot be verified.
 *
 * @public
 */
export type RedactedHeadLeafProof = {
  index: number;
  proof: string[];
  leafHash: string;
  redacted: true;
};

/**
 * Redacts a neighbouring leaf (see {@link RedactedHeadLeafProof}).
 *
 * @public
 */
export function redactHeadLeaf(
  leaf: HeadLeafProof,
  hash: HashFn = sha256,
): RedactedHeadLeafProof {
  return {
    index: leaf.index,
    proof: leaf.proof,
    leafHash: toBase64(leafHash(headLeafData(leaf), hash)),
    redacted: true,
  };
}

const isRedacted = (
  leaf: HeadLeafProof | RedactedHeadLeafProof | null | undefined,
): leaf is RedactedHeadLeafProof =>
  Boolean(leaf && (leaf as RedactedHeadLeafProof).redacted === true);

/**
 * Formats the heads extension line of a checkpoint.
 *
 * @public
 */
export function formatHeadsExtension(h: {
  count: number;
  root: Uint8Array;
}): string {
  return `${HEADS_EXTENSION} ${h.count} ${toBase64(h.root)}`;
}

/**
 * Finds and parses the heads extension among a checkpoint's extension lines:
 * null when there is none (a checkpoint signed before heads were bound);
 * throws a {@link HeadProofError} when malformed or repeated.
 *
 * @public
 */
export function parseHeadsExtension(
  extensions: string[],
): { count: number; root: Uint8Array } | null {
  const lines = extensions.filter(
    l => l === HEADS_EXTENSION || l.startsWith(`${HEADS_EXTENSION} `),
  );
  if (lines.length === 0) return null;
  if (lines.length > 1) {
    throw new HeadProofError('the checkpoint has more than one heads line');
  }
  const m = /^assay-heads\/v1 (0|[1-9][0-9]*) ([A-Za-z0-9+/=]+)$/.exec(
    lines[0],
  );
  let root: Uint8Array | undefined;
  try {
    root = m ? fromBase64(m[2]) : undefined;
  } catch {
    root = undefined;
  }
  const count = m ? Number(m[1]) : NaN;
  if (!root || root.length !== 32 || !Number.isSafeInteger(count)) {
    throw new HeadProofError(
      `malformed heads line in the checkpoint: ${JSON.stringify(lines[0])}`,
    );
  }
  return { count, root };
}

function checkLeaf(
  leaf: HeadLeafProof | null | undefined,
  committed: { count: number; root: Uint8Array },
  what: string,
  hash: HashFn,
): HeadLeafProof {
  if (
    !leaf ||
    typeof leaf.entityRef !== 'string' ||
    !Number.isSafeInteger(leaf.seq) ||
    leaf.seq < 1 ||
    !isHex64(leaf.hash) ||
    !Number.isSafeInteger(leaf.index) ||
    !Array.isArray(leaf.proof)
  ) {
    throw new HeadProofError(`the head proof's ${what} leaf is malformed`);
  }
  let root: Uint8Array;
  try {
    root = rootFromInclusionProof(
      leaf.index,
      committed.count,
      leafHash(headLeafData(leaf), hash),
      leaf.proof.map(p => fromBase64(p)),
      hash,
    );
  } catch (e) {
    throw new HeadProofError(
      `the head proof's ${what} leaf does not verify: ${(e as Error).message}`,
    );
  }
  if (!bytesEqual(root, committed.root)) {
    throw new HeadProofError(
      `the head proof's ${what} leaf (${leaf.entityRef} #${leaf.seq}) is not in the heads tree the checkpoint signs`,
    );
  }
  return leaf;
}

/**
 * Verifies a head proof against the heads line of a verified checkpoint and
 * returns the head the checkpoint commits to for `entityRef` (null: the
 * entity had no record in that tree). Throws a {@link HeadProofError} when
 * the proof does not verify.
 *
 * @public
 */
export function verifyHeadProof(
  proof: HeadProof,
  checkpoint: { treeSize: number; extensions: string[] },
  entityRef: string,
  hash: HashFn = sha256,
): { seq: number; hash: string } | null {
  const committed = parseHeadsExtension(checkpoint.extensions);
  if (!committed) {
    throw new HeadProofError('the checkpoint does not commit to entity heads');
  }
  if (!proof || typeof proof !== 'object') {
    throw new HeadProofError('the head proof is malformed');
  }
  if (proof.treeSize !== checkpoint.treeSize) {
    throw new HeadProofError(
      `the head proof is for tree size ${proof.treeSize}, not the checkpoint's ${checkpoint.treeSize}`,
    );
  }
  if (proof.head) {
    const leaf = checkLeaf(proof.head, committed, 'head', hash);
    if (leaf.entityRef !== entityRef) {
      throw new HeadProofError(
        `the head proof is for ${leaf.entityRef}, not ${entityRef}`,
      );
    }
    return { seq: leaf.seq, hash: leaf.hash };
  }
  // absence: adjacent leaves bracket entityRef (or the tree is empty)
  if (isRedacted(proof.left) || isRedacted(proof.right)) {
    throw new HeadProofError(
      `the head proof cannot show that ${entityRef} has no head in the signed checkpoint: a neighbouring leaf belongs to an entity whose evidence you may not read (redacted)`,
    );
  }
  const left = proof.left
    ? checkLeaf(proof.left, committed, 'left', hash)
    : null;
  const right = proof.right
    ? checkLeaf(proof.right, committed, 'right', hash)
    : null;
  const adjacent =
    (left ? left.index + 1 : 0) === (right ? right.index : committed.count);
  const ordered =
    (!left || compareEntityRefs(left.entityRef, entityRef) < 0) &&
    (!right || compareEntityRefs(entityRef, right.entityRef) < 0);
  if (!adjacent || !ordered) {
    throw new HeadProofError(
      `the head proof does not show that ${entityRef} has no head in the signed checkpoint`,
    );
  }
  return null;
}

/**
 * How served records disagree with a committed or remembered head.
 *
 * @public
 */
export type HeadMismatch = {
  kind: 'truncated' | 'head replaced';
  message: string;
  /** the head that was committed (or remembered) */
  expected: { seq: number; hash: string } | null;
};

/**
 * Compares the head a signed checkpoint commits to with the newest record
 * the verifier was served among the first `treeSize` leaves (`served`).
 * Returns null when they agree.
 *
 * @public
 */
export function compareHead(
  committed: { seq: number; hash: string } | null,
  served: { seq: number; hash: string } | undefined,
  where = 'the signed checkpoint',
): HeadMismatch | null {
  if (!committed) {
    return served
      ? {
          kind: 'head replaced',
          expected: null,
          message: `${where} commits to no record of this entity, but record #${served.seq} is served in its tree`,
        }
      : null;
  }
  if (!served || served.seq < committed.seq) {
    return {
      kind: 'truncated',
      expected: committed,
      message: `truncated: ${where} commits to head #${
        committed.seq
      } (${committed.hash.slice(0, 16)}…) but the served records end ${
        served ? `at #${served.seq}` : 'before #1'
      }`,
    };
  }
  if (served.seq > committed.seq || served.hash !== committed.hash) {
    return {
      kind: 'head replaced',
      expected: committed,
      message: `head replaced: ${where} commits to head #${
        committed.seq
      } (${committed.hash.slice(0, 16)}…) but the server serves #${
        served.seq
      } (${served.hash.slice(0, 16)}…) there`,
    };
  }
  return null;
}

/**
 * For a returning verifier: checks that what it verified before (head
 * `remembered`) is still served. `servedAt(seq)` returns the hash served at
 * that seq (undefined if none); `last` is the newest served record.
 *
 * @public
 */
export function compareRememberedHead(
  remembered: { seq: number; hash: string },
  last: { seq: number; hash: string } | undefined,
  servedAt: (seq: number) => string | undefined,
  seenAt?: string,
): HeadMismatch | null {
  const where = `the head this verifier saw${seenAt ? ` on ${seenAt}` : ''}`;
  if (!last || last.seq < remembered.seq) {
    return {
      kind: 'truncated',
      expected: remembered,
      message: `truncated: ${where} was #${
        remembered.seq
      } (${remembered.hash.slice(0, 16)}…) but the served records end ${
        last ? `at #${last.seq}` : 'before #1'
      }`,
    };
  }
  const h = servedAt(remembered.seq);
  if (h !== remembered.hash) {
    return {
      kind: 'head replaced',
      expected: remembered,
      message: `head replaced: ${where} was #${
        remembered.seq
      } (${remembered.hash.slice(0, 16)}…) but record #${
        remembered.seq
      } is now ${h ? `${h.slice(0, 16)}…` : 'missing'}`,
    };
  }
  return null;
}
