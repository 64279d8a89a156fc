/*
 * Wire types of the delivery backend's promotion routes
 * (`/api/delivery/v1/promotion/...`), from the promotion contract and
 * plugins/delivery-backend/src/schema/openapi.yaml (the source of truth).
 * The domain types (Promotion, Release, DeployedRelease, PromotionKpi, gate
 * evaluation) are the pure ones of @assay/plugin-delivery-common.
 */
import type {
  DeployedRelease as CommonDeployedRelease,
  GateEvaluation,
  GateResult,
  GateStatus,
  Promotion,
  PromotionApprovalView,
  PromotionEnvironment as PromotionEnvironmentSettings,
  PromotionKpi,
  PromotionMode,
  PromotionStatus,
  Release,
  ReleaseArtifact,
} from '@assay/plugin-delivery-common';

export type {
  GateEvaluation,
  GateResult,
  GateStatus,
  Promotion,
  PromotionApprovalView,
  PromotionEnvironmentSettings,
  PromotionKpi,
  PromotionMode,
  PromotionStatus,
  Release,
  ReleaseArtifact,
};

/**
 * The release running in an environment. `deployedBy` / `evidenceHash`
 * are optional: without them the tab reads them from the promotion that
 * put it there.
 *
 * @public
 */
export type DeployedRelease = CommonDeployedRelease & {
  deployedBy?: string | null;
  evidenceHash?: string | null;
};

/** One environment of the entity as the overview returns it. @public */
export interface PromotionEnvironment extends PromotionEnvironmentSettings {
  deployed: DeployedRelease | null;
  /** the promotion or rollback under way (or awaiting approval) here */
  active: Promotion | null;
}

/** An entity's environments, in promotion order, and its newest releases. @public */
export interface PromotionOverview {
  entityRef: string;
  mode: PromotionMode;
  environments: PromotionEnvironment[];
  /** newest first (at most 20) */
  releases: Release[];
  permissions?: Record<string, boolean>;
}

/** @public */
export interface CreateReleaseRequest {
  version: string;
  artifacts: ReleaseArtifact[];
}

/** Re-check of each record a release cites: hash, chain and inclusion. @public */
export interface ReleaseVerification {
  ok: boolean;
  checks: Array<{
    category: string;
    hash: string;
    ok: boolean;
    reason?: string | null;
  }>;
}

/** @public */
export interface PromotionRequest {
  environment: string;
  releaseHash: string;
  planId?: string;
}

/** A gate dry-run: for a promotion, or for a rollback to an earlier release. @public */
export interface PromotionPreviewRequest {
  environment: string;
  /** a release hash, or `latest` */
  releaseHash: string;
  kind?: 'promotion' | 'rollback';
}

/** @public */
export interface RollbackRequest {
  environment: string;
  releaseHash: string;
  reason?: string;
}

/** A dry-run of the gates for one release and environment (nothing stored). @public */
export interface PromotionPreview {
  mode?: PromotionMode;
  evaluation: GateEvaluation;
  approvalsRequired: number;
  approvals: PromotionApprovalView[];
  release?: Release;
}

/** @public */
export interface PromotionHistoryPage {
  items: Promotion[];
  nextCursor?: string | null;
}

/** @public */
export interface PromotionKpis {
  overall: PromotionKpi;
  entities: PromotionKpi[];
  teams: PromotionKpi[];
}

/** Dependency graph: `[a, b]` means a depends on b (b goes first). @public */
export interface PlanGraph {
  nodes: string[];
  edges: Array<[string, string]>;
}

/** Preview of a coordinated promotion: the waves and every service's gates. @public */
export interface PlanPreview {
  environment?: string;
  graph: PlanGraph;
  waves: string[][];
  previews: Record<
    string,
    {
      releaseHash: string | null;
      version: string | null;
      evaluation: GateEvaluation | null;
      approvalsRequired?: number;
      error?: string | null;
    }
  >;
  /** services whose gates block (other than missing approvals) */
  blocked?: string[];
}

/** @public */
export interface PlanRequest {
  entityRefs: string[];
  environment: string;
}

/** @public */
export type PlanStatus = 'running' | 'succeeded' | 'failed' | 'aborted';

/** One service of a wave in a coordinated promotion. @public */
export interface PlanItem {
  entityRef: string;
  promotionId?: string | null;
  /** pending, running, awaiting-approval, succeeded, failed, rolled-back, … */
  status: string;
  version?: string | null;
  error?: string | null;
  [key: string]: unknown;
}

/** A coordinated promotion of several services in waves. @public */
export interface PromotionPlan {
  id: string;
  environment: string;
  status: PlanStatus;
  requestedBy: string;
  createdAt: string;
  finishedAt?: string | null;
  waves: Array<{ index: number; status: string; items: PlanItem[] }>;
  graph: PlanGraph;
  /** the plan's steps, each a `promotion` evidence record (kind plan-step) */
  steps?: Array<{
    seq: number;
    at: string;
    entityRef: string;
    wave: number;
    step: string;
    outcome: string;
    text: string;
    evidenceHash: string | null;
  }>;
  error?: string | null;
  [key: string]: unknown;
}

/** @public */
export interface PromotionPlanList {
  items: PromotionPlan[];
  nextCursor?: string | null;
}
