import {
  ThresholdAggregate,
  ThresholdCondition,
  ThresholdMeasurementResult,
  ThresholdMetricInput,
  ThresholdMetricResult,
  ThresholdPhase,
} from './types';
import { mean, sortedQuantile } from './stats';
import { fmt } from './format';

/** Reduces one side's samples to one number. */
export function aggregate(
  values: readonly number[],
  how: ThresholdAggregate,
): number {
  const v = values.filter(n => Number.isFinite(n));
  if (how === 'count') return v.length;
  if (v.length === 0) return NaN;
  switch (how) {
    case 'mean':
      return mean(v);
    case 'sum':
      return v.reduce((s, n) => s + n, 0);
    case 'min':
      return Math.min(...v);
    case 'max':
      return Math.max(...v);
    case 'last':
      return v[v.length - 1];
    default: {
      const p = Number(how.slice(1)) / 100;
      return sortedQuantile(Float64Array.from(v).sort(), p);
    }
  }
}

function compare(v: number, op: ThresholdCondition['op'], limit: number) {
  switch (op) {
    case '<':
      return v < limit;
    case '<=':
      return v <= limit;
    case '>':
      return v > limit;
    default:
      return v >= limit;
  }
}

/** `p95(canary) ≤ 1.1 × p95(baseline)` / `mean(canary) ≤ 0.005` in words. */
export function describeCondition(c: ThresholdCondition): string {
  const rhs =
    c.baselineFactor !== undefined
      ? `${fmt(c.baselineFactor)} × ${c.aggregate}(baseline)`
      : fmt(c.value ?? NaN);
  const op = { '<': '<', '<=': '≤', '>': '>', '>=': '≥' }[c.op];
  return `${c.aggregate}(canary) ${op} ${rhs}`;
}

interface Evaluated {
  holds: boolean;
  limit: number;
  baselineValue: number | null;
}

function evaluateCondition(
  c: ThresholdCondition,
  value: number,
  baseline: readonly number[] | undefined,
): Evaluated | { missing: string } {
  if (c.baselineFactor !== undefined) {
    const b = aggregate(baseline ?? [], c.aggregate);
    if (!Number.isFinite(b)) return { missing: 'no baseline data' };
    const limit = c.baselineFactor * b;
    return { holds: compare(value, c.op, limit), limit, baselineValue: b };
  }
  const limit = c.value ?? NaN;
  return { holds: compare(value, c.op, limit), limit, baselineValue: null };
}

/** Evaluates one measurement as Argo's analysis controller does. */
export function evaluateMeasurement(
  metric: ThresholdMetricInput,
  measurement: ThresholdMetricInput['measurements'][number],
  minSamples: number,
): ThresholdMeasurementResult {
  const none = { value: null, baselineValue: null, limit: null };
  if ('error' in measurement) {
    return { phase: 'Error', ...none, reason: `error: ${measurement.error}` };
  }
  const { successCondition: sc, failureCondition: fc } = metric;
  if (!sc && !fc) {
    return {
      phase: 'Error',
      ...none,
      reason: 'no successCondition or failureCondition',
    };
  }
  const finite = measurement.canary.filter(n => Number.isFinite(n)).length;
  if (finite === 0 || finite < minSamples) {
    return {
      phase: 'Inconclusive',
      ...none,
      reason:
        finite === 0
          ? 'no canary data'
          : `minimum-sample guard: ${finite} canary values, fewer than ${minSamples}`,
    };
  }
  const main = sc ?? fc!;
  const value = aggregate(measurement.canary, main.aggregate);
  const s = sc
    ? evaluateCondition(
        sc,
        aggregate(measurement.canary, sc.aggregate),
        measurement.baseline,
      )
    : undefined;
  const f = fc
    ? evaluateCondition(
        fc,
        aggregate(measurement.canary, fc.aggregate),
        measurement.baseline,
      )
    : undefined;
  for (const e of [s, f]) {
    if (e && 'missing' in e) {
      return { phase: 'Inconclusive', ...none, value, reason: e.missing };
    }
  }
  const se = s as Evaluated | undefined;
  const fe = f as Evaluated | undefined;
  const shown = (se ?? fe)!;
  const out = { value, baselineValue: shown.baselineValue, limit: shown.limit };
  const desc = (c: ThresholdCondition, e: Evaluated) =>
    `${describeCondition(c)}: ${fmt(
      aggregate(measurement.canary, c.aggregate),
    )} vs ${fmt(e.limit)} is ${e.holds}`;
  let phase: ThresholdPhase;
  let reason: string;
  if (se && fe) {
    if (fe.holds) {
      phase = 'Failed';
      reason = `failure condition ${desc(fc!, fe)}`;
    } else if (se.holds) {
      phase = 'Successful';
      reason = `success condition ${desc(sc!, se)}`;
    } else {
      phase = 'Inconclusive';
      reason = `neither condition holds: ${desc(sc!, se)}; ${desc(fc!, fe)}`;
    }
  } else if (se) {
    phase = se.holds ? 'Successful' : 'Failed';
    reason = `success condition ${desc(sc!, se)}`;
  } else {
    phase = fe!.holds ? 'Failed' : 'Successful';
    reason = `failure condition ${desc(fc!, fe!)}`;
  }
  return { phase, ...out, reason };
}

/**
 * Phase of one threshold metric from its measurements, with Argo's limits:
 * Failed if failed > failureLimit, Inconclusive if inconclusive >
 * inconclusiveLimit, Error if consecutive errors > consecutiveErrorLimit
 * (a limit of -1 disables it), else Successful.
 */
export function evaluateThresholdMetric(
  metric: ThresholdMetricInput,
  defaultMinSamples: number,
): ThresholdMetricResult {
  const failureLimit = metric.failureLimit ?? 0;
  const inconclusiveLimit = metric.inconclusiveLimit ?? 0;
  const consecutiveErrorLimit = metric.consecutiveErrorLimit ?? 4;
  const minSamples = metric.minSamples ?? defaultMinSamples;
  const muted = metric.muted ?? false;
  const measurements = metric.measurements.map(m =>
    evaluateMeasurement(metric, m, minSamples),
  );
  let failed = 0;
  let inconclusive = 0;
  let errors = 0;
  let successful = 0;
  let consecutiveErrors = 0;
  for (const m of measurements) {
    if (m.phase === 'Error') {
      errors++;
      consecutiveErrors++;
    } else {
      consecutiveErrors = 0;
      if (m.phase === 'Failed') failed++;
      else if (m.phase === 'Inconclusive') inconclusive++;
      else successful++;
    }
  }
  const q = `Metric "${metric.name}" assessed`;
  let phase: ThresholdPhase;
  let reason: string;
  const last = measurements[measurements.length - 1];
  if (failureLimit >= 0 && failed > failureLimit) {
    phase = 'Failed';
    reason = `${q} Failed due to failed (${failed}) > failureLimit (${failureLimit})`;
  } else if (inconclusiveLimit >= 0 && inconclusive > inconclusiveLimit) {
    phase = 'Inconclusive';
    reason = `${q} Inconclusive due to inconclusive (${inconclusive}) > inconclusiveLimit (${inconclusiveLimit})`;
  } else if (
    consecutiveErrorLimit >= 0 &&
    consecutiveErrors > consecutiveErrorLimit
  ) {
    phase = 'Error';
    reason = `${q} Error due to consecutiveErrors (${consecutiveErrors}) > consecutiveErrorLimit (${consecutiveErrorLimit})`;
  } else if (measurements.length === 0) {
    phase = 'Inconclusive';
    reason = `${q} Inconclusive: no measurements yet`;
  } else {
    phase = 'Successful';
    reason = `${q} Successful: failed ${failed} ≤ ${failureLimit}, inconclusive ${inconclusive} ≤ ${inconclusiveLimit}, consecutive errors ${consecutiveErrors} ≤ ${consecutiveErrorLimit}`;
  }
  if (last) reason += `; last measurement: ${last.reason}`;
  if (muted) reason += ' (observe-only: not deciding)';
  return {
    name: metric.name,
    phase,
    muted,
    failed,
    inconclusive,
    errors,
    consecutiveErrors,
    successful,
    measurements,
    reason,
  };
}

const PHASE_ORDER: ThresholdPhase[] = [
  'Successful',
  'Inconclusive',
  'Error',
  'Failed',
];

/** The worst phase (Successful < Inconclusive < Error < Failed). */
export function worstPhase(phases: ThresholdPhase[]): ThresholdPhase | null {
  let worst = -1;
  for (const p of phases) worst = Math.max(worst, PHASE_ORDER.indexOf(p));
  return worst < 0 ? null : PHASE_ORDER[worst];
}
