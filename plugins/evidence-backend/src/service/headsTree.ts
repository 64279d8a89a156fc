import {
  compareEntityRefs,
  EntityHead,
  formatHeadsExtension,
  headLeafData,
  headProofOf,
  HeadLeafProof,
  HeadProof,
  inclusionProof,
  subtreeHash,
  toBase64,
} from '@assay/plugin-evidence-common';
import { nativeSha256 } from '../store/nodeHash';

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

/** Hashes between two yields to the event loop while (re)building. */
const YIELD_EVERY = 2048;

const leafOf = (h: EntityHead): Uint8Array =>
  nativeSha256(Buffer.concat([LEAF, headLeafData(h)]));
const nodeOf = (l: Uint8Array, r: Uint8Array): Uint8Array =>
  nativeSha256(Buffer.concat([NODE, l, r]));

class Yielder {
  private n = 0;
  async tick() {
    if (++this.n % YIELD_EVERY === 0) {
      await new Promise(resolve => setImmediate(resolve));
    }
  }
}

const compareHeads = (a: EntityHead, b: EntityHead) =>
  compareEntityRefs(a.entityRef, b.entityRef);

/**
 * Sorts heads by entity ref without holding the event loop: nothing to do
 * when already sorted (SQLite returns them in byte order), else slices of
 * 4,096 sorted and merged pairwise with a yield after each merge.
 */
async function sortHeads(heads: EntityHead[]): Promise<EntityHead[]> {
  let sorted = true;
  for (let i = 1; i < heads.length && sorted; i++) {
    sorted = compareHeads(heads[i - 1], heads[i]) <= 0;
  }
  if (sorted) return heads;
  let runs: EntityHead[][] = [];
  for (let i = 0; i < heads.length; i += 4096) {
    runs.push(heads.slice(i, i + 4096).sort(compareHeads));
  }
  while (runs.length > 1) {
    const next: EntityHead[][] = [];
    for (let i = 0; i < runs.length; i += 2) {
      const [a, b] = [runs[i], runs[i + 1]];
      if (!b) {
        next.push(a);
        continue;
      }
      const merged: EntityHead[] = [];
      let x = 0;
      let z = 0;
      while (x < a.length && z < b.length) {
        merged.push(compareHeads(a[x], b[z]) <= 0 ? a[x++] : b[z++]);
      }
      while (x < a.length) merged.push(a[x++]);
      while (z < b.length) merged.push(b[z++]);
      next.push(merged);
      await new Promise(resolve => setImmediate(resolve));
    }
    runs = next;
  }
  return runs[0] ?? [];
}

/**
 * The heads tree of one tree size (the same RFC 6962 tree over sorted
 * `[entityRef, seq, hash]` leaves as `HeadsTree` in evidence-common, which
 * verifiers use), built so that the event loop stays responsive and the
 * next tree size costs what changed:
 *
 * - building hashes in slices of 2,048, yielding in between;
 * - `update` with the heads that changed since: a changed head rehashes its
 *   leaf and the path above it (O(log n)); new entities rehash only the
 *   perfect subtrees at or after the first insertion point, unchanged leaf
 *   hashes are reused.
 *
 * Immutable: `update` returns a new tree (levels are copied shallowly).
 */
export class IncrementalHeadsTree {
  private constructor(
    /** sorted by entity ref (code point order) */
    readonly heads: EntityHead[],
    /** levels[l][i]: hash of the perfect subtree of leaves [i·2^l, (i+1)·2^l) */
    private readonly levels: Uint8Array[][],
    private readonly byRef: Map<string, number>,
    readonly root: Uint8Array,
  ) {}

  static async build(heads: Iterable<EntityHead>) {
    const y = new Yielder();
    const sorted = await sortHeads([...heads]);
    const leaves: Uint8Array[] = [];
    for (const h of sorted) {
      leaves.push(leafOf(h));
      await y.tick();
    }
    return IncrementalHeadsTree.fromLeaves(sorted, leaves, [], 0, y);
  }

  private static async fromLeaves(
    heads: EntityHead[],
    leaves: Uint8Array[],
    /** levels of a previous tree whose leaves before `from` are unchanged */
    previous: Uint8Array[][],
    from: number,
    y: Yielder,
  ): Promise<IncrementalHeadsTree> {
    const byRef = new Map<string, number>();
    heads.forEach((h, i) => {
      if (i > 0 && heads[i - 1].entityRef === h.entityRef) {
        throw new Error(`evidence: duplicate head for ${h.entityRef}`);
      }
      byRef.set(h.entityRef, i);
    });
    const levels: Uint8Array[][] = [leaves];
    for (let l = 1; levels[l - 1].length > 1; l++) {
      const below = levels[l - 1];
      const count = below.length >> 1;
      // perfect subtrees entirely before `from` are unchanged
      const keep = Math.min(count, from >> l, previous[l]?.length ?? 0);
      const level = previous[l] ? previous[l].slice(0, keep) : [];
      for (let i = keep; i < count; i++) {
        level.push(nodeOf(below[2 * i], below[2 * i + 1]));
        await y.tick();
      }
      levels.push(level);
    }
    return new IncrementalHeadsTree(
      heads,
      levels,
      byRef,
      subtreeHash(0, heads.length, (l, i) => levels[l][i], nativeSha256),
    );
  }

  get size(): number {
    return this.heads.length;
  }

  /** The heads extension line for this tree. */
  extension(): string {
    return formatHeadsExtension({ count: this.size, root: this.root });
  }

  /**
   * The tree after `changes` (each entity's new head; entities not in this
   * tree are added).
   */
  async update(changes: EntityHead[]): Promise<IncrementalHeadsTree> {
    if (!changes.length) return this;
    const y = new Yielder();
    const added = changes.filter(c => !this.byRef.has(c.entityRef));
    if (!added.length) {
      const heads = this.heads.slice();
      const levels = this.levels.map(l => l.slice());
      let dirty = new Set<number>();
      for (const c of changes) {
        const i = this.byRef.get(c.entityRef)!;
        heads[i] = c;
        levels[0][i] = leafOf(c);
        dirty.add(i);
        await y.tick();
      }
      for (let l = 1; l < levels.length; l++) {
        const next = new Set<number>();
        for (const i of dirty) {
          const p = i >> 1;
          if (2 * p + 1 < levels[l - 1].length) {
            levels[l][p] = nodeOf(
              levels[l - 1][2 * p],
              levels[l - 1][2 * p + 1],
            );
            next.add(p);
            await y.tick();
          }
        }
        dirty = next;
      }
      return new IncrementalHeadsTree(
        heads,
        levels,
        this.byRef,
        subtreeHash(0, heads.length, (l, i) => levels[l][i], nativeSha256),
      );
    }
    // new entities: merge, reuse the leaf hashes of unchanged heads
    const changed = new Map(changes.map(c => [c.entityRef, c]));
    const sortedAdded = await sortHeads(added);
    const heads: EntityHead[] = [];
    const leaves: Uint8Array[] = [];
    let first = -1;
    let a = 0;
    for (let i = 0; i <= this.heads.length; i++) {
      const old = this.heads[i];
      while (
        a < sortedAdded.length &&
        (!old || compareEntityRefs(sortedAdded[a].entityRef, old.entityRef) < 0)
      ) {
        if (first < 0) first = heads.length;
        heads.push(sortedAdded[a]);
        leaves.push(leafOf(sortedAdded[a++]));
        await y.tick();
      }
      if (!old) break;
      const c = changed.get(old.entityRef);
      if (c) {
        if (first < 0) first = heads.length;
        heads.push(c);
        leaves.push(leafOf(c));
        await y.tick();
      } else {
        heads.push(old);
        leaves.push(this.levels[0][i]);
      }
    }
    return IncrementalHeadsTree.fromLeaves(
      heads,
      leaves,
      this.levels,
      Math.max(0, first),
      y,
    );
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
      proof: inclusionProof(
        index,
        this.size,
        (l, i) => this.levels[l][i],
        nativeSha256,
      ).map(h => toBase64(h)),
    };
  }
}
