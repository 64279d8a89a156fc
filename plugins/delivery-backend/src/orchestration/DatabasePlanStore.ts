import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import { ItemRow, ItemStatus, NewStep, PlanRow, StepRow } from './types';

const migrationsDir = resolvePackagePath(
  '@assay/plugin-delivery-backend',
  'migrations',
);

const PLANS = 'delivery_promotion_plans';
const ITEMS = 'delivery_promotion_plan_items';
const STEPS = 'delivery_promotion_plan_steps';

const json = (v: unknown) =>
  v === undefined || v === null ? null : JSON.stringify(v);
const parse = (v: unknown) =>
  typeof v === 'string' ? JSON.parse(v) : v ?? null;
const numOrNull = (v: unknown) =>
  v === null || v === undefined ? null : Number(v);

export const activeKeyOf = (environment: string, entityRef: string) =>
  `${environment}|${entityRef}`;

function toPlan(r: any): PlanRow {
  return {
    id: r.id,
    environment: r.environment,
    status: r.status,
    phase: r.phase,
    currentWave: Number(r.current_wave),
    rowVersion: Number(r.row_version),
    concurrency: Number(r.concurrency),
    rollbackEarlierWaves: Boolean(r.rollback_earlier_waves),
    graph: parse(r.graph),
    requestedBy: r.requested_by,
    abortRequestedBy: r.abort_requested_by ?? null,
    abortReason: r.abort_reason ?? null,
    error: r.error ?? null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at ?? null,
    doneSeq: Number(r.done_seq),
    demo: Boolean(r.demo),
  };
}

function toItem(r: any): ItemRow {
  return {
    planId: r.plan_id,
    entityRef: r.entity_ref,
    wave: Number(r.wave),
    position: Number(r.position),
    status: r.status,
    rowVersion: Number(r.row_version),
    releaseHash: r.release_hash,
    version: r.version,
    previousReleaseHash: r.previous_release_hash ?? null,
    previousVersion: r.previous_version ?? null,
    promotionId: r.promotion_id ?? null,
    rollbackPromotionId: r.rollback_promotion_id ?? null,
    leaseUntil: r.lease_until ?? null,
    startedAt: r.started_at ?? null,
    finishedAt: r.finished_at ?? null,
    doneSeq: numOrNull(r.done_seq),
    rolledBackAt: r.rolled_back_at ?? null,
    error: r.error ?? null,
    preview: parse(r.preview),
  };
}

function toStep(r: any): StepRow {
  return {
    planId: r.plan_id,
    seq: Number(r.seq),
    at: r.at,
    entityRef: r.entity_ref,
    wave: Number(r.wave),
    step: r.step,
    outcome: r.outcome,
    text: r.text,
    record: parse(r.record),
    evidenceHash: r.evidence_hash ?? null,
  };
}

export type PlanPatch = Partial<
  Pick<
    PlanRow,
    | 'status'
    | 'phase'
    | 'currentWave'
    | 'abortRequestedBy'
    | 'abortReason'
    | 'error'
    | 'finishedAt'
  >
>;

export type ItemPatch = Partial<
  Pick<
    ItemRow,
    | 'status'
    | 'previousReleaseHash'
    | 'previousVersion'
    | 'promotionId'
    | 'rollbackPromotionId'
    | 'leaseUntil'
    | 'startedAt'
    | 'finishedAt'
    | 'rolledBackAt'
    | 'error'
  >
>;

function planColumns(p: PlanPatch): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.status !== undefined) out.status = p.status;
  if (p.phase !== undefined) out.phase = p.phase;
  if (p.currentWave !== undefined) out.current_wave = p.currentWave;
  if (p.abortRequestedBy !== undefined)
    out.abort_requested_by = p.abortRequestedBy;
  if (p.abortReason !== undefined) out.abort_reason = p.abortReason;
  if (p.error !== undefined) out.error = p.error;
  if (p.finishedAt !== undefined) out.finished_at = p.finishedAt;
  return out;
}

function itemColumns(p: ItemPatch): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.status !== undefined) out.status = p.status;
  if (p.previousReleaseHash !== undefined)
    out.previous_release_hash = p.previousReleaseHash;
  if (p.previousVersion !== undefined) out.previous_version = p.previousVersion;
  if (p.promotionId !== undefined) out.promotion_id = p.promotionId;
  if (p.rollbackPromotionId !== undefined)
    out.rollback_promotion_id = p.rollbackPromotionId;
  if (p.leaseUntil !== undefined) out.lease_until = p.leaseUntil;
  if (p.startedAt !== undefined) out.started_at = p.startedAt;
  if (p.finishedAt !== undefined) out.finished_at = p.finishedAt;
  if (p.rolledBackAt !== undefined) out.rolled_back_at = p.rolledBackAt;
  if (p.error !== undefined) out.error = p.error;
  return out;
}

const isUniqueViolation = (e: any) =>
  e?.code === '23505' ||
  e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
  e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
  /unique/i.test(String(e?.message));

/** Aborts a transaction whose compare-and-set lost. */
class RollbackSignal extends Error {}

/** Statuses that occupy a concurrency slot of a plan. */
const BUSY: ItemStatus[] = ['running', 'rolling-back'];

/**
 * Knex-backed store of coordinated promotion plans. Every orchestrator update
 * is a compare-and-set on `row_version` (of the plan or of one item), and the
 * plan step that records it is written in the same transaction (the evidence
 * outbox), so a step exists exactly when its state change does.
 */
export class DatabasePlanStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabasePlanStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabasePlanStore(client);
  }

  constructor(readonly db: Knex) {}

  /**
   * Stores a new running plan with its items (all pending) and steps.
   * ConflictError naming the entities already in a running plan for the
   * environment.
   */
  async insertPlan(
    plan: PlanRow,
    items: ItemRow[],
    steps: NewStep[],
  ): Promise<void> {
    const keys = items.map(i => activeKeyOf(plan.environment, i.entityRef));
    const busyMessage = async (q: Knex) => {
      const busy = await q(ITEMS)
        .whereIn('active_key', keys)
        .select('entity_ref', 'plan_id');
      return busy.length
        ? `Already in a running plan for ${plan.environment}: ${busy
            .map((b: any) => `${b.entity_ref} (plan ${b.plan_id})`)
            .join(', ')}`
        : undefined;
    };
    try {
      await this.db.transaction(async tx => {
        const busy = await busyMessage(tx);
        if (busy) throw new ConflictError(busy);
        await tx(PLANS).insert({
          id: plan.id,
          environment: plan.environment,
          status: plan.status,
          phase: plan.phase,
          current_wave: plan.currentWave,
          row_version: plan.rowVersion,
          concurrency: plan.concurrency,
          rollback_earlier_waves: plan.rollbackEarlierWaves,
          graph: json(plan.graph),
          requested_by: plan.requestedBy,
          abort_requested_by: plan.abortRequestedBy,
          abort_reason: plan.abortReason,
          error: plan.error,
          created_at: plan.createdAt,
          updated_at: plan.updatedAt,
          finished_at: plan.finishedAt,
          done_seq: plan.doneSeq,
          demo: plan.demo,
        });
        for (const i of items) {
          await tx(ITEMS).insert({
            plan_id: plan.id,
            entity_ref: i.entityRef,
            wave: i.wave,
            position: i.position,
            status: i.status,
            row_version: i.rowVersion,
            active_key:
              plan.status === 'running'
                ? activeKeyOf(plan.environment, i.entityRef)
                : null,
            release_hash: i.releaseHash,
            version: i.version,
            previous_release_hash: i.previousReleaseHash,
            previous_version: i.previousVersion,
            promotion_id: i.promotionId,
            rollback_promotion_id: i.rollbackPromotionId,
            lease_until: i.leaseUntil,
            started_at: i.startedAt,
            finished_at: i.finishedAt,
            done_seq: i.doneSeq,
            rolled_back_at: i.rolledBackAt,
            error: i.error,
            preview: json(i.preview),
          });
        }
        await this.insertSteps(tx, plan.id, steps);
      });
    } catch (e) {
      if (e instanceof ConflictError) throw e;
      if (isUniqueViolation(e)) {
        throw new ConflictError(
          (await busyMessage(this.db)) ??
            `Plan ${plan.id} conflicts with a running plan`,
        );
      }
      throw e;
    }
  }

  /**
   * Applies `patch` to the plan only if it is still at `expectedVersion`,
   * with `steps`, in one transaction. A plan that stops running releases its
   * entities (active keys). Undefined when another orchestrator got there
   * first.
   */
  async updatePlan(options: {
    planId: string;
    expectedVersion: number;
    patch: PlanPatch;
    now: string;
    steps?: NewStep[];
  }): Promise<PlanRow | undefined> {
    const { planId, expectedVersion, patch, now } = options;
    return this.db.transaction(async tx => {
      const n = await tx(PLANS)
        .where({ id: planId, row_version: expectedVersion })
        .update({
          ...planColumns(patch),
          updated_at: now,
          row_version: expectedVersion + 1,
        });
      if (n !== 1) return undefined;
      if (patch.status !== undefined && patch.status !== 'running') {
        await tx(ITEMS).where({ plan_id: planId }).update({ active_key: null });
      }
      await this.insertSteps(tx, planId, options.steps ?? []);
      return toPlan(await tx(PLANS).where({ id: planId }).first());
    });
  }

  /**
   * Compare-and-set on one item, with its steps. `complete` stamps the
   * item's completion order (`done_seq`, from the plan's counter).
   * `maxBusy` makes it a claim: refused while the plan already has that
   * many items running or rolling back (checked under the plan row's lock,
   * so racing orchestrators together stay within the bound).
   */
  async updateItem(options: {
    planId: string;
    entityRef: string;
    expectedVersion: number;
    patch: ItemPatch;
    now: string;
    steps?: NewStep[];
    complete?: boolean;
    maxBusy?: number;
  }): Promise<ItemRow | undefined> {
    const { planId, entityRef, expectedVersion, patch, now } = options;
    return this.db
      .transaction(async tx => {
        // locks the plan row (serializes claims and completions of one plan)
        await tx(PLANS).where({ id: planId }).update({ updated_at: now });
        if (options.maxBusy !== undefined) {
          const busy = await tx(ITEMS)
            .where({ plan_id: planId })
            .whereIn('status', BUSY)
            .count('* as n')
            .first();
          if (Number(busy?.n ?? 0) >= options.maxBusy) return undefined;
        }
        const columns = itemColumns(patch);
        if (options.complete) {
          await tx(PLANS).where({ id: planId }).increment('done_seq', 1);
          const p = await tx(PLANS).where({ id: planId }).first('done_seq');
          columns.done_seq = Number(p.done_seq);
        }
        const n = await tx(ITEMS)
          .where({
            plan_id: planId,
            entity_ref: entityRef,
            row_version: expectedVersion,
          })
          .update({ ...columns, row_version: expectedVersion + 1 });
        if (n !== 1) {
          if (options.complete) throw new RollbackSignal();
          return undefined;
        }
        await this.insertSteps(tx, planId, options.steps ?? []);
        return toItem(
          await tx(ITEMS)
            .where({ plan_id: planId, entity_ref: entityRef })
            .first(),
        );
      })
      .catch(e => {
        if (e instanceof RollbackSignal) return undefined;
        throw e;
      });
  }

  private async insertSteps(
    tx: Knex.Transaction,
    planId: string,
    steps: NewStep[],
  ) {
    if (!steps.length) return;
    const max = await tx(STEPS)
      .where({ plan_id: planId })
      .max('seq as m')
      .first();
    let seq = Number(max?.m ?? 0);
    await tx(STEPS).insert(
      steps.map(s => ({
        plan_id: planId,
        seq: ++seq,
        at: s.at,
        entity_ref: s.entityRef,
        wave: s.wave,
        step: s.step,
        outcome: s.outcome,
        text: s.text,
        record: json(s.record),
        evidence_hash: null,
      })),
    );
  }

  async getPlan(id: string): Promise<PlanRow | undefined> {
    const r = await this.db(PLANS).where({ id }).first();
    return r ? toPlan(r) : undefined;
  }

  async items(planId: string): Promise<ItemRow[]> {
    const rows = await this.db(ITEMS)
      .where({ plan_id: planId })
      .orderBy([{ column: 'wave' }, { column: 'position' }]);
    return rows.map(toItem);
  }

  async steps(planId: string): Promise<StepRow[]> {
    const rows = await this.db(STEPS).where({ plan_id: planId }).orderBy('seq');
    return rows.map(toStep);
  }

  /** Plans newest first; `cursor` is the last plan's `createdAt|id`. */
  async listPlans(options: {
    limit: number;
    cursor?: { createdAt: string; id: string };
  }): Promise<PlanRow[]> {
    const q = this.db(PLANS)
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(options.limit);
    if (options.cursor) {
      const { createdAt, id } = options.cursor;
      q.where(w =>
        w
          .where('created_at', '<', createdAt)
          .orWhere(x =>
            x.where('created_at', createdAt).andWhere('id', '<', id),
          ),
      );
    }
    return (await q).map(toPlan);
  }

  /** Ids of the plans still running, oldest first. */
  async runningPlanIds(limit = 100): Promise<string[]> {
    const rows = await this.db(PLANS)
      .where({ status: 'running' })
      .orderBy('created_at')
      .limit(limit)
      .select('id');
    return rows.map((r: any) => r.id);
  }

  /** Steps whose evidence record is not written yet (the outbox). */
  async pendingSteps(limit = 200): Promise<StepRow[]> {
    const rows = await this.db(STEPS)
      .whereNull('evidence_hash')
      .orderBy([{ column: 'at' }, { column: 'plan_id' }, { column: 'seq' }])
      .limit(limit);
    return rows.map(toStep);
  }

  async stepHash(planId: string, seq: number): Promise<string | null> {
    const r = await this.db(STEPS)
      .where({ plan_id: planId, seq })
      .first('evidence_hash');
    return r?.evidence_hash ?? null;
  }

  async setStepHash(planId: string, seq: number, hash: string) {
    await this.db(STEPS)
      .where({ plan_id: planId, seq })
      .update({ evidence_hash: hash });
  }

  async hasDemoPlans(): Promise<boolean> {
    const r = await this.db(PLANS).where({ demo: true }).first('id');
    return Boolean(r);
  }
}
