import type { GateEvaluation, Promotion } from '@assay/plugin-delivery-common';
import type { PromotionService } from '../promotion/PromotionService';

/** A promotion or rollback as the orchestrator reads it. */
export type PlanPromotion = Promotion;

/**
 * The single-entity promotion core the orchestrator drives: the part of
 * `PromotionService` (src/promotion) it calls, so a test can pass a small
 * recording implementation. `cancel` (withdraw a promotion awaiting approval
 * when the plan stops) is used when the service offers it.
 */
export type PlanPromotionService = Pick<
  PromotionService,
  'preview' | 'promote' | 'get' | 'rollback' | 'deployedRelease'
> & {
  cancel?(id: string, actor: string, reason?: string): Promise<unknown>;
};

export type PlanStatus = 'running' | 'succeeded' | 'failed' | 'aborted';
export type PlanPhase = 'promoting' | 'rolling-back' | 'done';

export type ItemStatus =
  | 'pending'
  | 'running'
  | 'awaiting-approval'
  | 'succeeded'
  | 'failed'
  | 'blocked'
  | 'skipped'
  | 'cancelled'
  | 'rolling-back'
  | 'rolled-back'
  | 'rollback-failed';

export type WaveStatus =
  | 'pending'
  | 'running'
  | 'awaiting-approval'
  | 'succeeded'
  | 'failed'
  | 'rolled-back'
  | 'skipped';

export interface PlanGraph {
  nodes: string[];
  /** `[a, b]`: a depends on b (b goes first). */
  edges: Array<[string, string]>;
}

export interface PlanRow {
  id: string;
  environment: string;
  status: PlanStatus;
  phase: PlanPhase;
  currentWave: number;
  rowVersion: number;
  concurrency: number;
  rollbackEarlierWaves: boolean;
  graph: PlanGraph;
  requestedBy: string;
  abortRequestedBy: string | null;
  abortReason: string | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  doneSeq: number;
  demo: boolean;
}

export interface ItemRow {
  planId: string;
  entityRef: string;
  wave: number;
  position: number;
  status: ItemStatus;
  rowVersion: number;
  releaseHash: string;
  version: string;
  previousReleaseHash: string | null;
  previousVersion: string | null;
  promotionId: string | null;
  rollbackPromotionId: string | null;
  leaseUntil: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  doneSeq: number | null;
  rolledBackAt: string | null;
  error: string | null;
  preview: GateEvaluation | null;
}

export type StepName =
  | 'planned'
  | 'promote'
  | 'approval-wait'
  | 'skip'
  | 'cancel'
  | 'rollback'
  | 'recover';

/** A plan step: becomes one `promotion` evidence record (kind plan-step). */
export interface NewStep {
  at: string;
  entityRef: string;
  wave: number;
  step: StepName;
  outcome: string;
  text: string;
  /** Summary facts and payload extras of the record. */
  record: {
    actor: string;
    version: string;
    releaseHash: string;
    /** Evidence hashes this step rests on. */
    inputs: string[];
    promotionId?: string | null;
    [key: string]: unknown;
  };
}

export interface StepRow extends NewStep {
  planId: string;
  seq: number;
  evidenceHash: string | null;
}

/** Plan as served by the API (`Plan` in the promotion contract). */
export interface Plan {
  id: string;
  environment: string;
  status: PlanStatus;
  phase: PlanPhase;
  currentWave: number;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  abortRequestedBy: string | null;
  rollbackEarlierWaves: boolean;
  concurrency: number;
  demo: boolean;
  graph: PlanGraph;
  waves: Array<{
    index: number;
    status: WaveStatus;
    items: Array<{
      entityRef: string;
      status: ItemStatus;
      version: string;
      releaseHash: string;
      previousVersion: string | null;
      previousReleaseHash: string | null;
      promotionId: string | null;
      rollbackPromotionId: string | null;
      startedAt: string | null;
      finishedAt: string | null;
      rolledBackAt: string | null;
      error: string | null;
    }>;
  }>;
  steps: Array<{
    seq: number;
    at: string;
    entityRef: string;
    wave: number;
    step: StepName;
    outcome: string;
    text: string;
    evidenceHash: string | null;
  }>;
  error: string | null;
}
