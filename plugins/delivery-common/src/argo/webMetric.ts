import type { JudgeResult } from '../judge/types';

/**
 * JSON an Assay endpoint returns to an Argo Rollouts `web` metric provider.
 * Read it with `jsonPath: "{$}"` and, e.g.,
 * `successCondition: result.classification == "Pass"` and
 * `failureCondition: result.classification == "Fail"` (so Marginal is
 * Inconclusive and Argo pauses the rollout for a human).
 * @public
 */
export interface ArgoWebMetricResponse {
  /** classification == "Pass" */
  pass: boolean;
  /** classification == "Marginal" (inconclusive) */
  marginal: boolean;
  /** classification == "Fail" */
  fail: boolean;
  classification: JudgeResult['classification'];
  score: number;
  thresholds: { pass: number; marginal: number };
  reason: string;
  metrics: Array<{
    name: string;
    classification: string;
    critical: boolean;
    muted: boolean;
    estimate: number | null;
    confidenceInterval: [number, number] | null;
    /** null when NaN or not computed (JSON has no NaN). */
    effectSize: number | null;
    canaryCount: number;
    baselineCount: number;
    reason: string;
  }>;
  thresholdMetrics: Array<{
    name: string;
    phase: string;
    muted: boolean;
    reason: string;
  }>;
  /** Hash of the `canary` evidence record of this verdict, when recorded. */
  evidenceHash: string | null;
}

const finiteOrNull = (v: number | null) =>
  v === null || !Number.isFinite(v) ? null : v;

/**
 * The response of the Argo `web` metric provider endpoint for a verdict:
 * flat booleans and the classification for `successCondition`, every
 * metric's numbers and rule for people reading the AnalysisRun, and the hash
 * of the evidence record. JSON-safe (no NaN / ∞).
 * @public
 */
export function argoWebMetricResponse(
  verdict: JudgeResult,
  options: { evidenceHash?: string | null } = {},
): ArgoWebMetricResponse {
  return {
    pass: verdict.classification === 'Pass',
    marginal: verdict.classification === 'Marginal',
    fail: verdict.classification === 'Fail',
    classification: verdict.classification,
    score: verdict.score,
    thresholds: { ...verdict.settings.thresholds },
    reason: verdict.reason,
    metrics: verdict.metrics.map(m => ({
      name: m.name,
      classification: m.classification,
      critical: m.critical,
      muted: m.muted,
      estimate: finiteOrNull(m.estimate),
      confidenceInterval:
        m.confidenceInterval &&
        Number.isFinite(m.confidenceInterval[0]) &&
        Number.isFinite(m.confidenceInterval[1])
          ? [m.confidenceInterval[0], m.confidenceInterval[1]]
          : null,
      effectSize: finiteOrNull(m.effectSize),
      canaryCount: m.canaryCount,
      baselineCount: m.baselineCount,
      reason: m.reason,
    })),
    thresholdMetrics: verdict.thresholdMetrics.map(t => ({
      name: t.name,
      phase: t.phase,
      muted: t.muted,
      reason: t.reason,
    })),
    evidenceHash: options.evidenceHash ?? null,
  };
}
