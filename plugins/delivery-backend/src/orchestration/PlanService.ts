import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import type { GateEvaluation } from '@assay/plugin-delivery-common';
import { randomUUID } from 'node:crypto';
import { DatabasePlanStore } from './DatabasePlanStore';
import { dependencyGraph, normalizeRefs, wavesOf } from './graph';
import {
  ItemRow,
  ItemStatus,
  NewStep,
  Plan,
  PlanGraph,
  PlanPromotionService,
  PlanRow,
  StepRow,
  WaveStatus,
} from './types';

/** One service's gate preview in a plan preview. */
export interface ServicePreview {
  releaseHash: string | null;
  version: string | null;
  evaluation: GateEvaluation | null;
  approvalsRequired: number;
  /** Why there is no preview (no release, unknown environment, …). */
  error?: string;
}

export interface PlanPreview {
  environment: string;
  graph: PlanGraph;
  waves: string[][];
  previews: Record<string, ServicePreview>;
  /** Services whose gates block (other than missing approvals). */
  blocked: string[];
}

const ENVIRONMENT = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function checkEnvironment(environment: unknown): string {
  if (typeof environment !== 'string' || !ENVIRONMENT.test(environment)) {
    throw new InputError(
      'environment: an environment name (lowercase letters, digits, dashes)',
    );
  }
  return environment;
}

/** Gates that fail for a reason other than approvals still to come. */
function blockingGates(e: GateEvaluation | null): string[] {
  if (!e) return [];
  return e.gates
    .filter(g => g.status === 'fail' && g.id !== 'approvals')
    .map(g => g.title);
}

/** The preview in a plan's words: approvals still to come do not block it. */
function gatesInWords(e: GateEvaluation | null): string {
  if (!e) return 'gates: n/a';
  const approvals = e.gates.find(g => g.id === 'approvals');
  if (!e.allowed && !blockingGates(e).length && approvals?.status === 'fail') {
    return `gates pass (${e.mode}); waits for approval: ${approvals.detail}`;
  }
  return `gates: ${e.summary}`;
}

function waveStatus(items: ItemRow[]): WaveStatus {
  const has = (...s: ItemStatus[]) => items.some(i => s.includes(i.status));
  if (items.every(i => i.status === 'skipped')) return 'skipped';
  if (has('failed', 'blocked', 'cancelled')) return 'failed';
  if (has('rolled-back', 'rolling-back', 'rollback-failed'))
    return 'rolled-back';
  if (items.every(i => i.status === 'succeeded')) return 'succeeded';
  if (has('running')) return 'running';
  if (has('awaiting-approval')) return 'awaiting-approval';
  if (items.every(i => i.status === 'pending')) return 'pending';
  return 'running';
}

/** A plan as served by the API. */
export function presentPlan(
  plan: PlanRow,
  items: ItemRow[],
  steps: StepRow[],
): Plan & { awaitingApproval: string[] } {
  const waves = new Map<number, ItemRow[]>();
  for (const i of items) {
    if (!waves.has(i.wave)) waves.set(i.wave, []);
    waves.get(i.wave)!.push(i);
  }
  return {
    id: plan.id,
    environment: plan.environment,
    status: plan.status,
    phase: plan.phase,
    currentWave: plan.currentWave,
    requestedBy: plan.requestedBy,
    createdAt: plan.createdAt,
    updatedAt: plan.updatedAt,
    finishedAt: plan.finishedAt,
    abortRequestedBy: plan.abortRequestedBy,
    rollbackEarlierWaves: plan.rollbackEarlierWaves,
    concurrency: plan.concurrency,
    demo: plan.demo,
    graph: plan.graph,
    waves: [...waves.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, list]) => ({
        index,
        status: waveStatus(list),
        items: list.map(i => ({
          entityRef: i.entityRef,
          status: i.status,
          version: i.version,
          releaseHash: i.releaseHash,
          previousVersion: i.previousVersion,
          previousReleaseHash: i.previousReleaseHash,
          promotionId: i.promotionId,
          rollbackPromotionId: i.rollbackPromotionId,
          startedAt: i.startedAt,
          finishedAt: i.finishedAt,
          rolledBackAt: i.rolledBackAt,
          error: i.error,
        })),
      })),
    awaitingApproval: items
      .filter(i => i.status === 'awaiting-approval')
      .map(i => i.entityRef),
    steps: steps.map(s => ({
      seq: s.seq,
      at: s.at,
      entityRef: s.entityRef,
      wave: s.wave,
      step: s.step,
      outcome: s.outcome,
      text: s.text,
      evidenceHash: s.evidenceHash,
    })),
    error: plan.error,
  };
}

async function pool<T, R>(
  list: T[],
  size: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(list.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, list.length) }, async () => {
      while (next < list.length) {
        const i = next++;
        out[i] = await fn(list[i]);
      }
    }),
  );
  return out;
}

/**
 * Coordinated promotion: previews a group of services (dependency graph from
 * the catalog, waves, every service's gates), stores plans for the
 * orchestrator, aborts them and reads them back.
 */
export class PlanService {
  private readonly clock: () => Date;

  constructor(
    private readonly options: {
      store: DatabasePlanStore;
      promotions: PlanPromotionService;
      catalog: CatalogService;
      logger: LoggerService;
      concurrency: number;
      rollbackEarlierWaves: boolean;
      clock?: () => Date;
      /** Called after a plan was created or an abort requested (wake the orchestrator). */
      onChange?: (planId: string) => void;
    },
  ) {
    this.clock = options.clock ?? (() => new Date());
  }

  get store() {
    return this.options.store;
  }

  /** Graph, waves and every service's gates (nothing stored). */
  async preview(input: {
    entityRefs: string[];
    environment: string;
    actor: string;
    credentials: BackstageCredentials;
  }): Promise<PlanPreview> {
    const environment = checkEnvironment(input.environment);
    const refs = normalizeRefs(input.entityRefs);
    const graph = await dependencyGraph(
      refs,
      this.options.catalog,
      input.credentials,
    );
    const waves = wavesOf(graph);
    const list = await pool(refs, 8, async ref => {
      try {
        const p = await this.options.promotions.preview(
          ref,
          environment,
          'latest',
          input.actor,
        );
        return [
          ref,
          {
            releaseHash: p.release.hash,
            version: p.release.version,
            evaluation: p.evaluation,
            approvalsRequired: p.approvalsRequired,
          },
        ] as const;
      } catch (e) {
        return [
          ref,
          {
            releaseHash: null,
            version: null,
            evaluation: null,
            approvalsRequired: 0,
            error: (e as Error).message,
          },
        ] as const;
      }
    });
    const previews: Record<string, ServicePreview> = Object.fromEntries(list);
    return {
      environment,
      graph,
      waves,
      previews,
      blocked: refs.filter(
        r => blockingGates(previews[r].evaluation).length > 0,
      ),
    };
  }

  /**
   * Stores a running plan pinned to each service's newest release. 400 when
   * a service cannot be previewed (no release, unknown environment); 409 when
   * a gate other than approvals blocks one, or one is in another running
   * plan for the environment.
   */
  async create(input: {
    entityRefs: string[];
    environment: string;
    actor: string;
    credentials: BackstageCredentials;
    demo?: boolean;
  }): Promise<Plan> {
    const preview = await this.preview(input);
    const broken = Object.entries(preview.previews).filter(([, p]) => p.error);
    if (broken.length) {
      // the environment is the field at fault when it is what every one names
      const field = broken.every(([, p]) => p.error?.startsWith('environment:'))
        ? 'environment'
        : 'entityRefs';
      throw new InputError(
        `${field}: cannot promote ${broken
          .map(([r, p]) => `${r} (${p.error})`)
          .join('; ')}`,
      );
    }
    if (preview.blocked.length) {
      throw new ConflictError(
        `Gates block ${preview.blocked
          .map(
            r =>
              `${r} (${blockingGates(preview.previews[r].evaluation).join(
                ', ',
              )})`,
          )
          .join('; ')} in ${preview.environment}; the plan was not started`,
      );
    }
    const now = this.clock().toISOString();
    const id = randomUUID();
    const plan: PlanRow = {
      id,
      environment: preview.environment,
      status: 'running',
      phase: 'promoting',
      currentWave: 0,
      rowVersion: 0,
      concurrency: this.options.concurrency,
      rollbackEarlierWaves: this.options.rollbackEarlierWaves,
      graph: preview.graph,
      requestedBy: input.actor,
      abortRequestedBy: null,
      abortReason: null,
      error: null,
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
      doneSeq: 0,
      demo: Boolean(input.demo),
    };
    const items: ItemRow[] = preview.waves.flatMap((wave, w) =>
      wave.map((ref, position) => {
        const p = preview.previews[ref];
        return {
          planId: id,
          entityRef: ref,
          wave: w,
          position,
          status: 'pending' as const,
          rowVersion: 0,
          releaseHash: p.releaseHash!,
          version: p.version!,
          previousReleaseHash: null,
          previousVersion: null,
          promotionId: null,
          rollbackPromotionId: null,
          leaseUntil: null,
          startedAt: null,
          finishedAt: null,
          doneSeq: null,
          rolledBackAt: null,
          error: null,
          preview: p.evaluation,
        };
      }),
    );
    const steps: NewStep[] = items.map(i => ({
      at: now,
      entityRef: i.entityRef,
      wave: i.wave,
      step: 'planned',
      outcome: 'planned',
      text: `${i.entityRef} ${i.version} planned for ${
        plan.environment
      } in wave ${i.wave + 1} of ${preview.waves.length} (${gatesInWords(
        i.preview,
      )})`,
      record: {
        actor: input.actor,
        version: i.version,
        releaseHash: i.releaseHash,
        inputs: [i.releaseHash, ...(i.preview?.inputs ?? [])],
        waves: preview.waves.length,
        dependsOn: preview.graph.edges
          .filter(([a]) => a === i.entityRef)
          .map(([, b]) => b),
        gates: i.preview?.summary ?? null,
      },
    }));
    await this.store.insertPlan(plan, items, steps);
    this.options.onChange?.(id);
    return this.get(id);
  }

  async get(id: string): Promise<Plan & { awaitingApproval: string[] }> {
    const plan = await this.store.getPlan(id);
    if (!plan) throw new NotFoundError(`No promotion plan ${id}`);
    const [items, steps] = await Promise.all([
      this.store.items(id),
      this.store.steps(id),
    ]);
    return presentPlan(plan, items, steps);
  }

  /** The entity refs of a plan (for authorization); 404 when unknown. */
  async entitiesOf(id: string): Promise<string[]> {
    const plan = await this.store.getPlan(id);
    if (!plan) throw new NotFoundError(`No promotion plan ${id}`);
    return plan.graph.nodes;
  }

  /** Asks the orchestrator to stop a running plan and roll its wave back. */
  async abort(id: string, actor: string, reason?: string): Promise<Plan> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const plan = await this.store.getPlan(id);
      if (!plan) throw new NotFoundError(`No promotion plan ${id}`);
      if (
        plan.status !== 'running' ||
        plan.abortRequestedBy ||
        plan.phase !== 'promoting'
      ) {
        let why = `Plan ${id} is not running (${plan.status})`;
        if (plan.abortRequestedBy) {
          why = `Plan ${id} is already being aborted (by ${plan.abortRequestedBy})`;
        } else if (plan.status === 'running') {
          why = `Plan ${id} is already stopping: ${plan.error}`;
        }
        throw new ConflictError(why);
      }
      const updated = await this.store.updatePlan({
        planId: id,
        expectedVersion: plan.rowVersion,
        now: this.clock().toISOString(),
        patch: { abortRequestedBy: actor, abortReason: reason ?? null },
      });
      if (updated) {
        this.options.onChange?.(id);
        return this.get(id);
      }
    }
    /* c8 ignore next */
    throw new ConflictError(`Plan ${id} is changing too fast; try again`);
  }
}
