/*
 * Wire types of the delivery backend (`/api/delivery`), written from
 * plugins/delivery-backend/src/schema/openapi.yaml (the source of truth).
 */

/**
 * running: stepping and analysing; paused: waiting for a human; succeeded:
 * canary at 100%; rolled_back: a failed analysis sent all traffic back to
 * stable; aborted: a human aborted.
 *
 * @public
 */
export type CanaryRunStatus =
  | 'running'
  | 'paused'
  | 'succeeded'
  | 'rolled_back'
  | 'aborted';

/** @public */
export type MetricClassification =
  | 'Pass'
  | 'High'
  | 'Low'
  | 'Nodata'
  | 'NodataFailMetric'
  | 'Error';

/** One metric's result in a verdict, with its numbers and the rule that decided it. @public */
export interface CanaryMetricResult {
  name: string;
  group?: string;
  classification: MetricClassification;
  critical: boolean;
  /** judged and shown, never deciding (observe-only) */
  muted?: boolean;
  /** judged and shown, never deciding (older name of `muted`) */
  observeOnly?: boolean;
  canaryMean?: number | null;
  baselineMean?: number | null;
  /** samples judged per side */
  canaryCount?: number;
  baselineCount?: number;
  estimate?: number | null;
  confidenceInterval?: Array<number | null>;
  effectSize?: number | null;
  /** the rule that decided it and its numbers, in words */
  reason: string;
  [key: string]: unknown;
}

/** Argo-style analysis phase of a threshold metric. @public */
export type ThresholdPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** One threshold metric (e.g. "error rate ≤ 0.5%"), Argo Rollouts style. @public */
export interface CanaryThresholdResult {
  name: string;
  phase: ThresholdPhase;
  muted?: boolean;
  failed?: number;
  inconclusive?: number;
  errors?: number;
  measurements?: Array<{
    phase: ThresholdPhase;
    value: number | null;
    baselineValue: number | null;
    limit: number | null;
    reason: string;
  }>;
  reason: string;
  [key: string]: unknown;
}

/** The judge's result. @public */
export interface CanaryVerdict {
  score: number;
  classification: 'Pass' | 'Marginal' | 'Fail';
  metrics: CanaryMetricResult[];
  thresholdMetrics?: CanaryThresholdResult[];
  thresholdPhase?: ThresholdPhase | null;
  /** why the overall classification is what it is, in words */
  reason?: string;
  [key: string]: unknown;
}

/** @public */
export interface CanaryStep {
  index: number;
  /** requested canary traffic share in percent */
  weight: number;
  status: 'pending' | 'running' | 'passed' | 'failed' | 'paused' | 'skipped';
  /** analyses run at this step (1 + retries) */
  attempts: number;
  startedAt?: string | null;
  finishedAt?: string | null;
}

/** @public */
export interface CanaryPoint {
  /** unix seconds */
  t: number;
  v: number | null;
}

/** Canary vs baseline series of one metric for one analysis. @public */
export interface CanaryMeasurement {
  analysisId: string;
  step: number;
  attempt: number;
  metric: string;
  unit?: string;
  canary: CanaryPoint[];
  baseline: CanaryPoint[];
}

/** @public */
export interface CanaryAnalysis {
  id: string;
  step: number;
  weight: number;
  attempt: number;
  at: string;
  verdict: CanaryVerdict;
  /** what the state machine decided from this verdict */
  outcome: 'advance' | 'retry' | 'rollback' | 'pause' | 'complete';
  observedWeight?: number | null;
  inputsDigest: string;
  evidenceHash?: string | null;
}

/** Summary of one side's sample (n, mean, p50, max …). @public */
export type SampleSummary = Record<string, unknown>;

/** Why a run was rolled back or aborted. @public */
export interface CanaryCausalChain {
  step: number;
  weight: number;
  metric?: string | null;
  classification?: string | null;
  canary?: SampleSummary | null;
  baseline?: SampleSummary | null;
  estimate?: number | null;
  confidenceInterval?: Array<number | null> | null;
  rule: string;
  actor?: string | null;
}

/** One decision of a run. @public */
export interface CanaryRunEvent {
  seq: number;
  at: string;
  /** started, step, verdict, retry, rollback, paused, resumed, aborted, promoted, succeeded */
  type: string;
  actor?: string | null;
  summary: string;
  requestedWeight?: number | null;
  observedWeight?: number | null;
  inputs?: string[];
  /** hash of the `canary` evidence record of this decision (null while pending) */
  evidenceHash?: string | null;
}

/** @public */
export interface CanaryRunSummary {
  id: string;
  entityRef: string;
  version: string;
  baselineVersion: string;
  status: CanaryRunStatus;
  currentStep: number;
  steps: CanaryStep[];
  requestedWeight: number;
  observedWeight?: number | null;
  simulation?: 'healthy' | 'degrading' | null;
  /** why it ended or paused, in words */
  reason?: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string | null;
  nextAnalysisAt?: string | null;
  demo: boolean;
}

/** @public */
export interface CanaryRunDetail extends CanaryRunSummary {
  metrics: Array<{ name: string; [key: string]: unknown }>;
  analyses: CanaryAnalysis[];
  measurements: CanaryMeasurement[];
  weights: Array<{ at: string; requested: number; observed?: number | null }>;
  events: CanaryRunEvent[];
  causalChain?: CanaryCausalChain | null;
}

/** @public */
export interface CanaryRunList {
  items: CanaryRunSummary[];
  activeRunId?: string | null;
}

/** @public */
export interface CanaryMetricConfig {
  name: string;
  group?: string;
  unit?: string;
  description?: string;
  observeOnly?: boolean;
  critical?: boolean;
  [key: string]: unknown;
}

/** Steps, metrics and providers for an entity's canary (for the start dialog). @public */
export interface CanaryConfig {
  steps: number[];
  stepsSource: 'annotation' | 'default';
  metrics: CanaryMetricConfig[];
  metricsProvider: 'simulator' | 'prometheus';
  trafficProvider: 'recorder' | 'istio';
  simulationAvailable: boolean;
  intervalSeconds?: number;
  retries?: number;
  retryIntervalSeconds?: number;
}

/** @public */
export interface StartCanaryRequest {
  version: string;
  baselineVersion?: string;
  /** canary weights in percent, strictly increasing, last = 100 */
  steps?: number[];
  metrics?: string[];
  /** only with the built-in simulator metrics provider */
  simulation?: 'healthy' | 'degrading';
}

/** @public */
export type CanaryAction = 'pause' | 'resume' | 'abort' | 'promote';
