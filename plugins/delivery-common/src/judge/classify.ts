import {
  EffectSizeMeasure,
  JudgeMetricInput,
  JudgeMetricResult,
  MetricClassification,
} from './types';
import {
  MannWhitneyError,
  mannWhitneyBrentSorted,
  mannWhitneyDetailed,
  mannWhitneySorted,
  ROOT_TOLERANCE,
} from './mannWhitney';
import { addTinyNoise, mean, sortedQuantile } from './stats';
import { cleanSorted } from './sortSample';
import { fmt, fmtInterval, pct } from './format';

/** Settings the classifier needs besides the metric itself. */
export interface ClassifySettings {
  confidenceLevel: number;
  tolerance: number;
  minSamples: number;
}

/** Mann-Whitney implementation used by the classifier (swapped in the benchmark). */
export type MannWhitneyImpl = (
  x: Float64Array,
  y: Float64Array,
  confidenceLevel: number,
) => { estimate: number; confidenceInterval: [number, number] };

/** Kayenta's IQR fences: [min(P1, Q1 − 3·IQR), max(P99, Q3 + 3·IQR)]. */
function removeOutliers(sorted: Float64Array): Float64Array {
  if (sorted.length === 0) return sorted;
  const q1 = sortedQuantile(sorted, 0.25);
  const q3 = sortedQuantile(sorted, 0.75);
  const iqr = q3 - q1;
  const lo = Math.min(sortedQuantile(sorted, 0.01), q1 - 3 * iqr);
  const hi = Math.max(sortedQuantile(sorted, 0.99), q3 + 3 * iqr);
  let s = 0;
  while (s < sorted.length && sorted[s] < lo) s++;
  let e = sorted.length;
  while (e > s && sorted[e - 1] > hi) e--;
  return sorted.subarray(s, e);
}

function sameElements(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** P(X > Y) + ½·P(X = Y) from sorted samples (common-language effect size). */
function cles(x: Float64Array, y: Float64Array): number {
  let j = 0;
  let k = 0;
  let u = 0;
  for (let i = 0; i < x.length; i++) {
    while (j < y.length && y[j] < x[i]) j++;
    if (k < j) k = j;
    while (k < y.length && y[k] === x[i]) k++;
    u += j + (k - j) / 2;
  }
  return u / (x.length * y.length);
}

function isConstant(s: Float64Array): boolean {
  return s.length > 0 && s[0] === s[s.length - 1];
}

/**
 * Classifies one metric the way Kayenta's Mann-Whitney classifier does, with
 * the minimum-sample guard in front (off when minSamples is 0).
 */
export function classifyMetric(
  metric: JudgeMetricInput,
  settings: ClassifySettings,
  mw: MannWhitneyImpl = mannWhitneySorted,
): JudgeMetricResult {
  const direction = metric.direction ?? 'either';
  const nanStrategy = metric.nanStrategy ?? 'remove';
  const isCritical = metric.critical ?? false;
  const mustHaveData = metric.mustHaveData ?? false;
  const muted = metric.muted ?? false;
  const minSamples = metric.minSamples ?? settings.minSamples;
  const es = metric.effectSize ?? {};
  const measure: EffectSizeMeasure = es.measure ?? 'meanRatio';
  const allowedIncrease = es.allowedIncrease ?? 1;
  const allowedDecrease = es.allowedDecrease ?? 1;
  const criticalIncrease = es.criticalIncrease ?? 1;
  const criticalDecrease = es.criticalDecrease ?? 1;
  const { confidenceLevel, tolerance } = settings;

  // views of reused buffers: they never leave this call
  let x = cleanSorted(metric.canary, nanStrategy, 0);
  let y = cleanSorted(metric.baseline, nanStrategy, 1);
  if (metric.outliers === 'remove') {
    x = removeOutliers(x);
    y = removeOutliers(y);
  }
  const base = {
    name: metric.name,
    group: metric.group ?? 'default',
    muted,
    effectSizeMeasure: measure,
    canaryCount: x.length,
    baselineCount: y.length,
    // the means of the cleaned samples: from the Mann-Whitney pass over them
    // when it runs (the same sums), else computed when a result is made
    canaryMean: null as number | null,
    baselineMean: null as number | null,
  };
  const cleanX = x;
  const cleanY = y;
  let meansKnown = false;
  const knowMeans = () => {
    if (meansKnown) return;
    base.canaryMean = cleanX.length ? mean(cleanX) : null;
    base.baselineMean = cleanY.length ? mean(cleanY) : null;
    meansKnown = true;
  };
  const result = (
    classification: MetricClassification,
    critical: boolean,
    reason: string,
    extra: Partial<JudgeMetricResult> = {},
  ): JudgeMetricResult => {
    knowMeans();
    return {
      ...base,
      classification,
      critical,
      estimate: null,
      confidenceInterval: null,
      effectSize: null,
      reason: muted ? `${reason} (observe-only: not scored)` : reason,
      ...extra,
    };
  };

  // Minimum-sample guard: tiny samples are never judged (and never pass).
  if (minSamples > 0 && (x.length < minSamples || y.length < minSamples)) {
    const side = x.length < minSamples ? 'canary' : 'baseline';
    const n = side === 'canary' ? x.length : y.length;
    if (x.length === 0 || y.length === 0) {
      if (nanStrategy === 'remove' && !mustHaveData) {
        // as Kayenta: Nodata (a critical metric without data fails the run)
        return result(
          'Nodata',
          isCritical,
          `no data: ${side} has no values${
            isCritical ? '; a critical metric without data fails the run' : ''
          }`,
        );
      }
    }
    return isCritical
      ? result(
          'Nodata',
          true,
          `minimum-sample guard: ${side} has ${n} values, fewer than ${minSamples}; a critical metric that cannot be judged fails the run`,
        )
      : result(
          'NodataFailMetric',
          false,
          `minimum-sample guard: ${side} has ${n} values, fewer than ${minSamples}; counted as failing, not as a pass`,
        );
  }

  // 1. No data on a side.
  if (x.length === 0 || y.length === 0) {
    const side = x.length === 0 ? 'canary' : 'baseline';
    if (nanStrategy === 'remove') {
      if (mustHaveData && !isCritical) {
        return result(
          'NodataFailMetric',
          false,
          `no data: ${side} has no values and the metric must have data`,
        );
      }
      return result(
        'Nodata',
        isCritical,
        `no data: ${side} has no values${
          isCritical ? '; a critical metric without data fails the run' : ''
        }`,
      );
    }
    return result(
      'Pass',
      false,
      `no data: ${side} has no values; NaN strategy "replace" passes it (as Kayenta)`,
    );
  }

  // 2. Identical samples, or one distinct value across both.
  if (sameElements(x, y)) {
    return result(
      'Pass',
      false,
      `canary and baseline are identical (canary ${x.length} values, baseline ${y.length})`,
      {
        estimate: 0,
        confidenceInterval: [0, 0],
        effectSize: measure === 'cles' ? 0.5 : 1,
      },
    );
  }
  if (isConstant(x) && isConstant(y) && x[0] === y[0]) {
    return result('Pass', false, `every value on both sides is ${fmt(x[0])}`);
  }

  // 3. Both sides constant: tiny deterministic noise, as Kayenta adds noise.
  let noisy = false;
  if (isConstant(x) && isConstant(y)) {
    x = Float64Array.from(addTinyNoise(x)).sort();
    y = Float64Array.from(addTinyNoise(y)).sort();
    noisy = true;
  }

  // 4. Mann-Whitney.
  let estimate: number;
  let ci: [number, number];
  try {
    const exact = mw === mannWhitneySorted;
    const d = exact ? mannWhitneyDetailed(x, y, confidenceLevel) : undefined;
    if (d && !noisy) {
      [base.canaryMean, base.baselineMean] = d.means;
      meansKnown = true;
    }
    let r = d ?? mw(x, y, confidenceLevel);
    // The exact bounds are the points Kayenta's root finder approaches to
    // within its tolerance (1e-4), and Kayenta's estimate is some point of
    // the interval where f(mu, 0) = 0. Where that freedom could move a
    // decision across its threshold, replay Kayenta's Brent iterations
    // exactly, so the classification is the one Kayenta gives.
    if (d) {
      const m = tolerance * Math.abs(d.estimate);
      const near =
        2 * ROOT_TOLERANCE * (1 + tolerance) +
        tolerance * (d.estimateRange[1] - d.estimateRange[0]) +
        1e-9 *
          (Math.abs(d.confidenceInterval[0]) +
            Math.abs(d.confidenceInterval[1]) +
            m);
      if (
        Math.abs(d.confidenceInterval[0] - m) <= near ||
        Math.abs(d.confidenceInterval[1] + m) <= near
      ) {
        r = mannWhitneyBrentSorted(x, y, confidenceLevel);
      }
    }
    estimate = r.estimate;
    ci = r.confidenceInterval;
  } catch (e) {
    if (e instanceof MannWhitneyError) {
      return result('Error', isCritical, `Mann-Whitney failed: ${e.message}`);
    }
    throw e;
  }

  // Effect size.
  let effect: number;
  if (measure === 'cles') effect = cles(x, y);
  else {
    // the means of the cleaned samples, unless noise was added since
    knowMeans();
    const mx = noisy ? mean(x) : base.canaryMean!;
    const my = noisy ? mean(y) : base.baselineMean!;
    effect = mx === 0 || my === 0 ? NaN : mx / my;
  }
  const effectName = measure === 'cles' ? 'CLES' : 'mean ratio';
  const conf = pct(confidenceLevel);
  const margin = tolerance * Math.abs(estimate);
  const extra = { estimate, confidenceInterval: ci, effectSize: effect };
  const lead = `${conf} interval of canary − baseline ${fmtInterval(
    ci,
  )}, estimate ${fmt(estimate)}${
    noisy ? ' (both sides constant: tiny noise added)' : ''
  }`;

  const increaseAllowed = direction === 'increase' || direction === 'either';
  const decreaseAllowed = direction === 'decrease' || direction === 'either';
  const above = ci[0] > margin;
  const below = ci[1] < -margin;
  const highEffect = Number.isNaN(effect) || effect >= allowedIncrease;
  const lowEffect = Number.isNaN(effect) || effect <= allowedDecrease;

  if (increaseAllowed && above && highEffect) {
    const crit =
      isCritical && (Number.isNaN(effect) || effect >= criticalIncrease);
    return result(
      'High',
      crit,
      `High: ${lead}; lower bound ${fmt(ci[0])} > tolerance ${fmt(
        tolerance,
      )} × |estimate| = ${fmt(margin)} and ${effectName} ${fmt(
        effect,
      )} ≥ allowed increase ${fmt(allowedIncrease)}${
        crit
          ? `; critical metric past critical increase ${fmt(
              criticalIncrease,
            )}: fails the run`
          : ''
      }`,
      extra,
    );
  }
  if (decreaseAllowed && below && lowEffect) {
    const crit =
      isCritical && (Number.isNaN(effect) || effect <= criticalDecrease);
    return result(
      'Low',
      crit,
      `Low: ${lead}; upper bound ${fmt(ci[1])} < −tolerance ${fmt(
        tolerance,
      )} × |estimate| = ${fmt(-margin)} and ${effectName} ${fmt(
        effect,
      )} ≤ allowed decrease ${fmt(allowedDecrease)}${
        crit
          ? `; critical metric past critical decrease ${fmt(
              criticalDecrease,
            )}: fails the run`
          : ''
      }`,
      extra,
    );
  }
  let why: string;
  if (above && !increaseAllowed) {
    why = `canary is higher but direction "${direction}" only counts decreases`;
  } else if (below && !decreaseAllowed) {
    why = `canary is lower but direction "${direction}" only counts increases`;
  } else if (above) {
    why = `canary is higher but ${effectName} ${fmt(
      effect,
    )} < allowed increase ${fmt(allowedIncrease)}`;
  } else if (below) {
    why = `canary is lower but ${effectName} ${fmt(
      effect,
    )} > allowed decrease ${fmt(allowedDecrease)}`;
  } else {
    why = `no significant difference: the interval does not clear ±tolerance ${fmt(
      tolerance,
    )} × |estimate| = ${fmt(margin)}`;
  }
  return result('Pass', false, `Pass: ${lead}; ${why}`, extra);
}
