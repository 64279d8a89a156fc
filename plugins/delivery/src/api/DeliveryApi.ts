import { createApiRef } from '@backstage/core-plugin-api';
import {
  CanaryAction,
  CanaryConfig,
  CanaryRunDetail,
  CanaryRunList,
  StartCanaryRequest,
} from './types';
import {
  CreateReleaseRequest,
  PlanPreview,
  PlanRequest,
  Promotion,
  PromotionHistoryPage,
  PromotionKpis,
  PromotionOverview,
  PromotionPlan,
  PromotionPlanList,
  PromotionPreview,
  PromotionPreviewRequest,
  PromotionRequest,
  Release,
  RollbackRequest,
  ReleaseVerification,
} from './promotionTypes';

/**
 * Access to the Assay delivery backend (`/api/delivery`). Entity refs are
 * full string refs, e.g. `component:default/service-a`. Failures reject
 * with a `ResponseError` (400 names the field, 403 no permission, 409 a run
 * is already active).
 *
 * @public
 */
export interface DeliveryApi {
  /** Steps, metrics and providers of the entity's canary. */
  getCanaryConfig(entityRef: string): Promise<CanaryConfig>;
  /** The entity's canary runs, newest first. */
  listCanaryRuns(
    entityRef: string,
    options?: { limit?: number },
  ): Promise<CanaryRunList>;
  /** One run with its analyses, measurements, weights and decisions. */
  getCanaryRun(entityRef: string, runId: string): Promise<CanaryRunDetail>;
  startCanaryRun(
    entityRef: string,
    request: StartCanaryRequest,
  ): Promise<CanaryRunDetail>;
  /** pause / resume / abort / promote (promote-full: all traffic to the canary now). */
  actOnCanaryRun(
    entityRef: string,
    runId: string,
    action: CanaryAction,
    options?: { reason?: string },
  ): Promise<CanaryRunDetail>;

  /** Environments (in order) with what is deployed and under way, and the newest releases. */
  getPromotionOverview(entityRef: string): Promise<PromotionOverview>;
  /** Cuts a release citing the newest evidence per required category (409 if the version exists). */
  createRelease(
    entityRef: string,
    request: CreateReleaseRequest,
  ): Promise<Release>;
  /** Re-checks every record a release cites (hash, chain, inclusion). */
  verifyRelease(
    entityRef: string,
    releaseHash: string,
  ): Promise<ReleaseVerification>;
  /** Dry-run of the gates for a release and an environment; nothing is stored. */
  previewPromotion(
    entityRef: string,
    request: PromotionPreviewRequest,
  ): Promise<PromotionPreview>;
  /** Starts a promotion (201 also when blocked or awaiting approval; 409 if one is active). */
  promote(entityRef: string, request: PromotionRequest): Promise<Promotion>;
  /** Approves a promotion awaiting approval (403 with the reason for the requester). */
  approvePromotion(
    promotionId: string,
    options?: { comment?: string },
  ): Promise<Promotion>;
  /** Withdraws a promotion awaiting approval (409 otherwise). */
  cancelPromotion(
    promotionId: string,
    options?: { reason?: string },
  ): Promise<Promotion>;
  /** Rolls an environment back to a previous release (gates re-run). */
  rollback(entityRef: string, request: RollbackRequest): Promise<Promotion>;
  /** Promotions and rollbacks of the entity, newest first. */
  getPromotionHistory(
    entityRef: string,
    options?: { limit?: number; cursor?: string },
  ): Promise<PromotionHistoryPage>;
  getPromotion(promotionId: string): Promise<Promotion>;
  /** Success rate and lead time overall, per entity and per team. */
  getPromotionKpis(options?: {
    entityRef?: string;
    owner?: string;
  }): Promise<PromotionKpis>;
  /** Dependency graph, waves and every service's gates (400 naming a cycle). */
  previewPlan(request: PlanRequest): Promise<PlanPreview>;
  /** Starts a coordinated promotion. */
  startPlan(request: PlanRequest): Promise<PromotionPlan>;
  listPlans(options?: {
    limit?: number;
    cursor?: string;
  }): Promise<PromotionPlanList>;
  getPlan(planId: string): Promise<PromotionPlan>;
  /** Stops a running plan; its current wave rolls back (409 when it is not promoting any more). */
  abortPlan(
    planId: string,
    options?: { reason?: string },
  ): Promise<PromotionPlan>;
}

/** @public */
export const deliveryApiRef = createApiRef<DeliveryApi>({
  id: 'plugin.delivery.service',
});
