import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import {
  ACTIVE_STATUSES,
  AnalysisRow,
  EventRow,
  NewEvent,
  RunPatch,
  RunRow,
} from './types';

const migrationsDir = resolvePackagePath(
  '@assay/plugin-delivery-backend',
  'migrations',
);

const RUNS = 'delivery_canary_runs';
const ANALYSES = 'delivery_canary_analyses';
const EVENTS = 'delivery_canary_events';

const json = (v: unknown) =>
  v === undefined || v === null ? null : JSON.stringify(v);
const parse = (v: unknown) =>
  typeof v === 'string' ? JSON.parse(v) : v ?? null;
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toRun(r: any): RunRow {
  return {
    id: r.id,
    entityRef: r.entity_ref,
    version: r.version,
    baselineVersion: r.baseline_version,
    status: r.status,
    rowVersion: Number(r.row_version),
    state: parse(r.state),
    config: parse(r.config),
    requestedWeight: Number(r.requested_weight),
    appliedWeight: num(r.applied_weight),
    observedWeight: num(r.observed_weight),
    simulation: r.simulation ?? null,
    reason: r.reason ?? null,
    causalChain: parse(r.causal_chain),
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at ?? null,
    nextAt: r.next_at ?? null,
    demo: Boolean(r.demo),
  };
}

function fromPatch(p: RunPatch): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.status !== undefined) {
    out.status = p.status;
    out.active_key = null; // set by the caller when active
  }
  if (p.state !== undefined) out.state = json(p.state);
  if (p.requestedWeight !== undefined) out.requested_weight = p.requestedWeight;
  if (p.observedWeight !== undefined) out.observed_weight = p.observedWeight;
  if (p.reason !== undefined) out.reason = p.reason;
  if (p.causalChain !== undefined) out.causal_chain = json(p.causalChain);
  if (p.finishedAt !== undefined) out.finished_at = p.finishedAt;
  if (p.nextAt !== undefined) out.next_at = p.nextAt;
  return out;
}

function toAnalysis(r: any): AnalysisRow {
  return {
    id: r.id,
    runId: r.run_id,
    step: Number(r.step),
    weight: Number(r.weight),
    attempt: Number(r.attempt),
    at: r.at,
    verdict: parse(r.verdict),
    outcome: r.outcome,
    observedWeight: num(r.observed_weight),
    inputsDigest: r.inputs_digest,
    measurements: parse(r.measurements) ?? [],
  };
}

function toEvent(r: any): EventRow {
  return {
    runId: r.run_id,
    seq: Number(r.seq),
    at: r.at,
    type: r.type,
    actor: r.actor ?? null,
    summary: r.summary,
    requestedWeight: num(r.requested_weight),
    observedWeight: num(r.observed_weight),
    record: parse(r.record),
    evidenceHash: r.evidence_hash ?? null,
  };
}

const isUniqueViolation = (e: any) =>
  e?.code === '23505' ||
  e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
  /unique/i.test(String(e?.message));

/**
 * Knex-backed canary run store. Every engine update is a compare-and-set on
 * `row_version` (see {@link DatabaseCanaryStore.commit}).
 */
export class DatabaseCanaryStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseCanaryStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseCanaryStore(client);
  }

  private constructor(readonly db: Knex) {}

  /** Inserts a new active run; ConflictError when the entity already has one. */
  async insertRun(run: RunRow, events: NewEvent[]): Promise<void> {
    try {
      await this.db.transaction(async tx => {
        await tx(RUNS).insert({
          id: run.id,
          entity_ref: run.entityRef,
          version: run.version,
          baseline_version: run.baselineVersion,
          status: run.status,
          active_key: ACTIVE_STATUSES.includes(run.status)
            ? run.entityRef
            : null,
          row_version: run.rowVersion,
          state: json(run.state),
          config: json(run.config),
          requested_weight: run.requestedWeight,
          applied_weight: run.appliedWeight,
          observed_weight: run.observedWeight,
          simulation: run.simulation,
          reason: run.reason,
          causal_chain: json(run.causalChain),
          created_by: run.createdBy,
          created_at: run.createdAt,
          updated_at: run.updatedAt,
          finished_at: run.finishedAt,
          next_at: run.nextAt,
          demo: run.demo,
        });
        await this.insertEvents(tx, run.id, events);
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new ConflictError(
          `A canary run is already active for ${run.entityRef}`,
        );
      }
      throw e;
    }
  }

  /**
   * Applies `patch` only if the run is still at `expectedVersion`, together
   * with the analysis and events of the decision, in one transaction.
   * Returns the new row, or undefined when another engine got there first.
   */
  async commit(options: {
    runId: string;
    expectedVersion: number;
    patch: RunPatch;
    now: string;
    analysis?: AnalysisRow;
    events: NewEvent[];
  }): Promise<RunRow | undefined> {
    const { runId, expectedVersion, patch, now } = options;
    return this.db.transaction(async tx => {
      const current = await tx(RUNS).where({ id: runId }).first();
      if (!current) return undefined;
      const update = fromPatch(patch);
      if (patch.status !== undefined) {
        update.active_key = ACTIVE_STATUSES.includes(patch.status)
          ? current.entity_ref
          : null;
      }
      const n = await tx(RUNS)
        .where({ id: runId, row_version: expectedVersion })
        .update({
          ...update,
          updated_at: now,
          row_version: expectedVersion + 1,
        });
      if (n !== 1) return undefined;
      if (options.analysis) {
        const a = options.analysis;
        await tx(ANALYSES).insert({
          id: a.id,
          run_id: runId,
          step: a.step,
          weight: a.weight,
          attempt: a.attempt,
          at: a.at,
          verdict: json(a.verdict),
          outcome: a.outcome,
          observed_weight: a.observedWeight,
          inputs_digest: a.inputsDigest,
          measurements: json(a.measurements),
        });
      }
      await this.insertEvents(tx, runId, options.events);
      return toRun(await tx(RUNS).where({ id: runId }).first());
    });
  }

  private async insertEvents(
    tx: Knex.Transaction,
    runId: string,
    events: NewEvent[],
  ) {
    if (!events.length) return;
    const max = await tx(EVENTS)
      .where({ run_id: runId })
      .max('seq as m')
      .first();
    let seq = Number(max?.m ?? 0);
    await tx(EVENTS).insert(
      events.map(e => ({
        run_id: runId,
        seq: ++seq,
        at: e.at,
        type: e.type,
        actor: e.actor,
        summary: e.summary,
        requested_weight: e.requestedWeight,
        observed_weight: e.observedWeight,
        record: json(e.record),
        evidence_hash: null,
      })),
    );
  }

  async getRun(id: string): Promise<RunRow | undefined> {
    const r = await this.db(RUNS).where({ id }).first();
    return r ? toRun(r) : undefined;
  }

  async activeRun(entityRef: string): Promise<RunRow | undefined> {
    const r = await this.db(RUNS).where({ active_key: entityRef }).first();
    return r ? toRun(r) : undefined;
  }

  async listRuns(entityRef: string, limit: number): Promise<RunRow[]> {
    const rows = await this.db(RUNS)
      .where({ entity_ref: entityRef })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    return rows.map(toRun);
  }

  /** Running runs whose next action is due, or whose weight is not applied. */
  async dueRuns(now: string, limit = 50): Promise<RunRow[]> {
    const rows = await this.db(RUNS)
      .whereNotNull('active_key')
      .andWhere(q =>
        q
          .where(w =>
            w.where('status', 'running').andWhere('next_at', '<=', now),
          )
          .orWhereNull('applied_weight')
          .orWhereRaw('applied_weight <> requested_weight'),
      )
      .orderBy('next_at')
      .limit(limit);
    return rows.map(toRun);
  }

  /** Ended runs whose final weight was not applied yet (rollback after a crash). */
  async unappliedEnded(limit = 50): Promise<RunRow[]> {
    const rows = await this.db(RUNS)
      .whereNull('active_key')
      .andWhere(q =>
        q
          .whereNull('applied_weight')
          .orWhereRaw('applied_weight <> requested_weight'),
      )
      .andWhere('demo', false)
      .limit(limit);
    return rows.map(toRun);
  }

  async setApplied(runId: string, weight: number): Promise<void> {
    await this.db(RUNS).where({ id: runId }).update({ applied_weight: weight });
  }

  async analyses(runId: string): Promise<AnalysisRow[]> {
    const rows = await this.db(ANALYSES)
      .where({ run_id: runId })
      .orderBy([{ column: 'step' }, { column: 'attempt' }]);
    return rows.map(toAnalysis);
  }

  async events(runId: string): Promise<EventRow[]> {
    const rows = await this.db(EVENTS).where({ run_id: runId }).orderBy('seq');
    return rows.map(toEvent);
  }

  /** Decisions whose evidence record is not written yet (the outbox). */
  async pendingEvidence(
    limit = 100,
  ): Promise<Array<EventRow & { entityRef: string }>> {
    const rows = await this.db(`${EVENTS} as e`)
      .join(`${RUNS} as r`, 'r.id', 'e.run_id')
      .whereNull('e.evidence_hash')
      .select('e.*', 'r.entity_ref as entity_ref')
      .orderBy([{ column: 'e.at' }, { column: 'e.seq' }])
      .limit(limit);
    return rows.map(r => ({ ...toEvent(r), entityRef: r.entity_ref }));
  }

  async setEvidenceHash(runId: string, seq: number, hash: string) {
    await this.db(EVENTS)
      .where({ run_id: runId, seq })
      .update({ evidence_hash: hash });
  }

  /**
   * Retention: deletes runs that finished before `cutoff` (ISO-8601) with
   * their analyses and events, in batches. A run whose decisions are not all
   * written to the evidence log yet (outbox) is kept until they are, so no
   * evidence is lost; the evidence records themselves are never touched.
   */
  async deleteFinishedBefore(
    cutoff: string,
    batchSize = 200,
  ): Promise<{ runs: number; analyses: number; events: number }> {
    const total = { runs: 0, analyses: 0, events: 0 };
    for (;;) {
      const ids: string[] = (
        await this.db(RUNS)
          .whereNotNull('finished_at')
          .where('finished_at', '<', cutoff)
          .whereNull('active_key')
          .whereNotExists(
            this.db(EVENTS)
              .select('seq')
              .whereRaw('??.run_id = ??.id', [EVENTS, RUNS])
              .whereNull('evidence_hash'),
          )
          .orderBy('finished_at')
          .limit(batchSize)
          .select('id')
      ).map((r: { id: string }) => r.id);
      if (ids.length === 0) return total;
      await this.db.transaction(async tx => {
        total.analyses += await tx(ANALYSES).whereIn('run_id', ids).delete();
        total.events += await tx(EVENTS).whereIn('run_id', ids).delete();
        total.runs += await tx(RUNS)
          .whereIn('id', ids)
          .whereNotNull('finished_at')
          .delete();
      });
      if (ids.length < batchSize) return total;
    }
  }

  async hasDemoRuns(): Promise<boolean> {
    const r = await this.db(RUNS).where({ demo: true }).first('id');
    return Boolean(r);
  }
}
