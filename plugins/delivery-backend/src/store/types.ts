import type { Point } from '../providers/types';

/** Status of a canary run as stored and served. */
export type RunStatus =
  | 'running'
  | 'paused'
  | 'succeeded'
  | 'rolled_back'
  | 'aborted';

export const ACTIVE_STATUSES: RunStatus[] = ['running', 'paused'];

/** Threshold (Argo-style) rule of a metric; see ThresholdMetricInput in delivery-common. */
export interface CanaryThresholdConfig {
  successCondition?: {
    aggregate: string;
    op: string;
    value?: number;
    baselineFactor?: number;
  };
  failureCondition?: {
    aggregate: string;
    op: string;
    value?: number;
    baselineFactor?: number;
  };
  failureLimit?: number;
  inconclusiveLimit?: number;
  consecutiveErrorLimit?: number;
}

/** One metric a run is judged on (config + judge options). */
export interface CanaryMetricConfig {
  name: string;
  /** PromQL template; `${version}`, `${name}`, `${namespace}`, `${kind}`, `${entityRef}` are substituted. */
  query?: string;
  unit?: string;
  description?: string;
  group?: string;
  /** Judged and shown, never deciding (passed to the judge as `muted`). */
  observeOnly?: boolean;
  critical?: boolean;
  direction?: 'either' | 'increase' | 'decrease';
  nanStrategy?: 'remove' | 'replace';
  outliers?: 'keep' | 'remove';
  mustHaveData?: boolean;
  minSamples?: number;
  effectSize?: {
    measure?: 'meanRatio' | 'cles';
    allowedIncrease?: number;
    allowedDecrease?: number;
    criticalIncrease?: number;
    criticalDecrease?: number;
  };
  /** When set, the metric is judged Argo-style (one measurement per analysis of a step) instead of Mann-Whitney. */
  threshold?: CanaryThresholdConfig;
}

/** The configuration a run was started with (frozen in the row). */
export interface RunConfig {
  /** Steps (weight, optional own interval, optional `analysis: false`). */
  steps: Array<{
    weight: number;
    intervalSeconds?: number;
    analysis?: boolean;
  }>;
  metrics: CanaryMetricConfig[];
  intervalSeconds: number;
  retries: number;
  retryIntervalSeconds: number;
  /** Failed metric queries in a row tolerated before onErrorLimit (absent: 4, Argo's default). */
  consecutiveErrorLimit?: number;
  /** Past the error limit: pause for a human (absent: pause) or abort. */
  onErrorLimit?: 'pause' | 'abort';
  judge: {
    thresholds: { pass: number; marginal: number };
    confidenceLevel?: number;
    tolerance?: number;
    minSamples?: number;
    groupWeights?: Record<string, number>;
  };
}

export type CausalChain = {
  step: number;
  weight: number;
  metric: string | null;
  classification: string | null;
  canary: Record<string, number> | null;
  baseline: Record<string, number> | null;
  estimate: number | null;
  confidenceInterval: Array<number | null> | null;
  rule: string;
  actor: string | null;
};

export interface RunRow {
  id: string;
  entityRef: string;
  version: string;
  baselineVersion: string;
  status: RunStatus;
  rowVersion: number;
  /** The rollout state machine state (JSON). */
  state: any;
  config: RunConfig;
  requestedWeight: number;
  appliedWeight: number | null;
  observedWeight: number | null;
  simulation: 'healthy' | 'degrading' | null;
  reason: string | null;
  causalChain: CausalChain | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  nextAt: string | null;
  demo: boolean;
}

export interface MeasurementSeries {
  metric: string;
  unit?: string;
  canary: Point[];
  baseline: Point[];
}

export interface AnalysisRow {
  id: string;
  runId: string;
  step: number;
  weight: number;
  attempt: number;
  at: string;
  verdict: any;
  outcome: 'advance' | 'retry' | 'rollback' | 'pause' | 'complete';
  observedWeight: number | null;
  inputsDigest: string;
  measurements: MeasurementSeries[];
}

/** A decision; `record` is the evidence append request written for it. */
export interface EventRow {
  runId: string;
  seq: number;
  at: string;
  type: string;
  actor: string | null;
  summary: string;
  requestedWeight: number | null;
  observedWeight: number | null;
  record: {
    summary: Record<string, string | number | boolean | null>;
    payload: Record<string, unknown>;
  };
  evidenceHash: string | null;
}

export type NewEvent = Omit<EventRow, 'runId' | 'seq' | 'evidenceHash'>;

export type RunPatch = Partial<
  Pick<
    RunRow,
    | 'status'
    | 'state'
    | 'requestedWeight'
    | 'observedWeight'
    | 'reason'
    | 'causalChain'
    | 'finishedAt'
    | 'nextAt'
  >
>;
