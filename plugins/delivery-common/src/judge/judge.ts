import {
  JudgeClassification,
  JudgeGroupScore,
  JudgeInput,
  JudgeMetricResult,
  JudgeResult,
  JudgeThresholds,
} from './types';
import { classifyMetric, MannWhitneyImpl } from './classify';
import { evaluateThresholdMetric, worstPhase } from './threshold';
import { mannWhitneySorted } from './mannWhitney';
import { fmt } from './format';

/** Judge defaults. @public */
export const JUDGE_DEFAULTS = {
  confidenceLevel: 0.98,
  tolerance: 0.25,
  minSamples: 10,
} as const;

/**
 * Kayenta's weighted-sum scorer over the (non-muted) metric results:
 * group score = 100 × Pass / (Pass + High + Low + NodataFailMetric), Nodata
 * and Error ignored, an empty group 100; any critical failure, or 50 % or
 * more Nodata, gives 0; otherwise Σ score × weight / 100 with unweighted
 * groups sharing what the weights leave; rounded to 2 decimals.
 */
export function scoreMetrics(
  results: JudgeMetricResult[],
  groupWeights: Record<string, number> = {},
): { score: number; groups: JudgeGroupScore[]; reason: string } {
  const deciding = results.filter(r => !r.muted);
  const byGroup = new Map<string, JudgeMetricResult[]>();
  for (const r of deciding) {
    const list = byGroup.get(r.group) ?? [];
    list.push(r);
    byGroup.set(r.group, list);
  }
  const names = [...byGroup.keys()];
  const weighted = names.filter(g => groupWeights[g] !== undefined);
  const unweighted = names.filter(g => groupWeights[g] === undefined);
  const used = weighted.reduce((s, g) => s + groupWeights[g], 0);
  const share = unweighted.length
    ? Math.max(0, 100 - used) / unweighted.length
    : 0;
  const groups: JudgeGroupScore[] = names.map(g => {
    const list = byGroup.get(g)!;
    const pass = list.filter(r => r.classification === 'Pass').length;
    const fail = list.filter(r =>
      ['High', 'Low', 'NodataFailMetric'].includes(r.classification),
    ).length;
    return {
      group: g,
      score: pass + fail === 0 ? 100 : (100 * pass) / (pass + fail),
      weight: groupWeights[g] ?? share,
      pass,
      fail,
      ignored: list.length - pass - fail,
    };
  });
  const critical = deciding.filter(r => r.critical);
  if (critical.length > 0) {
    return {
      score: 0,
      groups,
      reason: `critical metric ${critical
        .map(r => `"${r.name}" (${r.classification})`)
        .join(', ')} failed: score 0`,
    };
  }
  const nodata = deciding.filter(r => r.classification === 'Nodata').length;
  if (deciding.length > 0 && nodata / deciding.length >= 0.5) {
    return {
      score: 0,
      groups,
      reason: `${nodata} of ${deciding.length} metrics returned no data (≥ 50 %): score 0`,
    };
  }
  const raw = groups.reduce((s, g) => s + (g.score * g.weight) / 100, 0);
  const score = Math.round(raw * 100) / 100;
  return {
    score,
    groups,
    reason: `score ${fmt(score)} = ${
      groups
        .map(g => `${g.group} ${fmt(g.score)} × ${fmt(g.weight)}%`)
        .join(' + ') || 'no groups'
    }`,
  };
}

/** Score → Pass / Marginal / Fail. @public */
export function classifyScore(
  score: number,
  thresholds: JudgeThresholds,
): JudgeClassification {
  if (score >= thresholds.pass) return 'Pass';
  if (score >= thresholds.marginal) return 'Marginal';
  return 'Fail';
}

/** {@link judge} with a replaceable Mann-Whitney (used by the benchmark). */
export function judgeWith(input: JudgeInput, mw: MannWhitneyImpl): JudgeResult {
  const settings = {
    confidenceLevel: input.confidenceLevel ?? JUDGE_DEFAULTS.confidenceLevel,
    tolerance: input.tolerance ?? JUDGE_DEFAULTS.tolerance,
    minSamples: input.minSamples ?? JUDGE_DEFAULTS.minSamples,
  };
  const { thresholds } = input;
  const metrics = input.metrics.map(m => classifyMetric(m, settings, mw));
  const thresholdMetrics = (input.thresholdMetrics ?? []).map(m =>
    evaluateThresholdMetric(m, settings.minSamples),
  );
  const decidingStats = metrics.filter(m => !m.muted);
  const decidingThresholds = thresholdMetrics.filter(m => !m.muted);
  const thresholdPhase = worstPhase(decidingThresholds.map(m => m.phase));

  let score: number;
  let groups: JudgeGroupScore[] = [];
  let scoreReason: string;
  if (decidingStats.length > 0) {
    ({
      score,
      groups,
      reason: scoreReason,
    } = scoreMetrics(metrics, input.groupWeights));
  } else if (decidingThresholds.length > 0) {
    score = 100;
    scoreReason = 'no statistical metric decides (score 100)';
  } else {
    score = 0;
    scoreReason =
      'nothing decides: no metric, or every metric is observe-only (score 0)';
  }
  let classification = classifyScore(score, thresholds);
  let reason =
    decidingStats.length > 0 || decidingThresholds.length === 0
      ? `${classification}: ${scoreReason} (pass ≥ ${fmt(
          thresholds.pass,
        )}, marginal ≥ ${fmt(thresholds.marginal)})`
      : scoreReason;
  if (thresholdPhase === 'Failed' || thresholdPhase === 'Error') {
    const which = decidingThresholds.filter(m => m.phase === thresholdPhase);
    classification = 'Fail';
    reason = `Fail: ${which.map(m => m.reason).join('; ')}; ${reason}`;
  } else if (thresholdPhase === 'Inconclusive') {
    const which = decidingThresholds.filter(m => m.phase === 'Inconclusive');
    if (classification === 'Pass') classification = 'Marginal';
    reason = `${classification}: ${which
      .map(m => m.reason)
      .join('; ')}; ${reason}`;
  } else if (thresholdPhase === 'Successful' && decidingStats.length === 0) {
    reason = `${classification}: every threshold metric Successful; ${reason}`;
  }
  return {
    score,
    classification,
    metrics,
    thresholdMetrics,
    groups,
    thresholdPhase,
    reason,
    settings: { ...settings, thresholds: { ...thresholds } },
  };
}

/**
 * Judges a canary against its baseline: Kayenta-style Mann-Whitney classifier
 * and weighted group scorer, Argo-style threshold metrics, a minimum-sample
 * guard, observe-only metrics. Every metric result carries its numbers and
 * the rule that decided it in `reason`.
 * @public
 */
export function judge(input: JudgeInput): JudgeResult {
  return judgeWith(input, mannWhitneySorted);
}
