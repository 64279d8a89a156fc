import { LoggerService } from '@backstage/backend-plugin-api';
import { DatabasePlanStore } from './DatabasePlanStore';
import {
  ItemRow,
  ItemStatus,
  NewStep,
  PlanPromotion,
  PlanPromotionService,
  PlanRow,
} from './types';

const FAILED: ItemStatus[] = ['failed', 'blocked', 'cancelled'];

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Maps a promotion's status to the plan item's. */
function itemStatusOf(p: PlanPromotion): ItemStatus {
  switch (p.status) {
    case 'succeeded':
      return 'succeeded';
    case 'awaiting-approval':
      return 'awaiting-approval';
    case 'running':
      return 'running';
    case 'blocked':
      return 'blocked';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'failed'; // failed, or rolled back by its own canary
  }
}

/**
 * Drives coordinated promotion plans from the database: one wave at a time
 * (a barrier between waves), the wave's services in parallel up to the
 * plan's concurrency, and on a failure or an abort the group is stopped and
 * the failed wave's promoted services are rolled back one by one in reverse
 * completion order (earlier waves too when the plan's policy says so).
 *
 * All state is in {@link DatabasePlanStore}; every transition is a
 * compare-and-set, so any number of orchestrators (backends, restarts) can
 * call {@link PlanOrchestrator.tick}: a wave starts once, an item is promoted
 * once (an item whose backend died is taken over after its lease, checking
 * what is deployed before promoting again), and a restarted backend continues
 * where the plan stands.
 */
export class PlanOrchestrator {
  private readonly clock: () => Date;

  constructor(
    private readonly options: {
      store: DatabasePlanStore;
      promotions: PlanPromotionService;
      logger: LoggerService;
      leaseSeconds: number;
      clock?: () => Date;
      flushEvidence?: () => Promise<unknown>;
    },
  ) {
    this.clock = options.clock ?? (() => new Date());
  }

  get store() {
    return this.options.store;
  }

  private now() {
    return this.clock().toISOString();
  }

  private lease() {
    return new Date(
      this.clock().getTime() + this.options.leaseSeconds * 1000,
    ).toISOString();
  }

  private expired(item: ItemRow) {
    return !item.leaseUntil || item.leaseUntil <= this.now();
  }

  /** Advances every running plan as far as it can go now, then writes evidence. */
  async tick(): Promise<void> {
    // plans are independent: up to 8 advance side by side, so one waiting
    // on a slow deployment does not hold the others up
    const ids = await this.store.runningPlanIds();
    await Promise.all(
      Array.from({ length: Math.min(8, ids.length) }, async () => {
        for (let id = ids.shift(); id; id = ids.shift()) {
          try {
            await this.advance(id);
          } catch (e) {
            this.options.logger.error(
              `delivery: promotion plan ${id} could not advance: ${e}`,
            );
          }
        }
      }),
    );
    await this.flush();
  }

  private async flush() {
    try {
      await this.options.flushEvidence?.();
    } catch (e) {
      this.options.logger.warn(`delivery: plan evidence not written yet: ${e}`);
    }
  }

  /** Advances one plan until it waits (on promotions, approvals) or ends. */
  async advance(planId: string): Promise<PlanRow | undefined> {
    for (let guard = 0; guard < 10_000; guard++) {
      const plan = await this.store.getPlan(planId);
      if (!plan || plan.status !== 'running') return plan;
      const items = await this.store.items(planId);
      const progressed =
        plan.phase === 'promoting'
          ? await this.promoteStep(plan, items)
          : await this.rollbackStep(plan, items);
      if (!progressed) return plan;
    }
    /* c8 ignore next */
    throw new Error(`plan ${planId}: no end in sight`);
  }

  private step(
    plan: PlanRow,
    item: ItemRow,
    step: NewStep['step'],
    outcome: string,
    text: string,
    extra: Partial<NewStep['record']> = {},
  ): NewStep {
    return {
      at: this.now(),
      entityRef: item.entityRef,
      wave: item.wave,
      step,
      outcome,
      text,
      record: {
        actor:
          step === 'rollback' || step === 'cancel' || step === 'skip'
            ? plan.abortRequestedBy ?? plan.requestedBy
            : plan.requestedBy,
        version: item.version,
        releaseHash: item.releaseHash,
        inputs: [],
        ...extra,
      },
    };
  }

  private async setItem(
    item: ItemRow,
    patch: Parameters<DatabasePlanStore['updateItem']>[0]['patch'],
    opts: { steps?: NewStep[]; complete?: boolean; maxBusy?: number } = {},
  ) {
    return this.store.updateItem({
      planId: item.planId,
      entityRef: item.entityRef,
      expectedVersion: item.rowVersion,
      patch,
      now: this.now(),
      ...opts,
    });
  }

  /**
   * What runs in the item's environment now; undefined when the promotion
   * core cannot say (the caller retries later rather than guess).
   */
  private async deployed(plan: PlanRow, item: ItemRow) {
    try {
      const d = await this.options.promotions.deployedRelease(
        item.entityRef,
        plan.environment,
      );
      return { hash: d?.releaseHash ?? null, version: d?.version ?? null };
    } catch (e) {
      this.options.logger.warn(
        `delivery: plan ${plan.id}: what runs in ${plan.environment} for ${item.entityRef} is unknown (will retry): ${e}`,
      );
      return undefined;
    }
  }

  /** Records a promotion's result on its item. */
  private async settle(plan: PlanRow, item: ItemRow, p: PlanPromotion) {
    const status = itemStatusOf(p);
    if (status === item.status && p.id === item.promotionId) return false;
    const final = status !== 'running' && status !== 'awaiting-approval';
    const steps: NewStep[] = [];
    const inputs = p.evidenceHashes ?? [];
    if (status === 'awaiting-approval') {
      steps.push(
        this.step(
          plan,
          item,
          'approval-wait',
          'awaiting-approval',
          `${item.entityRef} ${item.version} waits for approval in ${
            plan.environment
          } (plan wave ${item.wave + 1})`,
          { promotionId: p.id, inputs },
        ),
      );
    } else if (final) {
      steps.push(
        this.step(
          plan,
          item,
          'promote',
          status,
          `${item.entityRef} ${item.version} → ${plan.environment}: ${status}${
            p.error ? ` (${p.error})` : ''
          } (plan wave ${item.wave + 1})`,
          { promotionId: p.id, inputs },
        ),
      );
    }
    return Boolean(
      await this.setItem(
        item,
        {
          status,
          promotionId: p.id,
          leaseUntil: null,
          finishedAt: final ? this.now() : null,
          error: final && status !== 'succeeded' ? p.error ?? p.status : null,
        },
        { steps, complete: status === 'succeeded' },
      ),
    );
  }

  /** Re-reads promotions the plan is waiting on; true when one changed. */
  private async refresh(plan: PlanRow, items: ItemRow[]) {
    let changed = false;
    for (const item of items) {
      if (
        item.promotionId &&
        (item.status === 'running' || item.status === 'awaiting-approval')
      ) {
        const p = await this.options.promotions.get(item.promotionId);
        if (p && (await this.settle(plan, item, p))) changed = true;
      }
    }
    return changed;
  }

  /**
   * Promotes one item whose claim this orchestrator holds (status running,
   * lease set). `recovered`: the claim was taken over from a backend that
   * stopped; what is deployed decides whether it landed.
   */
  private async runPromotion(
    plan: PlanRow,
    item: ItemRow,
    recovered: boolean,
  ): Promise<boolean> {
    const { promotions } = this.options;
    if (recovered) {
      const deployed = await this.deployed(plan, item);
      if (!deployed) return true; // unknown: look again after the lease
      if (deployed.hash === item.releaseHash) {
        await this.setItem(
          item,
          {
            status: 'succeeded',
            leaseUntil: null,
            finishedAt: this.now(),
            error: null,
          },
          {
            complete: true,
            steps: [
              this.step(
                plan,
                item,
                'recover',
                'succeeded',
                `${item.entityRef} ${item.version} had landed in ${plan.environment} before its backend stopped`,
              ),
            ],
          },
        );
        return true;
      }
    }
    let result: PlanPromotion;
    try {
      result = await promotions.promote(
        item.entityRef,
        plan.environment,
        item.releaseHash,
        plan.requestedBy,
        { planId: plan.id },
      );
    } catch (e) {
      if (recovered && (e as Error)?.name === 'ConflictError') {
        return true; // the stopped backend's promotion is still active: look later
      }
      const error = errorText(e);
      await this.setItem(
        item,
        {
          status: 'failed',
          leaseUntil: null,
          finishedAt: this.now(),
          error,
        },
        {
          steps: [
            this.step(
              plan,
              item,
              'promote',
              'failed',
              `${item.entityRef} ${item.version} → ${
                plan.environment
              }: failed (${error}) (plan wave ${item.wave + 1})`,
            ),
          ],
        },
      );
      return false;
    }
    await this.settle(plan, item, result);
    return !FAILED.includes(itemStatusOf(result));
  }

  private async promoteStep(plan: PlanRow, items: ItemRow[]): Promise<boolean> {
    if (plan.abortRequestedBy) {
      return this.stop(
        plan,
        `aborted by ${plan.abortRequestedBy}${
          plan.abortReason ? `: ${plan.abortReason}` : ''
        }`,
      );
    }
    const wave = items.filter(i => i.wave === plan.currentWave);
    if (await this.refresh(plan, wave)) return true;

    const failed = wave.filter(i => FAILED.includes(i.status));
    if (failed.length) {
      return this.stop(
        plan,
        `wave ${plan.currentWave + 1} failed: ${failed
          .map(
            i => `${i.entityRef} ${i.status}${i.error ? ` (${i.error})` : ''}`,
          )
          .join('; ')}`,
      );
    }
    if (wave.every(i => i.status === 'succeeded')) {
      const last = !items.some(i => i.wave > plan.currentWave);
      await this.store.updatePlan({
        planId: plan.id,
        expectedVersion: plan.rowVersion,
        now: this.now(),
        patch: last
          ? { status: 'succeeded', phase: 'done', finishedAt: this.now() }
          : { currentWave: plan.currentWave + 1 },
      });
      return true; // won or lost, re-read
    }

    // items whose backend stopped mid-promotion (lease over, no promotion id)
    const stale = wave.filter(
      i => i.status === 'running' && !i.promotionId && this.expired(i),
    );
    let progressed = 0;
    const recoveries: Array<Promise<boolean>> = [];
    for (const item of stale) {
      const claimed = await this.setItem(item, { leaseUntil: this.lease() });
      if (claimed) {
        progressed++;
        recoveries.push(this.runPromotion(plan, claimed, true));
      }
    }

    // pending items: claim up to the plan's concurrency, promote in parallel
    const queue = wave.filter(i => i.status === 'pending');
    let failedNow = false; // a failure stops new claims (the wave rolls back)
    const worker = async () => {
      for (;;) {
        if (failedNow) return;
        const item = queue.shift();
        if (!item) return;
        // the rollback target: what runs there before the plan changes it
        const deployed = await this.deployed(plan, item);
        if (!deployed) return; // unknown: not started, next tick again
        const claimed = await this.setItem(
          item,
          {
            status: 'running',
            leaseUntil: this.lease(),
            startedAt: this.now(),
            previousReleaseHash: deployed.hash,
            previousVersion: deployed.version,
          },
          { maxBusy: plan.concurrency },
        );
        if (!claimed) {
          const current = (await this.store.items(plan.id)).find(
            i => i.entityRef === item.entityRef,
          );
          if (current?.status === 'pending') return; // no free slot: stop
          continue; // another orchestrator took it
        }
        progressed++;
        if (claimed.previousReleaseHash === claimed.releaseHash) {
          // nothing to do: the plan's release already runs there
          await this.setItem(
            claimed,
            { status: 'succeeded', leaseUntil: null, finishedAt: this.now() },
            {
              complete: true,
              steps: [
                this.step(
                  plan,
                  claimed,
                  'promote',
                  'already-deployed',
                  `${claimed.entityRef} ${claimed.version} already runs in ${
                    plan.environment
                  }; nothing to promote (plan wave ${claimed.wave + 1})`,
                ),
              ],
            },
          );
          continue;
        }
        if (!(await this.runPromotion(plan, claimed, false))) failedNow = true;
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(plan.concurrency, queue.length) }, worker),
    );
    await Promise.all(recoveries);
    return progressed > 0;
  }

  /** Stops promoting: the plan rolls back (phase rolling-back). */
  private async stop(plan: PlanRow, error: string) {
    await this.store.updatePlan({
      planId: plan.id,
      expectedVersion: plan.rowVersion,
      now: this.now(),
      patch: { phase: 'rolling-back', error },
    });
    return true;
  }

  private async rollbackStep(
    plan: PlanRow,
    items: ItemRow[],
  ): Promise<boolean> {
    const { promotions, logger } = this.options;
    // nothing more starts
    for (const item of items.filter(i => i.status === 'pending')) {
      await this.setItem(
        item,
        { status: 'skipped' },
        {
          steps: [
            this.step(
              plan,
              item,
              'skip',
              'skipped',
              `${item.entityRef} ${item.version} not promoted to ${plan.environment}: the plan stopped (${plan.error})`,
            ),
          ],
        },
      );
    }
    if (await this.refresh(plan, items)) return true;
    for (const item of items.filter(i => i.status === 'awaiting-approval')) {
      if (promotions.cancel && item.promotionId) {
        try {
          await promotions.cancel(
            item.promotionId,
            plan.abortRequestedBy ?? plan.requestedBy,
            `plan ${plan.id} stopped: ${plan.error}`,
          );
        } catch (e) {
          logger.warn(
            `delivery: could not cancel promotion ${item.promotionId}: ${e}`,
          );
        }
      }
      await this.setItem(
        item,
        { status: 'cancelled', finishedAt: this.now() },
        {
          steps: [
            this.step(
              plan,
              item,
              'cancel',
              'cancelled',
              `${item.entityRef} ${item.version}: approval no longer awaited in ${plan.environment}, the plan stopped (${plan.error})`,
              { promotionId: item.promotionId },
            ),
          ],
        },
      );
    }
    // promotions still in flight finish first (then roll back if they landed)
    for (const item of items.filter(i => i.status === 'running')) {
      if (item.promotionId || !this.expired(item)) return false;
      const claimed = await this.setItem(item, { leaseUntil: this.lease() });
      if (!claimed) return true;
      const deployed = await this.deployed(plan, item);
      if (!deployed) return false; // unknown: look again after the lease
      const landed = deployed.hash === item.releaseHash;
      await this.setItem(
        claimed,
        {
          status: landed ? 'succeeded' : 'failed',
          leaseUntil: null,
          finishedAt: this.now(),
          error: landed ? null : 'interrupted (its backend stopped)',
        },
        {
          complete: landed,
          steps: [
            this.step(
              plan,
              item,
              'recover',
              landed ? 'succeeded' : 'failed',
              `${item.entityRef} ${item.version} ${
                landed ? 'had landed' : 'had not landed'
              } in ${plan.environment} before its backend stopped`,
            ),
          ],
        },
      );
      return true;
    }
    // one rollback at a time
    for (const item of items.filter(i => i.status === 'rolling-back')) {
      if (item.rollbackPromotionId) {
        const p = await promotions.get(item.rollbackPromotionId);
        if (!p || p.status === 'running' || p.status === 'awaiting-approval') {
          return false;
        }
        await this.settleRollback(plan, item, p);
        return true;
      }
      if (!this.expired(item)) return false;
      const claimed = await this.setItem(item, { leaseUntil: this.lease() });
      if (!claimed) return true;
      await this.runRollback(plan, claimed, true);
      return true;
    }
    const scope = items
      .filter(
        i =>
          i.status === 'succeeded' &&
          (i.wave === plan.currentWave ||
            (plan.rollbackEarlierWaves && i.wave < plan.currentWave)) &&
          // nothing to undo when the release was already there
          (i.promotionId || i.previousReleaseHash !== i.releaseHash),
      )
      .sort((a, b) => b.wave - a.wave || (b.doneSeq ?? 0) - (a.doneSeq ?? 0));
    const next = scope[0];
    if (next) {
      if (!next.previousReleaseHash) {
        await this.setItem(
          next,
          {
            status: 'rollback-failed',
            error: `nothing was deployed in ${plan.environment} before the plan; ${next.version} stays`,
          },
          {
            steps: [
              this.step(
                plan,
                next,
                'rollback',
                'not-possible',
                `${next.entityRef}: no release to roll back to in ${plan.environment}; ${next.version} stays`,
              ),
            ],
          },
        );
        return true;
      }
      const claimed = await this.setItem(next, {
        status: 'rolling-back',
        leaseUntil: this.lease(),
      });
      if (claimed) await this.runRollback(plan, claimed, false);
      return true;
    }
    await this.store.updatePlan({
      planId: plan.id,
      expectedVersion: plan.rowVersion,
      now: this.now(),
      patch: {
        status: plan.abortRequestedBy ? 'aborted' : 'failed',
        phase: 'done',
        finishedAt: this.now(),
      },
    });
    return true;
  }

  private async runRollback(plan: PlanRow, item: ItemRow, recovered: boolean) {
    const { promotions } = this.options;
    if (recovered) {
      const deployed = await this.deployed(plan, item);
      if (!deployed) return; // unknown: look again after the lease
      if (deployed.hash === item.previousReleaseHash) {
        await this.setItem(
          item,
          { status: 'rolled-back', leaseUntil: null, rolledBackAt: this.now() },
          {
            steps: [
              this.step(
                plan,
                item,
                'rollback',
                'rolled-back',
                `${item.entityRef} back at ${item.previousVersion} in ${plan.environment} (found after its backend stopped)`,
              ),
            ],
          },
        );
        return;
      }
    }
    let result: PlanPromotion;
    try {
      result = await promotions.rollback(
        item.entityRef,
        plan.environment,
        item.previousReleaseHash!,
        plan.abortRequestedBy ?? plan.requestedBy,
        { planId: plan.id, reason: `plan ${plan.id}: ${plan.error}` },
      );
    } catch (e) {
      if (recovered && (e as Error)?.name === 'ConflictError') return;
      const error = errorText(e);
      await this.setItem(
        item,
        { status: 'rollback-failed', leaseUntil: null, error },
        {
          steps: [
            this.step(
              plan,
              item,
              'rollback',
              'failed',
              `${item.entityRef}: rollback to ${item.previousVersion} in ${plan.environment} failed (${error})`,
            ),
          ],
        },
      );
      return;
    }
    if (result.status === 'running' || result.status === 'awaiting-approval') {
      await this.setItem(item, {
        rollbackPromotionId: result.id,
        leaseUntil: null,
      });
      return;
    }
    await this.settleRollback(plan, item, result);
  }

  private async settleRollback(plan: PlanRow, item: ItemRow, p: PlanPromotion) {
    const ok = p.status === 'succeeded' || p.status === 'rolled-back';
    await this.setItem(
      item,
      {
        status: ok ? 'rolled-back' : 'rollback-failed',
        rollbackPromotionId: p.id,
        leaseUntil: null,
        rolledBackAt: ok ? this.now() : null,
        error: ok ? item.error : p.error ?? `rollback ${p.status}`,
      },
      {
        steps: [
          this.step(
            plan,
            item,
            'rollback',
            ok ? 'rolled-back' : 'failed',
            ok
              ? `${item.entityRef} rolled back ${item.version} → ${item.previousVersion} in ${plan.environment}`
              : `${item.entityRef}: rollback to ${item.previousVersion} in ${
                  plan.environment
                } ${p.status}${p.error ? ` (${p.error})` : ''}`,
            { promotionId: p.id, inputs: p.evidenceHashes ?? [] },
          ),
        ],
      },
    );
  }
}
