import { JudgeMetricResult, JudgeResult } from '../judge/types';
import { RolloutCausalChain } from './types';

const FAILING = ['High', 'Low', 'NodataFailMetric', 'Nodata', 'Error'];

function numbers(
  values: Record<string, number | null | undefined>,
): Record<string, number> | null {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  }
  return Object.keys(out).length ? out : null;
}

/**
 * The metric that decided a failing verdict, as a causal chain: a critical
 * failure first, then a failed/errored threshold metric, then the first
 * High/Low/NodataFailMetric (non-muted). Null for a passing verdict.
 * @public
 */
export function causalChainOf(
  result: JudgeResult,
  at: { step: number; weight: number; actor?: string | null },
): RolloutCausalChain | null {
  if (result.classification === 'Pass') return null;
  const deciding = result.metrics.filter(m => !m.muted);
  const stat = (m: JudgeMetricResult): RolloutCausalChain => ({
    step: at.step,
    weight: at.weight,
    metric: m.name,
    classification: m.classification,
    canary: numbers({ mean: m.canaryMean, count: m.canaryCount }),
    baseline: numbers({ mean: m.baselineMean, count: m.baselineCount }),
    estimate: m.estimate,
    confidenceInterval: m.confidenceInterval,
    rule: m.reason,
    actor: at.actor ?? null,
  });
  const critical = deciding.find(m => m.critical);
  if (critical) return stat(critical);
  const threshold = result.thresholdMetrics.find(
    t =>
      !t.muted &&
      (t.phase === 'Failed' ||
        t.phase === 'Error' ||
        t.phase === 'Inconclusive'),
  );
  if (
    threshold &&
    (result.thresholdPhase === 'Failed' ||
      result.thresholdPhase === 'Error' ||
      result.thresholdPhase === 'Inconclusive')
  ) {
    const worst =
      result.thresholdMetrics.find(
        t => !t.muted && t.phase === result.thresholdPhase,
      ) ?? threshold;
    const last = worst.measurements[worst.measurements.length - 1];
    return {
      step: at.step,
      weight: at.weight,
      metric: worst.name,
      classification: worst.phase,
      canary: numbers({ value: last?.value, limit: last?.limit }),
      baseline: numbers({ value: last?.baselineValue }),
      estimate: null,
      confidenceInterval: null,
      rule: worst.reason,
      actor: at.actor ?? null,
    };
  }
  const failing = deciding.find(m => FAILING.includes(m.classification));
  if (failing) return stat(failing);
  return {
    step: at.step,
    weight: at.weight,
    metric: null,
    classification: result.classification,
    canary: null,
    baseline: null,
    estimate: null,
    confidenceInterval: null,
    rule: result.reason,
    actor: at.actor ?? null,
  };
}
