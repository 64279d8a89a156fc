import type { JudgeClassification } from '../judge/types';

/** Phase of a canary run. `running` with stepIndex −1 = created, not started. @public */
export type RolloutPhase =
  | 'running'
  | 'paused'
  | 'succeeded'
  | 'rolled_back'
  | 'aborted';

/** One step of a rollout: canary traffic weight, own interval, whether it is analysed. @public */
export interface RolloutStep {
  /** Canary traffic share in percent, 1..100. */
  weight: number;
  /** Seconds at this weight before its analysis (default: the run's interval). */
  intervalSeconds?: number;
  /** Judge this step before advancing (default true); false = advance after the interval. */
  analysis?: boolean;
}

/** Settings of a rollout. @public */
export interface RolloutConfig {
  steps: RolloutStep[];
  /** Default seconds per step (default 300). */
  intervalSeconds?: number;
  /** Failed analyses retried per step before rolling back (default 2). */
  retries?: number;
  /** Seconds before a retry (default 120). */
  retryIntervalSeconds?: number;
  /**
   * Consecutive failed metric queries (the metrics provider down) tolerated
   * before the run stops: more than this many in a row and it pauses (or
   * aborts, see onErrorLimit). Argo's consecutiveErrorLimit; default 4.
   */
  consecutiveErrorLimit?: number;
  /** What a run does past the error limit: pause for a human (default) or abort. */
  onErrorLimit?: 'pause' | 'abort';
}

/** Why the run is paused. @public */
export type PauseCause = 'inconclusive' | 'manual' | 'errors';

/** State of the rollout state machine (JSON-serialisable, stored with the run). @public */
export interface RolloutState {
  phase: RolloutPhase;
  /** Step weights in percent (last is 100). */
  steps: number[];
  /** Per-step settings, same length as steps (absent = run defaults). */
  stepSettings?: Array<{ intervalSeconds?: number; analysis?: boolean }>;
  /** Index of the current step; −1 before start. */
  stepIndex: number;
  /** Requested canary weight now. */
  weight: number;
  /** Analyses taken at the current step. */
  attempt: number;
  /** Failed analyses at the current step (retries are counted against these). */
  failedAttempts?: number;
  retries: number;
  intervalSeconds: number;
  retryIntervalSeconds: number;
  /** Why the run is where it is (last decision), in words. */
  reason: string | null;
  pausedBy?: PauseCause | null;
  /** Metric queries that failed in a row at the current analysis (reset by a verdict or a resume). */
  consecutiveErrors?: number;
  /** See RolloutConfig.consecutiveErrorLimit (absent = 4). */
  consecutiveErrorLimit?: number;
  /** See RolloutConfig.onErrorLimit (absent = pause). */
  onErrorLimit?: 'pause' | 'abort';
  /** Set when the run ended through a rollback or an abort. */
  causalChain?: RolloutCausalChain | null;
}

/**
 * The causal chain of a decision that took traffic away from the canary:
 * where the run was, which metric, its values, the rule that fired, who acted.
 * @public
 */
export interface RolloutCausalChain {
  /** 0-based step index. */
  step: number;
  weight: number;
  metric: string | null;
  classification: string | null;
  /** Summary numbers of the canary (e.g. mean, p95, count, value). */
  canary: Record<string, number> | null;
  baseline: Record<string, number> | null;
  estimate: number | null;
  confidenceInterval: [number, number] | null;
  /** The rule that fired, in words. */
  rule: string;
  actor: string | null;
}

/** Events the rollout state machine accepts. @public */
export type RolloutEvent =
  | { type: 'start' }
  | {
      type: 'verdict';
      classification: JudgeClassification;
      reason: string;
      score?: number;
      /** The deciding metric (see causalChainOf), kept for a rollback's evidence. */
      cause?: RolloutCausalChain | null;
      /** Hashes/digests of the inputs the verdict rests on. */
      inputs?: string[];
    }
  /** A step without analysis has served its interval. */
  | { type: 'advance' }
  /**
   * The metrics for an analysis could not be read (provider failing or
   * unreachable): retried after retryIntervalSeconds until more than
   * consecutiveErrorLimit errors in a row, then paused or aborted.
   */
  | { type: 'metricError'; error: string }
  | { type: 'pause'; actor: string; reason?: string }
  | { type: 'resume'; actor: string; reason?: string }
  | { type: 'abort'; actor: string; reason?: string }
  /** Promote to 100 % now, skipping the remaining steps. */
  | { type: 'promote'; actor: string; reason?: string };

/** Kinds of canary evidence records. @public */
export type CanaryEvidenceKind =
  | 'started'
  | 'step'
  | 'verdict'
  | 'retry'
  | 'paused'
  | 'resumed'
  | 'rollback'
  | 'aborted'
  | 'promoted'
  | 'completed';

/** Side effects the engine performs after persisting the new state. @public */
export type RolloutEffect =
  | { type: 'setWeight'; weight: number }
  | { type: 'scheduleAnalysis'; afterSeconds: number }
  /** A step without analysis: send `advance` after this many seconds. */
  | { type: 'scheduleAdvance'; afterSeconds: number }
  | { type: 'cancelAnalysis' }
  | {
      type: 'recordEvidence';
      kind: CanaryEvidenceKind;
      summary: string;
      step: number;
      fromWeight: number;
      toWeight: number;
      causalChain?: RolloutCausalChain;
      inputs?: string[];
    };

/** What a transition did, for logs and the analysis row. @public */
export type RolloutOutcome =
  | 'start'
  | 'advance'
  | 'retry'
  | 'rollback'
  | 'pause'
  | 'resume'
  | 'abort'
  | 'complete';

/** Result of {@link transition}. @public */
export interface RolloutTransition {
  state: RolloutState;
  effects: RolloutEffect[];
  outcome: RolloutOutcome;
}

/** Why a transition is illegal. @public */
export type RolloutTransitionErrorCode =
  | 'ended'
  | 'already_started'
  | 'not_started'
  | 'not_running'
  | 'not_paused'
  | 'not_analysing'
  | 'unknown_event';

/** A canary run as served by the backend and shown in the UI. @public */
export interface CanaryRun {
  id: string;
  entityRef: string;
  version: string;
  baselineVersion: string;
  state: RolloutState;
  requestedWeight: number;
  observedWeight: number | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/**
 * Payload of a `canary` evidence record: one decision of a run, with the
 * digests of its inputs so it can be replayed with {@link judge} and
 * {@link transition}.
 * @public
 */
export interface CanaryEvidencePayload {
  kind: CanaryEvidenceKind;
  runId: string;
  entityRef: string;
  version: string;
  baselineVersion: string;
  /** 0-based step index and weights around the decision. */
  step: number;
  fromWeight: number;
  toWeight: number;
  /** Entity ref of the acting user, or `plugin:delivery` for the engine. */
  actor: string;
  summary: string;
  verdict?: {
    classification: JudgeClassification;
    score: number;
    reason: string;
    metrics: Array<{
      name: string;
      classification: string;
      estimate: number | null;
      confidenceInterval: [number, number] | null;
      reason: string;
    }>;
  };
  causalChain?: RolloutCausalChain;
  /** Digests/hashes of what the decision read (samples, judge input, evidence). */
  inputs: string[];
}
