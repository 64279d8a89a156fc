import { Knex } from 'knex';

type Ref = { level: number; index: number };
const key = (level: number, index: number) => `${level}:${index}`;

/**
 * Reads hashes of perfect subtrees. Perfect subtrees never change once
 * written, so caching them is always safe, even across replicas.
 */
export class TreeNodeStore {
  private readonly cache = new Map<string, Uint8Array>();

  constructor(private readonly maxCached = 200_000) {}

  remember(level: number, index: number, hash: Uint8Array) {
    if (this.cache.size >= this.maxCached) {
      // drop the oldest entries (Map keeps insertion order)
      const it = this.cache.keys();
      for (let i = 0; i < this.maxCached / 10; i++) {
        this.cache.delete(it.next().value as string);
      }
    }
    this.cache.set(key(level, index), hash);
  }

  peek(level: number, index: number): Uint8Array | undefined {
    return this.cache.get(key(level, index));
  }

  /** Loads the given nodes (one query for those not cached) into a lookup. */
  async load(
    db: Knex | Knex.Transaction,
    refs: Ref[],
  ): Promise<(level: number, index: number) => Uint8Array> {
    // nodes already cached are pinned in `local` too: loading others may
    // evict them from the cache before the lookup runs
    const local = new Map<string, Uint8Array>();
    const missing: Ref[] = [];
    for (const r of refs) {
      const k = key(r.level, r.index);
      const cached = this.cache.get(k);
      if (cached) local.set(k, cached);
      else missing.push(r);
    }
    const take = (
      rows: Array<{ level: number; idx: number | string; hash: string }>,
    ) => {
      for (const row of rows) {
        const h = Buffer.from(row.hash, 'hex');
        local.set(key(Number(row.level), Number(row.idx)), h);
        this.remember(Number(row.level), Number(row.idx), h);
      }
    };
    // per level: one range query when the indexes are dense (proofs of
    // neighbouring leaves, bundle pages), else lists of indexes
    const byLevel = new Map<number, number[]>();
    for (const r of missing) {
      const list = byLevel.get(r.level) ?? [];
      list.push(r.index);
      byLevel.set(r.level, list);
    }
    // sparse lookups (a proof: a node or two per level) of every level go
    // into one query on the primary key, in chunks of 500 nodes
    let sparse: Array<[number, number[]]> = [];
    let sparseCount = 0;
    const flushSparse = async () => {
      if (!sparse.length) return;
      const bindings: number[] = [];
      const where = sparse
        .map(([level, idxs]) => {
          bindings.push(level, ...idxs);
          return `(level = ? AND idx IN (${idxs.map(() => '?').join(', ')}))`;
        })
        .join(' OR ');
      const res: any = await db.raw(
        `SELECT level, idx, hash FROM evidence_tree_nodes WHERE ${where}`,
        bindings,
      );
      take(Array.isArray(res) ? res : res.rows);
      sparse = [];
      sparseCount = 0;
    };
    for (const [level, indexes] of byLevel) {
      indexes.sort((a, b) => a - b);
      const lo = indexes[0];
      const hi = indexes[indexes.length - 1];
      if (indexes.length > 8 && hi - lo < 4 * indexes.length + 64) {
        take(
          await db('evidence_tree_nodes')
            .select('level', 'idx', 'hash')
            .where({ level })
            .whereBetween('idx', [lo, hi]),
        );
        continue;
      }
      for (let i = 0; i < indexes.length; i += 500) {
        const chunk = indexes.slice(i, i + 500);
        if (sparseCount + chunk.length > 500) await flushSparse();
        sparse.push([level, chunk]);
        sparseCount += chunk.length;
      }
    }
    await flushSparse();
    return (level, index) => {
      const k = key(level, index);
      const h = local.get(k) ?? this.cache.get(k);
      if (!h) {
        throw new Error(`evidence: missing Merkle tree node ${k}`);
      }
      return h;
    };
  }
}

/** Runs `fn` with a recording lookup and returns the nodes it asked for. */
export function collectRefs(
  fn: (lookup: (level: number, index: number) => Uint8Array) => unknown,
): Ref[] {
  const refs: Ref[] = [];
  const seen = new Set<string>();
  const zero = new Uint8Array(32);
  fn((level, index) => {
    const k = key(level, index);
    if (!seen.has(k)) {
      seen.add(k);
      refs.push({ level, index });
    }
    return zero;
  });
  return refs;
}
