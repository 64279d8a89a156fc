import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  CheckDefinition,
  checkSetDigest,
  EntityResult,
  expandResult,
  isCompactResult,
  HistoryPoint,
  LevelCounts,
  LevelOrNone,
  levelRank,
  LEVELS,
  Mode,
  Overview,
  OverviewQuery,
  OverviewRow,
  Rollup,
  RollupDimension,
  TrendPoint,
  Waiver,
} from '@assay/plugin-scorecards-common';
import { Knex } from 'knex';
import { ResultRows, resultRows } from './rows';

/** What is stored per entity besides the result itself. */
export type StoredResult = {
  result: EntityResult;
  kind: string;
  title: string;
  owner?: string;
  system?: string;
  domain?: string;
  etag?: string;
};

/** What a refresh compares to decide whether a stored result is unchanged. */
export type ResultState = {
  etag?: string;
  resultHash: string;
  computedAt: string;
  domain?: string;
};

export type WaiverRecord = Waiver & { comment?: string };

const migrationsDir = resolvePackagePath(
  '@assay/plugin-scorecards-backend',
  'migrations',
);

const emptyLevels = (): LevelCounts => ({
  none: 0,
  bronze: 0,
  silver: 0,
  gold: 0,
});

const ORDER_COLUMNS: Record<NonNullable<OverviewQuery['orderBy']>, string> = {
  entityRef: 'entity_ref',
  owner: 'owner',
  system: 'system',
  kind: 'kind',
  level: 'level_rank',
  score: 'score',
  failing: 'failing',
  computedAt: 'computed_at',
};

const DIMENSION: Record<RollupDimension, string> = {
  team: 'owner',
  system: 'system',
  domain: 'domain',
};

/**
 * Rows per multi-row insert: 16 columns × 200 = 3,200 bound parameters,
 * under the limits of the databases Backstage runs on (SQLite ≥ 3.32,
 * which better-sqlite3 bundles: 32,766; PostgreSQL 65,535).
 */
const SAVE_CHUNK = 200;

/** The part of a better-sqlite3 `Database` the SQLite write path uses. */
type SqliteConnection = {
  prepare(sql: string): { run(...values: unknown[]): unknown };
};

/** Prepared statements by connection and SQL text. */
const preparedStatements = new WeakMap<
  SqliteConnection,
  Map<string, { run(...values: unknown[]): unknown }>
>();

/**
 * Upserts rows (all with the keys of the first, in that order) with one
 * prepared `INSERT … ON CONFLICT (key) DO UPDATE SET` every column — what
 * knex's `insert(rows).onConflict(key).merge()` writes — run per row.
 */
function upsertRows(
  conn: SqliteConnection,
  table: string,
  key: string[],
  rows: object[],
) {
  if (!rows.length) return;
  const columns = Object.keys(rows[0]);
  const q = (c: string) => `"${c}"`;
  const sql = `insert into ${q(table)} (${columns
    .map(q)
    .join(', ')}) values (${columns
    .map(() => '?')
    .join(', ')}) on conflict (${key.map(q).join(', ')}) do update set ${columns
    .map(c => `${q(c)} = excluded.${q(c)}`)
    .join(', ')}`;
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
  const values = new Array(columns.length);
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++) {
      const v = (row as Record<string, unknown>)[columns[i]];
      values[i] = v === undefined ? null : v;
    }
    statement.run(values);
  }
}

/** Scorecard results, daily history and waivers in the plugin's database. */
export class DatabaseScorecardStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseScorecardStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseScorecardStore(client);
  }

  private constructor(private readonly db: Knex) {}

  /**
   * The transaction's better-sqlite3 connection when the database is
   * SQLite through better-sqlite3 (Backstage's SQLite driver), else
   * undefined.
   */
  private async sqliteConnection(
    tx: Knex.Transaction,
  ): Promise<SqliteConnection | undefined> {
    if (
      (this.db.client as { driverName?: string }).driverName !==
      'better-sqlite3'
    )
      return undefined;
    const conn = await (tx as any).client.acquireConnection();
    return typeof conn?.prepare === 'function' ? conn : undefined;
  }

  /** Check sets by digest (verified or written by this process). */
  private readonly checkSets = new Map<string, CheckDefinition[]>();

  /**
   * Stores the check definitions once, content-addressed
   * (`checkSetDigest`); results refer to them by digest. Returns the digest.
   */
  async saveCheckSet(checks: CheckDefinition[]): Promise<string> {
    const digest = checkSetDigest(checks);
    if (!this.checkSets.has(digest)) {
      await this.db('scorecard_checksets')
        .insert({ digest, checks: JSON.stringify(checks) })
        .onConflict('digest')
        .ignore();
      this.checkSets.set(digest, checks);
    }
    return digest;
  }

  /**
   * The check definitions stored under a digest; undefined when none. A
   * set read back is checked against its digest once per process (the
   * table is written only by saveCheckSet, but a row that does not hash to
   * its key is never served).
   */
  async getCheckSet(digest: string): Promise<CheckDefinition[] | undefined> {
    let checks = this.checkSets.get(digest);
    if (!checks) {
      const row = await this.db('scorecard_checksets')
        .where({ digest })
        .first('checks');
      if (!row) return undefined;
      const parsed = JSON.parse(row.checks) as CheckDefinition[];
      if (checkSetDigest(parsed) !== digest) {
        throw new Error(
          `scorecard_checksets: the check set stored under ${digest} does not hash to it`,
        );
      }
      checks = parsed;
      this.checkSets.set(digest, checks);
    }
    return checks;
  }

  /**
   * The stored JSON back to an EntityResult: the check definitions (and
   * each check's title, description, category, remediation and controls,
   * which are stored once per check set, not per result) from the check
   * set the result was computed with. Rows stored in full are returned as
   * they are.
   */
  private async inflate(json: string): Promise<EntityResult> {
    const r = JSON.parse(json);
    if (!isCompactResult(r)) return r as EntityResult;
    const checks = await this.getCheckSet(r.replay.checksDigest);
    return expandResult(r, checks ?? [], { trusted: true });
  }

  /**
   * Upserts results and today's history point of each (their check sets
   * are stored first), all in one transaction.
   */
  async saveResults(items: StoredResult[]): Promise<void> {
    if (items.length === 0) return;
    const digests = new Map<CheckDefinition[], string>();
    for (const { result } of items) {
      const checks = result.replay.checks;
      if (!digests.has(checks))
        digests.set(checks, await this.saveCheckSet(checks));
    }
    await this.saveRows(
      items.map(i => resultRows(i, digests.get(i.result.replay.checks)!)),
    );
  }

  /**
   * Upserts prepared rows ({@link resultRows}; their check set must have
   * been stored with {@link saveCheckSet}) in one transaction: on SQLite
   * one prepared upsert per table run per row, elsewhere multi-row inserts
   * of {@link SAVE_CHUNK} rows.
   */
  async saveRows(items: ResultRows[]): Promise<void> {
    if (items.length === 0) return;
    const rows = items.map(i => i.result);
    const history = items.map(i => i.history);
    await this.db.transaction(async tx => {
      const sqlite = await this.sqliteConnection(tx);
      if (sqlite) {
        // better-sqlite3: one prepared upsert per table, run per row (no
        // query building or statement compilation per chunk)
        upsertRows(sqlite, 'scorecard_results', ['entity_ref'], rows);
        upsertRows(sqlite, 'scorecard_history', ['entity_ref', 'day'], history);
        return;
      }
      for (let i = 0; i < rows.length; i += SAVE_CHUNK) {
        await tx('scorecard_results')
          .insert(rows.slice(i, i + SAVE_CHUNK))
          .onConflict('entity_ref')
          .merge();
        await tx('scorecard_history')
          .insert(history.slice(i, i + SAVE_CHUNK))
          .onConflict(['entity_ref', 'day'])
          .merge();
      }
    });
  }

  async getResult(entityRef: string): Promise<EntityResult | undefined> {
    const row = await this.db('scorecard_results')
      .where({ entity_ref: entityRef })
      .first('result');
    return row ? this.inflate(row.result) : undefined;
  }

  /** entityRef → etag and result hash of every stored result. */
  async listStates(): Promise<Map<string, ResultState>> {
    const rows = await this.db('scorecard_results').select(
      'entity_ref',
      'entity_etag',
      'result_hash',
      'computed_at',
      'domain',
    );
    return new Map(
      rows.map(r => [
        r.entity_ref,
        {
          etag: r.entity_etag ?? undefined,
          resultHash: r.result_hash,
          computedAt: r.computed_at,
          domain: r.domain ?? undefined,
        },
      ]),
    );
  }

  /** Deletes results (not history) of entities no longer in the catalog. */
  async deleteResults(entityRefs: string[]): Promise<void> {
    for (let i = 0; i < entityRefs.length; i += 500) {
      await this.db('scorecard_results')
        .whereIn('entity_ref', entityRefs.slice(i, i + 500))
        .delete();
    }
  }

  async *allResults(): AsyncGenerator<EntityResult> {
    let after = '';
    for (;;) {
      const rows = await this.db('scorecard_results')
        .where('entity_ref', '>', after)
        .orderBy('entity_ref')
        .limit(500)
        .select('entity_ref', 'result');
      if (rows.length === 0) return;
      for (const row of rows) yield await this.inflate(row.result);
      after = rows[rows.length - 1].entity_ref;
    }
  }

  private filtered(q: OverviewQuery) {
    const query = this.db('scorecard_results');
    if (q.q) {
      query.where(
        'entity_ref',
        'like',
        `%${q.q.toLowerCase().replace(/[%_\\]/g, '')}%`,
      );
    }
    if (q.owner) query.where('owner', q.owner.toLowerCase());
    if (q.system) query.where('system', q.system.toLowerCase());
    if (q.domain) query.where('domain', q.domain.toLowerCase());
    if (q.kind) query.where('kind', q.kind.toLowerCase());
    // by rank: the (level_rank, entity_ref) index serves it
    if (q.level) query.where('level_rank', levelRank(q.level));
    if (q.mode) query.where('mode', q.mode);
    if (q.failingCheck) {
      query.where(
        'failing_checks',
        'like',
        `%,${q.failingCheck.replace(/[%_\\,]/g, '')},%`,
      );
    }
    return query;
  }

  async overview(q: OverviewQuery): Promise<Overview> {
    const offset = q.offset ?? 0;
    const limit = q.limit ?? 50;
    const column = ORDER_COLUMNS[q.orderBy ?? 'entityRef'];
    const order = q.order ?? 'asc';
    const [page, counts] = await Promise.all([
      // the page's refs first (an index walk when the sort has an index:
      // an offset then skips index entries, not rows carrying result JSON),
      // then the rows of those refs
      this.filtered(q)
        .orderBy([
          { column, order },
          { column: 'entity_ref', order: 'asc' },
        ])
        .offset(offset)
        .limit(limit)
        .select('entity_ref'),
      // counted by rank: answered from the (level_rank, entity_ref) index
      // without reading the rows (which carry the result JSON)
      this.filtered(q)
        .groupBy('level_rank')
        .select('level_rank', this.db.raw('count(*) as n')),
    ]);
    const refs = (page as Array<{ entity_ref: string }>).map(r => r.entity_ref);
    const byRef = new Map<string, any>();
    if (refs.length) {
      for (const row of await this.db('scorecard_results')
        .whereIn('entity_ref', refs)
        .select(
          'entity_ref',
          'kind',
          'title',
          'owner',
          'system',
          'domain',
          'mode',
          'score',
          'level',
          'failing',
          'failing_checks',
          'computed_at',
        )) {
        byRef.set(row.entity_ref, row);
      }
    }
    // a row deleted between the two reads is left out
    const rows = refs.flatMap(r => (byRef.has(r) ? [byRef.get(r)] : []));
    const levels = emptyLevels();
    let totalCount = 0;
    for (const c of counts as any[]) {
      const rank = Number(c.level_rank);
      levels[(rank < 0 ? 'none' : LEVELS[rank]) as LevelOrNone] = Number(c.n);
      totalCount += Number(c.n);
    }
    return {
      items: rows.map(toOverviewRow),
      totalCount,
      offset,
      limit,
      levels,
    };
  }

  /** Every row matching the filters (for the CSV export). */
  async overviewAll(q: OverviewQuery): Promise<OverviewRow[]> {
    const column = ORDER_COLUMNS[q.orderBy ?? 'entityRef'];
    const rows = await this.filtered(q)
      .orderBy([
        { column, order: q.order ?? 'asc' },
        { column: 'entity_ref', order: 'asc' },
      ])
      .select(
        'entity_ref',
        'kind',
        'title',
        'owner',
        'system',
        'domain',
        'mode',
        'score',
        'level',
        'failing',
        'failing_checks',
        'computed_at',
      );
    return rows.map(toOverviewRow);
  }

  async rollups(dimension: RollupDimension): Promise<Rollup[]> {
    const col = DIMENSION[dimension];
    const rows = await this.db('scorecard_results')
      .groupBy(col, 'level')
      .select(
        this.db.raw(`${col} as k`),
        'level',
        this.db.raw('count(*) as n'),
        this.db.raw('sum(score) as s'),
      );
    const by = new Map<string, Rollup & { sum: number }>();
    for (const r of rows as any[]) {
      const key = r.k ?? '(none)';
      const cur = by.get(key) ?? {
        key,
        entities: 0,
        averageScore: 0,
        levels: emptyLevels(),
        sum: 0,
      };
      cur.entities += Number(r.n);
      cur.sum += Number(r.s);
      cur.levels[r.level as LevelOrNone] += Number(r.n);
      by.set(key, cur);
    }
    return [...by.values()]
      .map(({ sum, ...r }) => ({
        ...r,
        averageScore: Math.round((sum / r.entities) * 10) / 10,
      }))
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  async history(entityRef: string, sinceDay: string): Promise<HistoryPoint[]> {
    const rows = await this.db('scorecard_history')
      .where({ entity_ref: entityRef })
      .andWhere('day', '>=', sinceDay)
      .orderBy('day')
      .select();
    return rows.map(r => ({
      day: r.day,
      score: Number(r.score),
      level: r.level,
      pass: r.pass,
      fail: r.fail,
      warn: r.warn,
      unknown: r.unknown,
      waived: r.waived,
    }));
  }

  async trends(sinceDay: string, owner?: string): Promise<TrendPoint[]> {
    const q = this.db('scorecard_history').where('day', '>=', sinceDay);
    if (owner) q.andWhere('owner', owner.toLowerCase());
    const rows = await q
      .groupBy('day', 'level')
      .select(
        'day',
        'level',
        this.db.raw('count(*) as n'),
        this.db.raw('sum(score) as s'),
      );
    const by = new Map<string, TrendPoint & { sum: number }>();
    for (const r of rows as any[]) {
      const cur = by.get(r.day) ?? {
        day: r.day,
        entities: 0,
        averageScore: 0,
        levels: emptyLevels(),
        sum: 0,
      };
      cur.entities += Number(r.n);
      cur.sum += Number(r.s);
      cur.levels[r.level as LevelOrNone] += Number(r.n);
      by.set(r.day, cur);
    }
    return [...by.values()]
      .map(({ sum, ...p }) => ({
        ...p,
        averageScore: Math.round((sum / p.entities) * 10) / 10,
      }))
      .sort((a, b) => a.day.localeCompare(b.day));
  }

  /** Retention: deletes history points older than `beforeDay`. */
  async deleteHistoryBefore(beforeDay: string): Promise<number> {
    return this.db('scorecard_history').where('day', '<', beforeDay).delete();
  }

  async insertWaiver(w: WaiverRecord): Promise<void> {
    await this.db('scorecard_waivers').insert(toWaiverRow(w));
  }

  async getWaiver(id: string): Promise<WaiverRecord | undefined> {
    const row = await this.db('scorecard_waivers').where({ id }).first();
    return row ? fromWaiverRow(row) : undefined;
  }

  /** Decides a pending waiver; false when it was no longer pending. */
  async decideWaiver(
    id: string,
    decision: Pick<
      WaiverRecord,
      'status' | 'decidedBy' | 'decidedAt' | 'comment' | 'evidenceHash'
    >,
  ): Promise<boolean> {
    const n = await this.db('scorecard_waivers')
      .where({ id, status: 'pending' })
      .update({
        status: decision.status,
        decided_by: decision.decidedBy,
        decided_at: decision.decidedAt,
        comment: decision.comment ?? null,
        evidence_hash: decision.evidenceHash ?? null,
      });
    return n === 1;
  }

  async setWaiverEvidence(id: string, evidenceHash: string): Promise<void> {
    await this.db('scorecard_waivers')
      .where({ id })
      .update({ evidence_hash: evidenceHash });
  }

  /** Back to pending (the decision could not be recorded as evidence). */
  async revertWaiver(id: string): Promise<void> {
    await this.db('scorecard_waivers').where({ id }).update({
      status: 'pending',
      decided_by: null,
      decided_at: null,
      comment: null,
    });
  }

  async listWaivers(filter: {
    entityRef?: string;
    status?: Waiver['status'];
    now: string;
  }): Promise<WaiverRecord[]> {
    const q = this.db('scorecard_waivers').orderBy('requested_at', 'desc');
    if (filter.entityRef) q.where('entity_ref', filter.entityRef);
    if (filter.status === 'expired') {
      q.where('status', 'approved').andWhere('expires_at', '<=', filter.now);
    } else if (filter.status === 'approved') {
      q.where('status', 'approved').andWhere('expires_at', '>', filter.now);
    } else if (filter.status) {
      q.where('status', filter.status);
    }
    const rows = await q.limit(1000).select();
    return rows.map(r => withDerivedStatus(fromWaiverRow(r), filter.now));
  }

  /** Every approved waiver, of every entity, that has not expired at `now` (no page limit). */
  async allActiveWaivers(now: string): Promise<Waiver[]> {
    const rows = await this.db('scorecard_waivers')
      .where({ status: 'approved' })
      .andWhere('expires_at', '>', now)
      .select();
    return rows.map(fromWaiverRow).map(({ comment, ...w }) => w);
  }

  /** Approved waivers of an entity that have not expired at `now`. */
  async activeWaivers(entityRef: string, now: string): Promise<Waiver[]> {
    const rows = await this.db('scorecard_waivers')
      .where({ entity_ref: entityRef, status: 'approved' })
      .andWhere('expires_at', '>', now)
      .select();
    return rows.map(fromWaiverRow).map(({ comment, ...w }) => w);
  }

  /** Entities with an approved waiver that expired in (since, now]. */
  async expiredSince(since: string, now: string): Promise<string[]> {
    const rows = await this.db('scorecard_waivers')
      .where('status', 'approved')
      .andWhere('expires_at', '>', since)
      .andWhere('expires_at', '<=', now)
      .distinct('entity_ref');
    return rows.map(r => r.entity_ref);
  }
}

export function withDerivedStatus<T extends Waiver>(w: T, now: string): T {
  return w.status === 'approved' && w.expiresAt <= now
    ? { ...w, status: 'expired' }
    : w;
}

function toOverviewRow(r: any): OverviewRow {
  return {
    entityRef: r.entity_ref,
    kind: r.kind,
    title: r.title,
    ...(r.owner ? { owner: r.owner } : {}),
    ...(r.system ? { system: r.system } : {}),
    ...(r.domain ? { domain: r.domain } : {}),
    mode: r.mode as Mode,
    score: Number(r.score),
    level: r.level as LevelOrNone,
    failing: Number(r.failing),
    failingChecks: String(r.failing_checks).split(',').filter(Boolean),
    computedAt: r.computed_at,
  };
}

function toWaiverRow(w: WaiverRecord) {
  return {
    id: w.id,
    entity_ref: w.entityRef,
    check_id: w.checkId,
    reason: w.reason,
    expires_at: w.expiresAt,
    status: w.status,
    requested_by: w.requestedBy,
    requested_at: w.requestedAt,
    decided_by: w.decidedBy ?? null,
    decided_at: w.decidedAt ?? null,
    comment: w.comment ?? null,
    evidence_hash: w.evidenceHash ?? null,
  };
}

function fromWaiverRow(r: any): WaiverRecord {
  return {
    id: r.id,
    entityRef: r.entity_ref,
    checkId: r.check_id,
    reason: r.reason,
    expiresAt: r.expires_at,
    status: r.status,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    ...(r.decided_by ? { decidedBy: r.decided_by } : {}),
    ...(r.decided_at ? { decidedAt: r.decided_at } : {}),
    ...(r.comment ? { comment: r.comment } : {}),
    ...(r.evidence_hash ? { evidenceHash: r.evidence_hash } : {}),
  };
}
