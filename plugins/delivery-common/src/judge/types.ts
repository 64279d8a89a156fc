/**
 * Public types of the canary judge.
 *
 * @packageDocumentation
 */

/** Which change of the canary counts against it. @public */
export type MetricDirection = 'either' | 'increase' | 'decrease';

/** What to do with NaN values: drop them, or count them as 0. @public */
export type NanStrategy = 'remove' | 'replace';

/** Keep every value, or drop values outside the IQR fences (f = 3). @public */
export type OutlierStrategy = 'keep' | 'remove';

/** Effect size measure: `meanRatio` = mean(canary) / mean(baseline); `cles` = P(canary > baseline). @public */
export type EffectSizeMeasure = 'meanRatio' | 'cles';

/** Effect size limits of one metric (Kayenta semantics, all default 1.0). @public */
export interface EffectSizeConfig {
  measure?: EffectSizeMeasure;
  /** High only when the effect size is at least this (or NaN). */
  allowedIncrease?: number;
  /** Low only when the effect size is at most this (or NaN). */
  allowedDecrease?: number;
  /** A critical metric that is High fails the run only at or past this. */
  criticalIncrease?: number;
  /** A critical metric that is Low fails the run only at or below this. */
  criticalDecrease?: number;
}

/** One statistically judged metric: raw samples of both sides. @public */
export interface JudgeMetricInput {
  name: string;
  /** Score group; metrics without one share the group `default`. */
  group?: string;
  canary: number[];
  baseline: number[];
  direction?: MetricDirection;
  nanStrategy?: NanStrategy;
  outliers?: OutlierStrategy;
  /** A critical metric that fails sets the score to 0. */
  critical?: boolean;
  /** No data counts as a failure (NodataFailMetric) instead of being ignored. */
  mustHaveData?: boolean;
  /** Observe-only: judged and shown, never part of the score. */
  muted?: boolean;
  /** Overrides the judge's minSamples for this metric. */
  minSamples?: number;
  effectSize?: EffectSizeConfig;
}

/** Comparison operator of a threshold rule. @public */
export type ThresholdOperator = '<' | '<=' | '>' | '>=';

/** How a measurement's samples are reduced to one number. @public */
export type ThresholdAggregate =
  | 'mean'
  | 'p50'
  | 'p90'
  | 'p95'
  | 'p99'
  | 'min'
  | 'max'
  | 'sum'
  | 'last'
  | 'count';

/**
 * One threshold condition: `aggregate(canary) op limit`, where limit is
 * `value` (absolute), or `baselineFactor × aggregate(baseline)` (relative),
 * e.g. `{ aggregate: 'p95', op: '<=', baselineFactor: 1.1 }` or
 * `{ aggregate: 'mean', op: '<=', value: 0.005 }`.
 * @public
 */
export interface ThresholdCondition {
  aggregate: ThresholdAggregate;
  op: ThresholdOperator;
  value?: number;
  baselineFactor?: number;
}

/** One measurement (one analysis interval) of a threshold metric. @public */
export type ThresholdMeasurementInput =
  | { canary: number[]; baseline?: number[] }
  | { error: string };

/**
 * An Argo-Rollouts-style threshold metric: each measurement is evaluated
 * with success/failure conditions and the limits decide the metric's phase.
 * @public
 */
export interface ThresholdMetricInput {
  name: string;
  /** Measurements in time order, oldest first (one per analysis interval). */
  measurements: ThresholdMeasurementInput[];
  successCondition?: ThresholdCondition;
  failureCondition?: ThresholdCondition;
  /** Failed measurements tolerated (default 0; -1 disables). */
  failureLimit?: number;
  /** Inconclusive measurements tolerated (default 0; -1 disables). */
  inconclusiveLimit?: number;
  /** Consecutive errors tolerated (default 4; -1 disables). */
  consecutiveErrorLimit?: number;
  /** Observe-only (Argo `dryRun`): judged and shown, never deciding. */
  muted?: boolean;
  /** Measurements with fewer canary samples are Inconclusive (default: judge minSamples). */
  minSamples?: number;
}

/** Score thresholds: score ≥ pass → Pass, ≥ marginal → Marginal, else Fail. @public */
export interface JudgeThresholds {
  pass: number;
  marginal: number;
}

/** Input of {@link judge}. @public */
export interface JudgeInput {
  metrics: JudgeMetricInput[];
  /** Argo-style threshold metrics judged alongside the statistical ones. */
  thresholdMetrics?: ThresholdMetricInput[];
  /** Weight (0..100) per group; unweighted groups share the rest. */
  groupWeights?: Record<string, number>;
  thresholds: JudgeThresholds;
  /** Default 0.98. */
  confidenceLevel?: number;
  /** Default 0.25. */
  tolerance?: number;
  /** Minimum samples per side (default 10); 0 turns the guard off (pure Kayenta). */
  minSamples?: number;
}

/** Classification of one statistical metric (Kayenta names). @public */
export type MetricClassification =
  | 'Pass'
  | 'High'
  | 'Low'
  | 'Nodata'
  | 'NodataFailMetric'
  | 'Error';

/** Overall verdict. @public */
export type JudgeClassification = 'Pass' | 'Marginal' | 'Fail';

/** Result of one statistical metric, with its numbers and the deciding rule in words. @public */
export interface JudgeMetricResult {
  name: string;
  group: string;
  classification: MetricClassification;
  /** True when this result fails the whole judgement (critical metric failing). */
  critical: boolean;
  /** Observe-only: shown, not scored. */
  muted: boolean;
  /** Hodges–Lehmann estimate of canary − baseline (null when not computed). */
  estimate: number | null;
  /** Confidence interval of canary − baseline (null when not computed). */
  confidenceInterval: [number, number] | null;
  /** Effect size (NaN when undefined, null when not computed). */
  effectSize: number | null;
  effectSizeMeasure: EffectSizeMeasure;
  /** Samples judged per side after NaN and outlier handling. */
  canaryCount: number;
  baselineCount: number;
  canaryMean: number | null;
  baselineMean: number | null;
  /** The rule that decided, with its numbers, in plain words. */
  reason: string;
}

/** Argo analysis phase of a threshold metric or measurement. @public */
export type ThresholdPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** One evaluated measurement of a threshold metric. @public */
export interface ThresholdMeasurementResult {
  phase: ThresholdPhase;
  /** aggregate(canary), null on error or without samples. */
  value: number | null;
  /** aggregate(baseline) when a condition is baseline-relative. */
  baselineValue: number | null;
  /** The limit the value was compared with (success condition's, else failure's). */
  limit: number | null;
  reason: string;
}

/** Result of one threshold metric. @public */
export interface ThresholdMetricResult {
  name: string;
  phase: ThresholdPhase;
  muted: boolean;
  failed: number;
  inconclusive: number;
  errors: number;
  consecutiveErrors: number;
  successful: number;
  measurements: ThresholdMeasurementResult[];
  reason: string;
}

/** Score of one group. @public */
export interface JudgeGroupScore {
  group: string;
  score: number;
  weight: number;
  pass: number;
  fail: number;
  ignored: number;
}

/** Output of {@link judge}. @public */
export interface JudgeResult {
  /** Weighted score 0..100 (2 decimals) of the statistical metrics. */
  score: number;
  classification: JudgeClassification;
  metrics: JudgeMetricResult[];
  thresholdMetrics: ThresholdMetricResult[];
  groups: JudgeGroupScore[];
  /** Phase of the threshold metrics together (worst non-muted), null without any. */
  thresholdPhase: ThresholdPhase | null;
  /** Why the overall classification is what it is, in words. */
  reason: string;
  /** The effective settings used (for replay). */
  settings: {
    confidenceLevel: number;
    tolerance: number;
    minSamples: number;
    thresholds: JudgeThresholds;
  };
}

/** Output of {@link mannWhitney}. @public */
export interface MannWhitneyResult {
  /** Hodges–Lehmann estimate of the location shift x − y. */
  estimate: number;
  confidenceInterval: [number, number];
}
