import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import {
  canonicalJson,
  canonicalJsonOfData,
  EntityHead,
  EvidenceEnvelope,
  perfectNodesCompletedBy,
  subtreeHash,
} from '@assay/plugin-evidence-common';
import { nativeSha256, LEAF_PREFIX } from './nodeHash';
import { collectRefs, TreeNodeStore } from './TreeNodeStore';
import type {
  AppendOutcome,
  LegalHold,
  ListQuery,
  PreparedAppend,
  RecordRow,
} from './types';

const migrationsDir = resolvePackagePath(
  '@assay/plugin-evidence-backend',
  'migrations',
);

type Db = Knex | Knex.Transaction;

/** Signed checkpoints kept in the database (the newest ones). */
export const KEPT_CHECKPOINTS = 64;

function toRow(r: any): RecordRow {
  return {
    leafIndex: Number(r.leaf_index),
    entityRef: r.entity_ref,
    seq: Number(r.seq),
    category: r.category,
    hash: r.hash,
    canonical: r.canonical,
    recordedAt: r.recorded_at,
  };
}

const RECORD_COLUMNS = [
  'leaf_index',
  'entity_ref',
  'seq',
  'category',
  'hash',
  'canonical',
  'recorded_at',
];

/** Knex-backed evidence store: records, Merkle nodes, blobs and holds. */
export class DatabaseEvidenceStore {
  readonly nodes = new TreeNodeStore();
  /**
   * Entity heads as of log size `headsAtSize`. Appends only happen under the
   * log row lock, so if the locked size still equals `headsAtSize` nobody
   * (no other replica either) appended since, and the cached heads are exact.
   */
  private headCache = new Map<string, { seq: number; hash: string }>();
  private headsAtSize = -1;
  /**
   * The largest tree size this process has seen committed. The log only
   * grows, so a tree size at most this is valid without asking the database.
   */
  knownTreeSize = 0;

  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseEvidenceStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseEvidenceStore(client);
  }

  private constructor(readonly db: Knex) {}

  private get isPg() {
    return this.db.client.config.client === 'pg';
  }

  /** SQLite through better-sqlite3 (Backstage's SQLite driver). */
  private get isBetterSqlite3() {
    return (
      (this.db.client as { driverName?: string }).driverName ===
      'better-sqlite3'
    );
  }

  /**
   * The transaction's better-sqlite3 connection when the database is SQLite
   * through better-sqlite3 (Backstage's SQLite driver), else undefined.
   */
  private async sqliteConnection(
    tx: Knex.Transaction,
  ): Promise<SqliteConnection | undefined> {
    if (!this.isBetterSqlite3) return undefined;
    const conn = await (tx as any).client.acquireConnection();
    return typeof conn?.prepare === 'function' ? conn : undefined;
  }

  async getLogState(
    db: Db = this.db,
  ): Promise<{ treeSize: number; rootHash: string }> {
    // raw SQL: called per append batch and per proof request
    const locked = this.isPg && db !== this.db;
    const res: any = await db.raw(
      locked
        ? 'SELECT tree_size, root_hash FROM evidence_log WHERE id = 1 FOR UPDATE'
        : 'SELECT tree_size, root_hash FROM evidence_log WHERE id = 1',
    );
    const row = this.isPg ? res.rows[0] : res[0];
    const treeSize = Number(row.tree_size);
    if (treeSize > this.knownTreeSize) this.knownTreeSize = treeSize;
    return { treeSize, rootHash: row.root_hash };
  }

  /**
   * Appends a batch in one transaction: one lock on the log row serializes
   * all writers (across replicas on PostgreSQL), so seq and leaf indexes
   * have no gaps, forks or duplicates. Resolves after commit (durable).
   */
  async appendBatch(
    items: PreparedAppend[],
    now: () => string = () => new Date().toISOString(),
    /**
     * Runs first in the same transaction (after the log row lock); used by
     * the early purge so that nulling payloads and recording the purge
     * commit or fail together. It may complete the items' summaries.
     */
    prelude?: (tx: Knex.Transaction) => Promise<void>,
  ): Promise<AppendOutcome[]> {
    if (!prelude) {
      const fast = await this.appendOptimistic(items, now);
      if (fast) return fast;
    }
    const computed = new Map<string, Uint8Array>();
    const holds = new Set<string>();
    let finalHeads = new Map<string, { seq: number; hash: string }>();
    let finalSize = -1;
    const outcomes = await this.db.transaction(async tx => {
      const log = await this.getLogState(tx);
      if (prelude) await prelude(tx);
      let size = log.treeSize;
      // The compact range of the current tree: every left sibling an append
      // will need, and what the root is computed from.
      const lookup0 = await this.nodes.load(
        tx,
        collectRefs(l => size > 0 && subtreeHash(0, size, l, nativeSha256)),
      );
      const lookup = (level: number, index: number) =>
        computed.get(`${level}:${index}`) ?? lookup0(level, index);

      if (log.treeSize !== this.headsAtSize || this.headCache.size > 50_000) {
        this.headCache = new Map();
      }
      this.headsAtSize = -1; // invalid until this transaction commits
      const entityRefs = [...new Set(items.map(i => i.entityRef))];
      const unknown = entityRefs.filter(e => !this.headCache.has(e));
      const heads = new Map(
        entityRefs.flatMap(e => {
          const h = this.headCache.get(e);
          return h ? [[e, h] as const] : [];
        }),
      );
      // SQLite (better-sqlite3): reads and writes of the batch through
      // statements prepared once per connection (see sqliteStatement), not
      // a query built, compiled and prepared by knex per statement
      const sqlite = await this.sqliteConnection(tx);
      if (unknown.length) {
        for (const [e, h] of sqlite
          ? sqliteHeads(sqlite, unknown)
          : await this.heads(tx, unknown)) {
          heads.set(e, h);
        }
      }
      const keys = items.flatMap(i => (i.idempotencyKey ? [idemKeyOf(i)] : []));
      const existingByKey = sqlite
        ? sqliteByIdempotencyKey(sqlite, keys)
        : await this.byIdempotencyKey(tx, keys);
      const built = this.buildBatch(items, {
        size,
        lookup,
        heads,
        existingByKey,
        computed,
        now,
      });
      const { out, recordRows, nodeRows, blobRows, refRows, touchedHeads } =
        built;
      size = built.size;
      if (recordRows.length === 0) return out;

      const root = subtreeHash(0, size, lookup, nativeSha256);
      const rootHex = Buffer.from(root).toString('hex');
      if (this.isPg && recordRows.length <= 500) {
        // One round trip for every write of the batch (records, tree nodes,
        // blobs and their references, heads, counts, log state) and the
        // entities' legal holds, in plain SQL (no query builder per batch).
        const batch = pgBatchSql(
          recordRows,
          nodeRows,
          [...touchedHeads.values()],
          { size, rootHex },
          { blobs: [...blobRows.values()], refs: refRows },
        );
        const { rows: held } = await tx.raw(batch.sql, batch.bindings);
        for (const h of held) holds.add(h.entity_ref);
        finalHeads = heads;
        finalSize = size;
        return out;
      }
      if (sqlite) {
        // the same writes as below, one prepared statement per table run
        // per row, in this transaction
        for (const ref of sqliteWriteBatch(sqlite, {
          recordRows,
          nodeRows,
          blobRows: [...blobRows.values()],
          refRows,
          heads: [...touchedHeads.values()],
          size,
          rootHex,
        })) {
          holds.add(ref);
        }
        finalHeads = heads;
        finalSize = size;
        return out;
      }
      await tx.batchInsert('evidence_records', recordRows, 100);
      await tx.batchInsert('evidence_tree_nodes', nodeRows, 300);
      if (blobRows.size) {
        await tx('evidence_blobs')
          .insert([...blobRows.values()])
          .onConflict('digest')
          .ignore();
        // a purged blob uploaded again is restored
        await tx('evidence_blobs')
          .whereIn('digest', [...blobRows.keys()])
          .whereNotNull('purged_at')
          .update({ purged_at: null })
          .then(async n => {
            if (n) {
              for (const b of blobRows.values()) {
                await tx('evidence_blobs')
                  .where({ digest: b.digest })
                  .whereNull('content')
                  .update({ content: b.content });
              }
            }
          });
        await tx.batchInsert('evidence_blob_refs', refRows, 200);
      }
      await tx('evidence_log')
        .where({ id: 1 })
        .update({ tree_size: size, root_hash: rootHex });
      // each entity's newest record, for the heads the checkpoints commit to
      await tx('evidence_heads')
        .insert([...touchedHeads.values()])
        .onConflict('entity_ref')
        .merge(['seq', 'hash', 'leaf_index']);
      await this.countCategories(tx, recordRows);
      for (const h of await tx('evidence_legal_holds')
        .select('entity_ref')
        .whereIn('entity_ref', [...touchedHeads.keys()])) {
        holds.add(h.entity_ref);
      }
      finalHeads = heads;
      finalSize = size;
      return out;
    });
    for (const [e, h] of finalHeads) this.headCache.set(e, h);
    this.headsAtSize = finalSize;
    if (finalSize > this.knownTreeSize) this.knownTreeSize = finalSize;
    for (const [k, h] of computed) {
      const [level, index] = k.split(':').map(Number);
      this.nodes.remember(level, index, h);
    }
    for (const o of outcomes) {
      if (!o.replayed) o.legalHold = holds.has(o.row.entityRef);
    }
    return outcomes;
  }

  /**
   * PostgreSQL, a batch without blobs, when this process wrote the last
   * batch it knows of: the batch built on that tree (its size, compact range and entity heads are
   * cached) and written in ONE autocommit statement whose every insert is
   * conditional on `UPDATE evidence_log … WHERE tree_size = <that size>`.
   * If any writer (another replica) appended since, the update matches no
   * row — PostgreSQL re-checks the condition after waiting for the row lock
   * — nothing is written and the caller takes the locking transaction.
   * Returns undefined when not applicable or not applied.
   */
  private async appendOptimistic(
    items: PreparedAppend[],
    now: () => string,
  ): Promise<AppendOutcome[] | undefined> {
    const base = this.headsAtSize;
    if (
      !this.isPg ||
      base < 1 ||
      items.length > 500 ||
      items.some(i => !this.headCache.has(i.entityRef))
    ) {
      return undefined;
    }
    // a key used before: the locking transaction replays it (or refuses a
    // different record); a key another replica stores meanwhile fails the
    // statement on its unique index, and the locking transaction replays it
    const keys = items.flatMap(i => (i.idempotencyKey ? [idemKeyOf(i)] : []));
    if (keys.length && (await this.byIdempotencyKey(this.db, keys)).size) {
      return undefined;
    }
    const cached = new Map<string, Uint8Array>();
    for (const r of collectRefs(l => subtreeHash(0, base, l, nativeSha256))) {
      const h = this.nodes.peek(r.level, r.index);
      if (!h) return undefined;
      cached.set(`${r.level}:${r.index}`, h);
    }
    const computed = new Map<string, Uint8Array>();
    const lookup = (level: number, index: number) => {
      const k = `${level}:${index}`;
      const h = computed.get(k) ?? cached.get(k);
      if (!h) throw new Error(`evidence: missing Merkle tree node ${k}`);
      return h;
    };
    const heads = new Map(
      items.map(i => [i.entityRef, this.headCache.get(i.entityRef)!] as const),
    );
    const built = this.buildBatch(items, {
      size: base,
      lookup,
      heads,
      existingByKey: new Map(),
      computed,
      now,
    });
    const rootHex = Buffer.from(
      subtreeHash(0, built.size, lookup, nativeSha256),
    ).toString('hex');
    const batch = pgBatchSql(
      built.recordRows,
      built.nodeRows,
      [...built.touchedHeads.values()],
      { size: built.size, rootHex, expectSize: base },
      { blobs: [...built.blobRows.values()], refs: built.refRows },
    );
    this.headsAtSize = -1; // invalid until the statement succeeds
    let result: { applied: number; held: string[] };
    try {
      const res = await this.db.raw(batch.sql, batch.bindings);
      result = res.rows[0];
    } catch {
      return undefined; // the locking transaction re-reads everything
    }
    if (!Number(result.applied)) return undefined;
    for (const [e, h] of heads) this.headCache.set(e, h);
    this.headsAtSize = built.size;
    if (built.size > this.knownTreeSize) this.knownTreeSize = built.size;
    for (const [k, h] of computed) {
      const [level, index] = k.split(':').map(Number);
      this.nodes.remember(level, index, h);
    }
    const held = new Set(result.held ?? []);
    for (const o of built.out) o.legalHold = held.has(o.row.entityRef);
    return built.out;
  }

  /**
   * The rows of an append batch on top of a tree of `size` leaves: each
   * record's envelope (seq and link from `heads`), canonical bytes, leaf and
   * the perfect subtree nodes it completes. Updates `heads` and `computed`.
   */
  private buildBatch(
    items: PreparedAppend[],
    ctx: {
      size: number;
      lookup: (level: number, index: number) => Uint8Array;
      heads: Map<string, { seq: number; hash: string }>;
      existingByKey: Map<string, RecordRow>;
      computed: Map<string, Uint8Array>;
      now: () => string;
    },
  ) {
    const { lookup, heads, existingByKey, computed, now } = ctx;
    let size = ctx.size;
    const keys = new Map<string, AppendOutcome>();
    const out: AppendOutcome[] = [];
    const recordRows: any[] = [];
    const nodeRows: any[] = [];
    const blobRows = new Map<string, any>();
    const refRows: any[] = [];
    const touchedHeads = new Map<string, any>();

    for (const item of items) {
      const idemKey = item.idempotencyKey ? idemKeyOf(item) : undefined;
      if (idemKey) {
        const seen = keys.get(idemKey);
        if (seen) {
          assertSameRequest(seen.row, item);
          out.push({ row: seen.row, replayed: true });
          continue;
        }
        const existing = existingByKey.get(idemKey);
        if (existing) {
          assertSameRequest(existing, item);
          out.push({ row: existing, replayed: true });
          continue;
        }
      }
      const head = heads.get(item.entityRef) ?? { seq: 0, hash: '' };
      // the fields in canonical (RFC 8785) order: canonicalJsonOfData copies
      // nothing when the summary's keys are in order too
      const envelope: EvidenceEnvelope = {
        artifacts: item.artifacts,
        category: item.category,
        entityRef: item.entityRef,
        payloadDigest: item.payloadDigest,
        previousHash: head.seq === 0 ? null : head.hash,
        producedAt: item.producedAt,
        producer: item.producer,
        recordedAt: now(),
        seq: head.seq + 1,
        ...(item.subject && Object.keys(item.subject).length
          ? { subject: item.subject }
          : {}),
        summary: item.summary,
        v: 1,
      };
      const canonical = canonicalJsonOfData(envelope);
      const bytes = Buffer.from(canonical, 'utf8');
      const hash = Buffer.from(nativeSha256(bytes)).toString('hex');
      const leafIndex = size;
      const leaf = nativeSha256(Buffer.concat([LEAF_PREFIX, bytes]));
      computed.set(`0:${leafIndex}`, leaf);
      nodeRows.push({
        level: 0,
        idx: leafIndex,
        hash: Buffer.from(leaf).toString('hex'),
      });
      for (const { level, index } of perfectNodesCompletedBy(leafIndex)) {
        const left = lookup(level - 1, 2 * index);
        const right = lookup(level - 1, 2 * index + 1);
        const h = nativeSha256(Buffer.concat([Buffer.from([1]), left, right]));
        computed.set(`${level}:${index}`, h);
        nodeRows.push({
          level,
          idx: index,
          hash: Buffer.from(h).toString('hex'),
        });
      }
      size += 1;
      const row: RecordRow = {
        leafIndex,
        entityRef: item.entityRef,
        seq: envelope.seq,
        category: item.category,
        hash,
        canonical,
        recordedAt: envelope.recordedAt,
      };
      recordRows.push({
        leaf_index: leafIndex,
        entity_ref: row.entityRef,
        seq: row.seq,
        category: row.category,
        hash,
        canonical,
        recorded_at: row.recordedAt,
        subject_text: subjectText(item.subject),
        idempotency_key: idemKey ?? null,
      });
      const cited = new Set<string>();
      for (const b of item.blobs) {
        if (cited.has(b.digest)) continue; // the same bytes attached twice
        cited.add(b.digest);
        blobRows.set(b.digest, {
          digest: b.digest,
          size: b.size,
          media_type: b.mediaType,
          content: b.content,
          purged_at: null,
        });
        refRows.push({
          leaf_index: leafIndex,
          digest: b.digest,
          entity_ref: item.entityRef,
          category: item.category,
          expires_at: item.expiresAt,
        });
      }
      heads.set(item.entityRef, { seq: row.seq, hash });
      touchedHeads.set(item.entityRef, {
        entity_ref: item.entityRef,
        seq: row.seq,
        hash,
        leaf_index: leafIndex,
      });
      const outcome = { row, replayed: false };
      if (idemKey) keys.set(idemKey, outcome);
      out.push(outcome);
    }
    return {
      out,
      recordRows,
      nodeRows,
      blobRows,
      refRows,
      touchedHeads,
      size,
    };
  }

  /** The latest seq and hash of each entity, in one query. */
  private async heads(db: Db, entityRefs: string[]) {
    const rows: Array<{
      entity_ref: string;
      seq: number | string;
      hash: string;
    }> = await db('evidence_records as r')
      .select('r.entity_ref', 'r.seq', 'r.hash')
      .whereIn(
        ['r.entity_ref', 'r.seq'],
        db('evidence_records')
          .select('entity_ref')
          .max('seq')
          .whereIn('entity_ref', entityRefs)
          .groupBy('entity_ref'),
      );
    return new Map(
      rows.map(r => [r.entity_ref, { seq: Number(r.seq), hash: r.hash }]),
    );
  }

  private async byIdempotencyKey(db: Db, keys: string[]) {
    const out = new Map<string, RecordRow>();
    if (!keys.length) return out;
    const rows = await db('evidence_records')
      .select([...RECORD_COLUMNS, 'idempotency_key'])
      .whereIn('idempotency_key', keys);
    for (const r of rows) out.set(r.idempotency_key, toRow(r));
    return out;
  }

  async list(
    entityRef: string,
    q: ListQuery,
  ): Promise<{
    rows: RecordRow[];
    total: number | undefined;
    legalHold: boolean;
  }> {
    const filtered = () => {
      const b = this.db('evidence_records').where({ entity_ref: entityRef });
      if (q.categories?.length) b.whereIn('category', q.categories);
      if (q.since) b.where('recorded_at', '>=', q.since);
      if (q.until) b.where('recorded_at', '<=', q.until);
      if (q.subject)
        b.where(
          'subject_text',
          'like',
          `%${q.subject.toLowerCase().replace(/[%_\\]/g, '')}%`,
        );
      return b;
    };
    const page = filtered()
      .select(RECORD_COLUMNS)
      .orderBy('seq', q.order)
      .limit(q.limit);
    if (q.afterSeq !== undefined) {
      page.where('seq', q.order === 'desc' ? '<' : '>', q.afterSeq);
    }
    // keyset page (seq cursor on the (entity_ref, seq) index) and a count
    // maintained by appends: no request scans the entity's history. Time and
    // subject filters have no maintained count (total undefined).
    const counted = !q.since && !q.until && !q.subject;
    const [rows, meta] = await Promise.all([
      page,
      this.listMeta(entityRef, q.categories, counted),
    ]);
    return {
      rows: rows.map(toRow),
      total: meta.total,
      legalHold: meta.legalHold,
    };
  }

  /** Maintained record counts per (entity, category), bumped in the append transaction. */
  private async countCategories(
    tx: Knex.Transaction,
    recordRows: Array<{ entity_ref: string; category: string; seq: number }>,
  ) {
    const counts = categoryCountRows(recordRows);
    if (!counts.length) return;
    await tx('evidence_category_counts')
      .insert(counts)
      .onConflict(['entity_ref', 'category'])
      .merge({
        count: tx.raw('evidence_category_counts.count + excluded.count'),
        latest_seq: tx.raw('excluded.latest_seq'),
      });
  }

  /** Records of an entity (in some categories), from the maintained counts. */
  async countRecords(
    entityRef: string,
    categories?: string[],
  ): Promise<number> {
    const q = this.db('evidence_category_counts')
      .where({ entity_ref: entityRef })
      .sum({ n: 'count' });
    if (categories?.length) q.whereIn('category', categories);
    const [{ n }] = await q;
    return Number(n ?? 0);
  }

  /** Per category: the maintained count and the newest record's seq. */
  async categoryCounts(
    entityRef: string,
  ): Promise<Array<{ category: string; count: number; latestSeq: number }>> {
    const rows = await this.db('evidence_category_counts')
      .where({ entity_ref: entityRef })
      .select('category', 'count', 'latest_seq');
    return rows.map(r => ({
      category: r.category,
      count: Number(r.count),
      latestSeq: Number(r.latest_seq),
    }));
  }

  /**
   * Up to `limit` records after `afterSeq` in seq order, each with its
   * stored leaf hash (level-0 tree node): one keyset page for `/verify`.
   */
  async recordsAfter(
    entityRef: string,
    afterSeq: number,
    limit: number,
  ): Promise<Array<RecordRow & { leafHash: string | null }>> {
    const rows = await this.db('evidence_records as r')
      .leftJoin('evidence_tree_nodes as n', join =>
        join.on('n.idx', '=', 'r.leaf_index').andOnVal('n.level', '=', 0),
      )
      .select([...RECORD_COLUMNS.map(c => `r.${c}`), 'n.hash as leaf_hash'])
      .where('r.entity_ref', entityRef)
      .where('r.seq', '>', afterSeq)
      .orderBy('r.seq', 'asc')
      .limit(limit);
    return rows.map(r => ({ ...toRow(r), leafHash: r.leaf_hash ?? null }));
  }

  async getVerifiedHead(
    entityRef: string,
  ): Promise<
    | { seq: number; hash: string; leafIndex: number; verifiedAt: string }
    | undefined
  > {
    const r = await this.db('evidence_verified_heads')
      .where({ entity_ref: entityRef })
      .first();
    return r
      ? {
          seq: Number(r.seq),
          hash: r.hash,
          leafIndex: Number(r.leaf_index),
          verifiedAt: r.verified_at,
        }
      : undefined;
  }

  async putVerifiedHead(
    entityRef: string,
    head: { seq: number; hash: string; leafIndex: number },
  ): Promise<void> {
    await this.db('evidence_verified_heads')
      .insert({
        entity_ref: entityRef,
        seq: head.seq,
        hash: head.hash,
        leaf_index: head.leafIndex,
        verified_at: new Date().toISOString(),
      })
      .onConflict('entity_ref')
      .merge();
  }

  async clearVerifiedHead(entityRef: string): Promise<void> {
    await this.db('evidence_verified_heads')
      .where({ entity_ref: entityRef })
      .delete();
  }

  async allForEntity(entityRef: string): Promise<RecordRow[]> {
    const rows = await this.db('evidence_records')
      .select(RECORD_COLUMNS)
      .where({ entity_ref: entityRef })
      .orderBy('seq', 'asc');
    return rows.map(toRow);
  }

  async getByHash(hash: string): Promise<RecordRow | undefined> {
    const r = await this.db('evidence_records')
      .select(RECORD_COLUMNS)
      .where({ hash })
      .first();
    return r ? toRow(r) : undefined;
  }

  async getBySeq(
    entityRef: string,
    seq: number,
  ): Promise<RecordRow | undefined> {
    const r = await this.db('evidence_records')
      .select(RECORD_COLUMNS)
      .where({ entity_ref: entityRef, seq })
      .first();
    return r ? toRow(r) : undefined;
  }

  async categoryStats(
    entityRef: string,
  ): Promise<Array<{ category: string; count: number; latest: RecordRow }>> {
    const groups: Array<{
      category: string;
      n: number | string;
      maxSeq: number | string;
    }> = await this.db('evidence_records')
      .select('category')
      .count({ n: '*' })
      .max({ maxSeq: 'seq' })
      .where({ entity_ref: entityRef })
      .groupBy('category');
    if (!groups.length) return [];
    const latest = await this.db('evidence_records')
      .select(RECORD_COLUMNS)
      .where({ entity_ref: entityRef })
      .whereIn(
        'seq',
        groups.map(g => Number(g.maxSeq)),
      );
    const bySeq = new Map(latest.map(r => [Number(r.seq), toRow(r)]));
    return groups.map(g => ({
      category: g.category,
      count: Number(g.n),
      latest: bySeq.get(Number(g.maxSeq))!,
    }));
  }

  async head(entityRef: string): Promise<RecordRow | undefined> {
    const r = await this.db('evidence_records')
      .select(RECORD_COLUMNS)
      .where({ entity_ref: entityRef })
      .orderBy('seq', 'desc')
      .first();
    return r ? toRow(r) : undefined;
  }

  /**
   * Every entity's newest record among the first `treeSize` leaves: the
   * maintained heads table, with the entities that appended since
   * `treeSize` resolved from their (immutable) records in two set-based
   * queries. O(entities + appends since treeSize); `treeSize` must not
   * exceed the committed tree size.
   */
  async headsAt(treeSize: number): Promise<EntityHead[]> {
    const out: EntityHead[] = [];
    const moved = new Set<string>();
    // keyset pages of 5,000 (a synchronous SQLite read of 100,000 rows
    // would hold the event loop for most of a second), yielding in between
    let after: string | undefined;
    for (;;) {
      const q = this.db('evidence_heads')
        .select('entity_ref', 'seq', 'hash', 'leaf_index')
        .orderBy('entity_ref', 'asc')
        .limit(5000);
      if (after !== undefined) q.where('entity_ref', '>', after);
      const rows: any[] = await q;
      for (const r of rows) {
        if (Number(r.leaf_index) < treeSize) {
          out.push({
            entityRef: r.entity_ref,
            seq: Number(r.seq),
            hash: r.hash,
          });
        } else moved.add(r.entity_ref);
      }
      if (rows.length < 5000) break;
      after = rows[rows.length - 1].entity_ref;
      await new Promise(resolve => setImmediate(resolve));
    }
    if (!moved.size) return out;
    // the entities that appended since treeSize: their head there is the
    // record before their first one since (set-based: O(appends since))
    const firsts: Array<{ entity_ref: string; seq: number | string }> =
      await this.db('evidence_records')
        .select('entity_ref')
        .min({ seq: 'seq' })
        .where('leaf_index', '>=', treeSize)
        .groupBy('entity_ref');
    const wanted = firsts
      .filter(f => moved.has(f.entity_ref) && Number(f.seq) > 1)
      .map(f => ({ entityRef: f.entity_ref, seq: Number(f.seq) - 1 }));
    out.push(...(await this.headsBySeq(wanted)));
    return out;
  }

  /** The hashes of given (entity, seq) records, in chunks of 200 pairs. */
  private async headsBySeq(
    wanted: Array<{ entityRef: string; seq: number }>,
  ): Promise<EntityHead[]> {
    const out: EntityHead[] = [];
    for (let i = 0; i < wanted.length; i += 200) {
      const chunk = wanted.slice(i, i + 200);
      const rows: any[] = await this.db('evidence_records')
        .select('entity_ref', 'seq', 'hash')
        .where(b => {
          for (const w of chunk) {
            b.orWhere(q => q.where({ entity_ref: w.entityRef, seq: w.seq }));
          }
        });
      for (const r of rows) {
        out.push({ entityRef: r.entity_ref, seq: Number(r.seq), hash: r.hash });
      }
    }
    return out;
  }

  /**
   * The newest record of each entity that appended among leaves
   * [from, to): what changes in the heads tree from size `from` to `to`.
   */
  async headChangesBetween(from: number, to: number): Promise<EntityHead[]> {
    if (to <= from) return [];
    const rows: any[] = await this.db('evidence_records')
      .select('entity_ref', 'seq', 'hash')
      .where('leaf_index', '>=', from)
      .where('leaf_index', '<', to)
      .orderBy('leaf_index', 'asc');
    const last = new Map<string, EntityHead>();
    for (const r of rows) {
      last.set(r.entity_ref, {
        entityRef: r.entity_ref,
        seq: Number(r.seq),
        hash: r.hash,
      });
    }
    return [...last.values()];
  }

  async leafHashes(leafIndexes: number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (let i = 0; i < leafIndexes.length; i += 500) {
      const rows = await this.db('evidence_tree_nodes')
        .select('idx', 'hash')
        .where({ level: 0 })
        .whereIn('idx', leafIndexes.slice(i, i + 500));
      for (const r of rows) out.set(Number(r.idx), r.hash);
    }
    return out;
  }

  /** Runs `fn` (a Merkle computation) against stored nodes, fetched in one round. */
  async withNodes<T>(
    fn: (lookup: (l: number, i: number) => Uint8Array) => T,
  ): Promise<T> {
    const lookup = await this.nodes.load(this.db, collectRefs(fn));
    return fn(lookup);
  }

  // --- blobs -------------------------------------------------------------

  async getBlob(
    digest: string,
  ): Promise<
    { mediaType: string; size: number; content: Buffer | null } | undefined
  > {
    const r = await this.db('evidence_blobs').where({ digest }).first();
    if (!r) return undefined;
    return {
      mediaType: r.media_type,
      size: Number(r.size),
      content: r.content ? Buffer.from(r.content) : null,
    };
  }

  /** Of these records, those citing a payload or artifact that was purged. */
  async purgedLeaves(leafIndexes: number[]): Promise<Set<number>> {
    if (!leafIndexes.length) return new Set();
    // each cited digest probed in the partial index of purged blobs
    // (evidence_blobs_purged_idx: empty until a purge), never the blob's
    // row; the leaf indexes as one parameter (a bulk read asks for ~4,000)
    const purged = (hint: string) =>
      `EXISTS (SELECT 1 FROM evidence_blobs b${hint} WHERE b.digest = r.digest AND b.purged_at IS NOT NULL)`;
    let rows: any[];
    if (this.isPg) {
      const res = await this.db.raw(
        `SELECT DISTINCT r.leaf_index FROM evidence_blob_refs r WHERE r.leaf_index = ANY(?::bigint[]) AND ${purged(
          '',
        )}`,
        [leafIndexes],
      );
      rows = res.rows;
    } else {
      // SQLite's planner would take the primary key and read the row; the
      // hint names the partial index (usable: the query's IS NOT NULL is
      // its WHERE). Without the index (a database not migrated yet), the
      // same query unhinted.
      const sql = (hint: string) =>
        `SELECT DISTINCT r.leaf_index FROM evidence_blob_refs r WHERE r.leaf_index IN (SELECT value FROM json_each(?)) AND ${purged(
          hint,
        )}`;
      const bindings = [JSON.stringify(leafIndexes)];
      try {
        rows = await this.db.raw(
          sql(' INDEXED BY evidence_blobs_purged_idx'),
          bindings,
        );
      } catch (e) {
        if (!/no such index/i.test(String((e as Error)?.message))) throw e;
        rows = await this.db.raw(sql(''), bindings);
      }
    }
    return new Set(rows.map(r => Number(r.leaf_index)));
  }

  /**
   * For a list page, in one query: the maintained record count (of some
   * categories; undefined when not `counted`) and whether the entity is
   * under legal hold.
   */
  async listMeta(
    entityRef: string,
    categories: string[] | undefined,
    counted: boolean,
  ): Promise<{ total: number | undefined; legalHold: boolean }> {
    const bindings: string[] = [entityRef];
    let countSql = 'NULL';
    if (counted) {
      const cats = categories?.length ? categories : undefined;
      countSql = `(SELECT COALESCE(SUM(count), 0) FROM evidence_category_counts WHERE entity_ref = ?${
        cats ? ` AND category IN (${cats.map(() => '?').join(', ')})` : ''
      })`;
      bindings.unshift(entityRef, ...(cats ?? []));
    }
    const res: any = await this.db.raw(
      `SELECT ${countSql} AS n, (SELECT COUNT(*) FROM evidence_legal_holds WHERE entity_ref = ?) AS held`,
      bindings,
    );
    const row = this.isPg ? res.rows[0] : res[0];
    return {
      total: counted ? Number(row.n ?? 0) : undefined,
      legalHold: Number(row.held) > 0,
    };
  }

  /**
   * The newest records of many entities in one query (the bulk read behind
   * `POST /v1/latest`), ordered by entity ref, then seq descending:
   *
   * - with `window`: each entity's newest `window` records (any category):
   *   the maintained heads table joined to the records' (entity_ref, seq)
   *   index on `seq > head.seq - window` (seqs are gapless per entity), so
   *   the query reads exactly those rows however long the history is;
   * - otherwise: each entity's newest record of every category (of
   *   `categories` if given), the maintained per-(entity, category) counts
   *   joined on their `latest_seq`.
   *
   * At most `maxRows` rows (more than one entity's worth): when more would
   * match, the last entity (whose rows may be cut) is dropped and returned
   * in `rest` with every entity that has no row in `rows`, to be asked again.
   */
  async newestOf(
    entityRefs: string[],
    options: {
      window?: number;
      categories?: string[];
      maxRows: number;
      /**
       * Canonical characters per answer: entities past it are left to
       * `rest` (at least one entity is always answered), so memory stays
       * bounded however large the envelopes are.
       */
      maxChars?: number;
    },
  ): Promise<{ rows: RecordRow[]; rest: string[] }> {
    let refs = [...new Set(entityRefs)].sort();
    if (!refs.length) return { rows: [], rest: [] };
    const query = (of: string[]) => {
      if (options.window !== undefined) {
        return this.db('evidence_heads as h')
          .join('evidence_records as r', join =>
            join
              .on('r.entity_ref', '=', 'h.entity_ref')
              .andOn('r.seq', '>', this.db.raw('h.seq - ?', [options.window!])),
          )
          .whereIn('h.entity_ref', of);
      }
      const q = this.db('evidence_category_counts as c')
        .join('evidence_records as r', join =>
          join
            .on('r.entity_ref', '=', 'c.entity_ref')
            .andOn('r.seq', '=', 'c.latest_seq'),
        )
        .whereIn('c.entity_ref', of);
      if (options.categories?.length) {
        q.whereIn('c.category', options.categories);
      }
      return q;
    };
    // The window's rows in the order of the heads' key and the records'
    // (entity_ref, seq) index read backwards: SQLite then streams them in
    // index order instead of sorting every row in a temporary B-tree
    // (EXPLAIN QUERY PLAN: no "USE TEMP B-TREE FOR ORDER BY"). The same
    // order, as h.entity_ref = r.entity_ref.
    const orderRef =
      options.window !== undefined ? 'h.entity_ref' : 'r.entity_ref';
    const cols = RECORD_COLUMNS.map(c => `r.${c}`);
    if (options.maxChars !== undefined) {
      const streamed = await this.sqliteNewest(
        refs,
        query(refs)
          .select(cols)
          .orderBy(orderRef, 'asc')
          .orderBy('r.seq', 'desc')
          .limit(options.maxRows + 1),
        options.maxRows,
        options.maxChars,
      );
      if (streamed) return streamed;
    }
    const budgetRest: string[] = [];
    if (options.maxChars !== undefined) {
      // sizes first (small rows), then the records of the entities that fit
      const sizes: Array<{ entity_ref: string; n: number | string }> =
        await query(refs)
          .select('r.entity_ref', this.db.raw('length(r.canonical) as n'))
          .orderBy(orderRef, 'asc')
          .orderBy('r.seq', 'desc')
          .limit(options.maxRows + 1);
      const perEntity = new Map<string, number>();
      for (const s of sizes) {
        perEntity.set(
          s.entity_ref,
          (perEntity.get(s.entity_ref) ?? 0) + Number(s.n),
        );
      }
      // all rows measured, or only the first maxRows + 1 (then an entity
      // not among them is left for later: its size is unknown)
      const complete = sizes.length <= options.maxRows;
      let used = 0;
      let answered = false;
      const fit: string[] = [];
      for (const ref of refs) {
        const n = perEntity.get(ref);
        if (n === undefined) {
          (complete ? fit : budgetRest).push(ref);
        } else if (answered && used + n > options.maxChars) {
          budgetRest.push(ref);
        } else {
          used += n;
          answered = true;
          fit.push(ref);
        }
      }
      refs = fit;
    }
    const raw: any[] = await query(refs)
      .select(cols)
      .orderBy(orderRef, 'asc')
      .orderBy('r.seq', 'desc')
      .limit(options.maxRows + 1);
    let rows = raw.map(toRow);
    let rest: string[] = [];
    if (rows.length > options.maxRows) {
      // an entity's rows are contiguous (ordered by ref, whatever the
      // collation): only the last one may be cut. Entities without a row
      // here are asked again (they may sort after the cut).
      const cut = rows[rows.length - 1].entityRef;
      rows = rows.filter(r => r.entityRef !== cut);
      const answered = new Set(rows.map(r => r.entityRef));
      rest = refs.filter(r => !answered.has(r));
    }
    return { rows, rest: [...rest, ...budgetRest] };
  }

  /**
   * {@link newestOf} with a character budget on SQLite (better-sqlite3), in
   * one pass: the rows are streamed in the query's order (entities
   * contiguous) and the read stops at the first entity that would take the
   * answer past `maxChars` (unless it is the first) or whose rows the row
   * limit cuts; that entity and every one not answered are left to `rest`.
   * Entities without records are answered only when the read got to the
   * end. Memory stays bounded by the budget plus one entity's rows, as with
   * the two queries (sizes, then records) used elsewhere. Undefined when
   * the database is not SQLite through better-sqlite3.
   */
  private async sqliteNewest(
    refs: string[],
    q: Knex.QueryBuilder,
    maxRows: number,
    maxChars: number,
  ): Promise<{ rows: RecordRow[]; rest: string[] } | undefined> {
    if (!this.isBetterSqlite3) return undefined;
    const client = this.db.client as any;
    const conn = await client.acquireConnection();
    try {
      if (typeof conn?.prepare !== 'function') return undefined;
      const { sql, bindings } = q.toSQL().toNative();
      const statement = conn.prepare(sql);
      const rows: RecordRow[] = [];
      let used = 0;
      let pending: RecordRow[] = [];
      let pendingChars = 0;
      let read = 0;
      let stopped = false;
      // the pending entity's rows join the answer when they fit
      const settle = () => {
        if (rows.length > 0 && used + pendingChars > maxChars) return false;
        for (const r of pending) rows.push(r);
        used += pendingChars;
        pending = [];
        pendingChars = 0;
        return true;
      };
      for (const raw of statement.iterate(...bindings) as Iterable<any>) {
        read += 1;
        if (read > maxRows) {
          // past the row limit: the pending entity is complete when this
          // row is another entity's (then it joins the answer if it fits),
          // else the limit cuts it and it is left out whole
          if (pending.length && pending[0].entityRef !== raw.entity_ref) {
            settle();
          }
          stopped = true;
          break;
        }
        const r = toRow(raw);
        if (pending.length && pending[0].entityRef !== r.entityRef) {
          if (!settle()) {
            stopped = true;
            break;
          }
        }
        pending.push(r);
        pendingChars += r.canonical.length;
        if (rows.length > 0 && used + pendingChars > maxChars) {
          stopped = true;
          break;
        }
      }
      if (!stopped && pending.length && !settle()) stopped = true;
      if (!stopped) return { rows, rest: [] };
      const answered = new Set(rows.map(r => r.entityRef));
      return { rows, rest: refs.filter(r => !answered.has(r)) };
    } finally {
      await client.releaseConnection(conn);
    }
  }

  async purgedDigests(digests: string[]): Promise<Set<string>> {
    if (!digests.length) return new Set();
    const rows = await this.db('evidence_blobs')
      .select('digest')
      .whereIn('digest', digests)
      .whereNotNull('purged_at');
    return new Set(rows.map(r => r.digest));
  }

  /**
   * Purges payloads whose every citing record has expired and is not held,
   * in one transaction, in bounded batches of `batchSize` digests (no
   * statement carries more bind parameters than that).
   */
  async purgeExpired(
    nowIso: string,
    options: {
      entityRef?: string;
      categories?: string[];
      ignoreExpiry?: boolean;
      batchSize?: number;
    } = {},
  ): Promise<{ blobs: number; records: number }> {
    return this.db.transaction(tx => this.purgeIn(tx, nowIso, options));
  }

  /** {@link purgeExpired} inside a caller's transaction. */
  async purgeIn(
    tx: Knex.Transaction,
    nowIso: string,
    options: {
      entityRef?: string;
      categories?: string[];
      ignoreExpiry?: boolean;
      batchSize?: number;
    } = {},
  ): Promise<{ blobs: number; records: number }> {
    const batchSize = options.batchSize ?? 5_000;
    let blobs = 0;
    let after = '';
    for (;;) {
      const purged = await this.purgeBatch(
        tx,
        nowIso,
        options,
        after,
        batchSize,
      );
      blobs += purged.purged;
      if (purged.last === undefined) break;
      after = purged.last;
    }
    if (!blobs) return { blobs: 0, records: 0 };
    // records whose payloads this call purged (purged_at = nowIso), counted once
    const counted = tx('evidence_blob_refs as r')
      .join('evidence_blobs as b', 'b.digest', 'r.digest')
      .where('b.purged_at', nowIso);
    if (options.entityRef) counted.where('r.entity_ref', options.entityRef);
    const [{ n }] = await counted.countDistinct({ n: 'r.leaf_index' });
    return { blobs, records: Number(n) };
  }

  /** One batch of {@link purgeIn}, keyset-paged by digest. */
  private async purgeBatch(
    tx: Knex.Transaction,
    nowIso: string,
    options: {
      entityRef?: string;
      categories?: string[];
      ignoreExpiry?: boolean;
    },
    after: string,
    batchSize: number,
  ): Promise<{ purged: number; last?: string }> {
    const candidates = tx('evidence_blob_refs as r')
      .join('evidence_blobs as b', 'b.digest', 'r.digest')
      .whereNull('b.purged_at')
      .where('r.digest', '>', after)
      .distinct('r.digest')
      .orderBy('r.digest')
      .limit(batchSize);
    if (options.entityRef) candidates.where('r.entity_ref', options.entityRef);
    if (options.categories?.length)
      candidates.whereIn('r.category', options.categories);
    if (!options.ignoreExpiry) candidates.where('r.expires_at', '<=', nowIso);
    const digests: string[] = (await candidates).map((r: any) => r.digest);
    if (!digests.length) return { purged: 0 };
    const last = digests.length < batchSize ? undefined : digests.at(-1);
    // keep a blob if any citing record is still retained or under hold
    const keep = new Set<string>(
      (
        await tx('evidence_blob_refs as r')
          .leftJoin('evidence_legal_holds as h', 'h.entity_ref', 'r.entity_ref')
          .whereIn('r.digest', digests)
          .where(w => {
            w.whereNotNull('h.entity_ref');
            if (options.ignoreExpiry && options.entityRef) {
              w.orWhereNot('r.entity_ref', options.entityRef);
              if (options.categories?.length)
                w.orWhereNotIn('r.category', options.categories);
            } else {
              w.orWhere('r.expires_at', '>', nowIso);
            }
          })
          .distinct('r.digest')
      ).map((r: any) => r.digest),
    );
    const purge = digests.filter(d => !keep.has(d));
    if (purge.length) {
      await tx('evidence_blobs')
        .whereIn('digest', purge)
        .update({ content: null, purged_at: nowIso });
    }
    return { purged: purge.length, last };
  }

  // --- legal holds -------------------------------------------------------

  async getLegalHold(entityRef: string): Promise<LegalHold | undefined> {
    const r = await this.db('evidence_legal_holds')
      .where({ entity_ref: entityRef })
      .first();
    return r
      ? {
          entityRef: r.entity_ref,
          reason: r.reason,
          setBy: r.set_by,
          setAt: r.set_at,
        }
      : undefined;
  }

  async setLegalHold(hold: LegalHold): Promise<void> {
    await this.db('evidence_legal_holds')
      .insert({
        entity_ref: hold.entityRef,
        reason: hold.reason,
        set_by: hold.setBy,
        set_at: hold.setAt,
      })
      .onConflict('entity_ref')
      .merge();
  }

  async releaseLegalHold(entityRef: string): Promise<boolean> {
    return (
      (await this.db('evidence_legal_holds')
        .where({ entity_ref: entityRef })
        .delete()) > 0
    );
  }

  // --- checkpoints & keys -----------------------------------------------

  async getCheckpoint(treeSize: number): Promise<string | undefined> {
    const r = await this.db('evidence_checkpoints')
      .where({ tree_size: treeSize })
      .first();
    return r?.note;
  }

  async latestCheckpoint(): Promise<
    { treeSize: number; note: string } | undefined
  > {
    const r = await this.db('evidence_checkpoints')
      .orderBy('tree_size', 'desc')
      .first();
    return r ? { treeSize: Number(r.tree_size), note: r.note } : undefined;
  }

  async putCheckpoint(
    treeSize: number,
    note: string,
    createdAt: string,
  ): Promise<void> {
    await this.db('evidence_checkpoints')
      .insert({ tree_size: treeSize, note, created_at: createdAt })
      .onConflict('tree_size')
      .ignore();
    // Bounded: keep the newest KEPT_CHECKPOINTS. Older tree sizes stay
    // provable: consistency and inclusion proofs come from the tree nodes,
    // and verifiers keep the checkpoints they saw.
    const cutoff = await this.db('evidence_checkpoints')
      .select('tree_size')
      .orderBy('tree_size', 'desc')
      .offset(KEPT_CHECKPOINTS - 1)
      .limit(1)
      .first();
    if (cutoff) {
      await this.db('evidence_checkpoints')
        .where('tree_size', '<', cutoff.tree_size)
        .delete();
    }
  }

  async getOrCreateSignerKey(
    name: string,
    generate: () => string,
  ): Promise<{ key: string; created: boolean }> {
    const existing = await this.db('evidence_signing_keys')
      .where({ name })
      .first();
    if (existing) return { key: existing.signer_key, created: false };
    const key = generate();
    await this.db('evidence_signing_keys')
      .insert({ name, signer_key: key, created_at: new Date().toISOString() })
      .onConflict('name')
      .ignore();
    const row = await this.db('evidence_signing_keys').where({ name }).first();
    return { key: row.signer_key, created: row.signer_key === key };
  }
}

/** Records per (entity, category) of an append batch and the newest seq. */
function categoryCountRows(
  records: Array<{ entity_ref: string; category: string; seq: number }>,
) {
  const counts = new Map<
    string,
    { entity_ref: string; category: string; count: number; latest_seq: number }
  >();
  for (const r of records) {
    const key = `${r.entity_ref}\n${r.category}`;
    const c = counts.get(key);
    if (c) {
      c.count += 1;
      c.latest_seq = Math.max(c.latest_seq, r.seq);
    } else {
      counts.set(key, {
        entity_ref: r.entity_ref,
        category: r.category,
        count: 1,
        latest_seq: r.seq,
      });
    }
  }
  return [...counts.values()];
}

/** A better-sqlite3 prepared statement (the part the store uses). */
type SqliteStatement = {
  run(...values: unknown[]): { changes: number };
  get(...values: unknown[]): any;
  all(...values: unknown[]): any[];
};

/** The part of a better-sqlite3 `Database` the SQLite append path uses. */
type SqliteConnection = { prepare(sql: string): SqliteStatement };

/** Prepared statements by connection and SQL text. */
const preparedStatements = new WeakMap<
  SqliteConnection,
  Map<string, SqliteStatement>
>();

/** `sql` prepared once per connection (it is run many times per batch). */
function sqliteStatement(conn: SqliteConnection, sql: string) {
  let statements = preparedStatements.get(conn);
  if (!statements) {
    statements = new Map();
    preparedStatements.set(conn, statements);
  }
  let statement = statements.get(sql);
  if (!statement) {
    statement = conn.prepare(sql);
    statements.set(sql, statement);
  }
  return statement;
}

/** {@link DatabaseEvidenceStore.heads} on SQLite: each entity's newest record. */
function sqliteHeads(conn: SqliteConnection, entityRefs: string[]) {
  const newest = sqliteStatement(
    conn,
    'SELECT seq, hash FROM evidence_records WHERE entity_ref = ? ORDER BY seq DESC LIMIT 1',
  );
  const out = new Map<string, { seq: number; hash: string }>();
  for (const e of entityRefs) {
    const r = newest.get(e);
    if (r) out.set(e, { seq: Number(r.seq), hash: r.hash });
  }
  return out;
}

/** {@link DatabaseEvidenceStore.byIdempotencyKey} on SQLite. */
function sqliteByIdempotencyKey(conn: SqliteConnection, keys: string[]) {
  const out = new Map<string, RecordRow>();
  if (!keys.length) return out;
  const byKey = sqliteStatement(
    conn,
    `SELECT ${RECORD_COLUMNS.join(
      ', ',
    )}, idempotency_key FROM evidence_records WHERE idempotency_key = ?`,
  );
  for (const k of keys) {
    for (const r of byKey.all(k)) out.set(r.idempotency_key, toRow(r));
  }
  return out;
}

/**
 * The writes of one append batch on SQLite, in the caller's transaction —
 * what the knex path of appendBatch writes (records, tree nodes, blobs and
 * their references, a purged blob restored, log state, heads, category
 * counts) — each through one prepared statement run per row. Returns the
 * touched entities under legal hold.
 */
function sqliteWriteBatch(
  conn: SqliteConnection,
  batch: {
    recordRows: any[];
    nodeRows: Array<{ level: number; idx: number; hash: string }>;
    blobRows: any[];
    refRows: any[];
    heads: Array<{
      entity_ref: string;
      seq: number;
      hash: string;
      leaf_index: number;
    }>;
    size: number;
    rootHex: string;
  },
): string[] {
  const record = sqliteStatement(
    conn,
    'INSERT INTO evidence_records (leaf_index, entity_ref, seq, category, hash, canonical, recorded_at, subject_text, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (const r of batch.recordRows) {
    record.run(
      r.leaf_index,
      r.entity_ref,
      r.seq,
      r.category,
      r.hash,
      r.canonical,
      r.recorded_at,
      r.subject_text,
      r.idempotency_key,
    );
  }
  const node = sqliteStatement(
    conn,
    'INSERT INTO evidence_tree_nodes (level, idx, hash) VALUES (?, ?, ?)',
  );
  for (const n of batch.nodeRows) node.run(n.level, n.idx, n.hash);
  if (batch.blobRows.length) {
    const blob = sqliteStatement(
      conn,
      'INSERT INTO evidence_blobs (digest, size, media_type, content, purged_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING',
    );
    for (const b of batch.blobRows) {
      blob.run(b.digest, b.size, b.media_type, b.content, b.purged_at);
    }
    // a purged blob uploaded again is restored
    const unpurge = sqliteStatement(
      conn,
      'UPDATE evidence_blobs SET purged_at = NULL WHERE digest = ? AND purged_at IS NOT NULL',
    );
    let restored = 0;
    for (const b of batch.blobRows) restored += unpurge.run(b.digest).changes;
    if (restored) {
      const refill = sqliteStatement(
        conn,
        'UPDATE evidence_blobs SET content = ? WHERE digest = ? AND content IS NULL',
      );
      for (const b of batch.blobRows) refill.run(b.content, b.digest);
    }
    const ref = sqliteStatement(
      conn,
      'INSERT INTO evidence_blob_refs (leaf_index, digest, entity_ref, category, expires_at) VALUES (?, ?, ?, ?, ?)',
    );
    for (const r of batch.refRows) {
      ref.run(r.leaf_index, r.digest, r.entity_ref, r.category, r.expires_at);
    }
  }
  sqliteStatement(
    conn,
    'UPDATE evidence_log SET tree_size = ?, root_hash = ? WHERE id = 1',
  ).run(batch.size, batch.rootHex);
  // each entity's newest record, for the heads the checkpoints commit to
  const head = sqliteStatement(
    conn,
    'INSERT INTO evidence_heads (entity_ref, seq, hash, leaf_index) VALUES (?, ?, ?, ?) ON CONFLICT (entity_ref) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, leaf_index = excluded.leaf_index',
  );
  for (const h of batch.heads)
    head.run(h.entity_ref, h.seq, h.hash, h.leaf_index);
  const count = sqliteStatement(
    conn,
    'INSERT INTO evidence_category_counts (entity_ref, category, count, latest_seq) VALUES (?, ?, ?, ?) ON CONFLICT (entity_ref, category) DO UPDATE SET count = evidence_category_counts.count + excluded.count, latest_seq = excluded.latest_seq',
  );
  for (const c of categoryCountRows(batch.recordRows)) {
    count.run(c.entity_ref, c.category, c.count, c.latest_seq);
  }
  const held = sqliteStatement(
    conn,
    'SELECT entity_ref FROM evidence_legal_holds WHERE entity_ref = ?',
  );
  return batch.heads.flatMap(h =>
    held.get(h.entity_ref) ? [h.entity_ref] : [],
  );
}

/**
 * The PostgreSQL statement writing one append batch: a data-modifying CTE per
 * table and, as its result, the touched entities under legal hold. Values
 * are bound (?), never inlined.
 */
function pgBatchSql(
  records: any[],
  nodes: Array<{ level: number; idx: number; hash: string }>,
  heads: Array<{
    entity_ref: string;
    seq: number;
    hash: string;
    leaf_index: number;
  }>,
  /** expectSize: write only if the log still has this size (see appendOptimistic) */
  log: { size: number; rootHex: string; expectSize?: number },
  /** blobs the records cite (each digest once) and the citations */
  cited: {
    blobs: Array<{
      digest: string;
      size: number;
      media_type: string;
      content: Buffer;
    }>;
    refs: Array<{
      leaf_index: number;
      digest: string;
      entity_ref: string;
      category: string;
      expires_at: string;
    }>;
  },
): { sql: string; bindings: any[] } {
  const bindings: unknown[] = [];
  const cond = log.expectSize !== undefined;
  if (cond) bindings.push(log.size, log.rootHex, log.expectSize);
  const values = (rows: unknown[][], casts: string[]) =>
    rows
      .map(
        r =>
          `(${r
            .map((v, i) => {
              bindings.push(v);
              return `?${casts[i]}`;
            })
            .join(', ')})`,
      )
      .join(', ');
  const counts = categoryCountRows(records);
  const recordValues = values(
    records.map(r => [
      r.leaf_index,
      r.entity_ref,
      r.seq,
      r.category,
      r.hash,
      r.canonical,
      r.recorded_at,
      r.subject_text,
      r.idempotency_key,
    ]),
    ['::bigint', '', '::int', '', '', '', '', '', ''],
  );
  const nodeValues = values(
    nodes.map(n => [n.level, n.idx, n.hash]),
    ['::int', '::bigint', ''],
  );
  const headValues = values(
    heads.map(h => [h.entity_ref, h.seq, h.hash, h.leaf_index]),
    ['', '::int', '', '::bigint'],
  );
  const countValues = values(
    counts.map(c => [c.entity_ref, c.category, c.count, c.latest_seq]),
    ['', '', '::bigint', '::int'],
  );
  // blobs: inserted unless stored; a purged one uploaded again is restored
  // (purged_at cleared, content put back) — in ONE update, as a row must not
  // be modified by two parts of a statement
  const blobValues =
    cited.blobs.length &&
    values(
      cited.blobs.map(b => [b.digest, b.size, b.media_type, b.content]),
      ['', '::bigint', '', '::bytea'],
    );
  const restoreValues =
    cited.blobs.length &&
    values(
      cited.blobs.map(b => [b.digest, b.content]),
      ['', '::bytea'],
    );
  const refValues =
    cited.refs.length &&
    values(
      cited.refs.map(r => [
        r.leaf_index,
        r.digest,
        r.entity_ref,
        r.category,
        r.expires_at,
      ]),
      ['::bigint', '', '', '', ''],
    );
  const blobCtes = (when: string) =>
    cited.blobs.length
      ? `, b AS (
  INSERT INTO evidence_blobs (digest, size, media_type, content, purged_at) SELECT v.*, NULL FROM (VALUES ${blobValues}) v ${
          when || 'WHERE true' // a WHERE: ON CONFLICT is not read as a join's ON
        }
  ON CONFLICT (digest) DO NOTHING
), bp AS (
  UPDATE evidence_blobs SET purged_at = NULL, content = COALESCE(evidence_blobs.content, v.content) FROM (VALUES ${restoreValues}) v(digest, content)
  WHERE evidence_blobs.digest = v.digest AND evidence_blobs.purged_at IS NOT NULL${
    when ? ' AND EXISTS (SELECT 1 FROM u)' : ''
  }
)${
          cited.refs.length
            ? `, br AS (
  INSERT INTO evidence_blob_refs (leaf_index, digest, entity_ref, category, expires_at) SELECT * FROM (VALUES ${refValues}) v ${when}
)`
            : ''
        }`
      : '';
  if (!cond) bindings.push(log.size, log.rootHex);
  const refs = heads.map(h => {
    bindings.push(h.entity_ref);
    return `?`;
  });
  if (cond) {
    // every insert reads u: nothing is written unless the log row matched
    const when = 'WHERE EXISTS (SELECT 1 FROM u)';
    return {
      sql: `WITH u AS (
  UPDATE evidence_log SET tree_size = ?::bigint, root_hash = ? WHERE id = 1 AND tree_size = ?::bigint RETURNING id
), r AS (
  INSERT INTO evidence_records (leaf_index, entity_ref, seq, category, hash, canonical, recorded_at, subject_text, idempotency_key)
  SELECT * FROM (VALUES ${recordValues}) v ${when}
), n AS (
  INSERT INTO evidence_tree_nodes (level, idx, hash) SELECT * FROM (VALUES ${nodeValues}) v ${when}
), h AS (
  INSERT INTO evidence_heads (entity_ref, seq, hash, leaf_index) SELECT * FROM (VALUES ${headValues}) v ${when}
  ON CONFLICT (entity_ref) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, leaf_index = excluded.leaf_index
), c AS (
  INSERT INTO evidence_category_counts (entity_ref, category, count, latest_seq) SELECT * FROM (VALUES ${countValues}) v ${when}
  ON CONFLICT (entity_ref, category) DO UPDATE SET count = evidence_category_counts.count + excluded.count, latest_seq = excluded.latest_seq
)${blobCtes(when)}
SELECT (SELECT COUNT(*) FROM u)::int AS applied, ARRAY(SELECT entity_ref FROM evidence_legal_holds WHERE entity_ref IN (${refs.join(
        ', ',
      )})) AS held`,
      bindings,
    };
  }
  const sizeParam = `?::bigint`;
  const rootParam = `?`;
  const sql = `WITH r AS (
  INSERT INTO evidence_records (leaf_index, entity_ref, seq, category, hash, canonical, recorded_at, subject_text, idempotency_key)
  VALUES ${recordValues}
), n AS (
  INSERT INTO evidence_tree_nodes (level, idx, hash) VALUES ${nodeValues}
), h AS (
  INSERT INTO evidence_heads (entity_ref, seq, hash, leaf_index) VALUES ${headValues}
  ON CONFLICT (entity_ref) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, leaf_index = excluded.leaf_index
), c AS (
  INSERT INTO evidence_category_counts (entity_ref, category, count, latest_seq) VALUES ${countValues}
  ON CONFLICT (entity_ref, category) DO UPDATE SET count = evidence_category_counts.count + excluded.count, latest_seq = excluded.latest_seq
)${blobCtes('')}, u AS (
  UPDATE evidence_log SET tree_size = ${sizeParam}, root_hash = ${rootParam} WHERE id = 1
)
SELECT entity_ref FROM evidence_legal_holds WHERE entity_ref IN (${refs.join(
    ', ',
  )})`;
  return { sql, bindings };
}

/** What a retry must repeat exactly (producedAt may differ between tries). */
function requestIdentity(e: {
  category: string;
  subject?: unknown;
  summary: unknown;
  payloadDigest: string | null;
  artifacts: unknown;
  producer: string;
}) {
  return canonicalJson({
    category: e.category,
    subject: e.subject && Object.keys(e.subject).length ? e.subject : null,
    summary: e.summary,
    payloadDigest: e.payloadDigest,
    artifacts: e.artifacts,
    producer: e.producer,
  });
}

function assertSameRequest(stored: RecordRow, item: PreparedAppend) {
  if (requestIdentity(JSON.parse(stored.canonical)) !== requestIdentity(item)) {
    throw new ConflictError(
      `Idempotency-Key '${item.idempotencyKey}' was already used for a different record of ${item.entityRef} (seq ${stored.seq}); use a new key for a new record`,
    );
  }
}

function idemKeyOf(item: PreparedAppend): string {
  return `${item.entityRef}\n${item.idempotencyKey}`;
}

function subjectText(
  subject?: Record<string, string | undefined>,
): string | null {
  if (!subject) return null;
  const vals = Object.values(subject).filter(Boolean) as string[];
  return vals.length ? vals.join(' ').toLowerCase().slice(0, 1024) : null;
}
