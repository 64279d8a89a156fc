import { canonicalJson, sha256Hex } from '@assay/plugin-evidence-common';
import type {
  JudgeInput,
  ThresholdMeasurementInput,
} from '@assay/plugin-delivery-common';
import { valuesOf } from '../providers/types';
import type { MetricsResult } from '../providers/types';
import type { AnalysisRow, MeasurementSeries, RunConfig } from '../store/types';

/**
 * Builds the pure judge's input from a run's metric config and the measured
 * series. Threshold metrics get one measurement per analysis of the current
 * step (earlier attempts first), which is how Argo's limits count.
 */
export function buildJudgeInput(
  config: RunConfig,
  result: MetricsResult,
  earlier: AnalysisRow[] = [],
): JudgeInput {
  const seriesOf = (name: string) =>
    result.series.find(s => s.metric === name) ?? {
      metric: name,
      canary: [],
      baseline: [],
    };
  const statistical = config.metrics.filter(m => !m.threshold);
  const threshold = config.metrics.filter(m => m.threshold);
  const input: JudgeInput = {
    metrics: statistical.map(m => {
      const s = seriesOf(m.name);
      return stripUndefined({
        name: m.name,
        group: m.group,
        canary: valuesOf(s.canary),
        baseline: valuesOf(s.baseline),
        direction: m.direction,
        nanStrategy: m.nanStrategy,
        outliers: m.outliers,
        critical: m.critical,
        mustHaveData: m.mustHaveData,
        muted: m.observeOnly,
        minSamples: m.minSamples,
        effectSize: m.effectSize,
      });
    }),
    thresholds: config.judge.thresholds,
  };
  if (threshold.length) {
    input.thresholdMetrics = threshold.map(m => {
      const prior: ThresholdMeasurementInput[] = earlier.map(a => {
        const s = a.measurements.find(x => x.metric === m.name);
        return {
          canary: s ? valuesOf(s.canary) : [],
          baseline: s ? valuesOf(s.baseline) : [],
        };
      });
      const s = seriesOf(m.name);
      return stripUndefined({
        name: m.name,
        measurements: [
          ...prior,
          { canary: valuesOf(s.canary), baseline: valuesOf(s.baseline) },
        ],
        successCondition: m.threshold!.successCondition as any,
        failureCondition: m.threshold!.failureCondition as any,
        failureLimit: m.threshold!.failureLimit,
        inconclusiveLimit: m.threshold!.inconclusiveLimit,
        consecutiveErrorLimit: m.threshold!.consecutiveErrorLimit,
        muted: m.observeOnly,
        minSamples: m.minSamples,
      });
    });
  }
  const j = config.judge;
  if (j.groupWeights) input.groupWeights = j.groupWeights;
  if (j.confidenceLevel !== undefined)
    input.confidenceLevel = j.confidenceLevel;
  if (j.tolerance !== undefined) input.tolerance = j.tolerance;
  if (j.minSamples !== undefined) input.minSamples = j.minSamples;
  return input;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined),
  ) as T;
}

/** `sha256:<hex>` of the RFC 8785 canonical judge input. */
export const digestOf = (value: unknown) =>
  `sha256:${sha256Hex(canonicalJson(value))}`;

export function toMeasurements(
  config: RunConfig,
  result: MetricsResult,
): MeasurementSeries[] {
  return result.series.map(s => ({
    metric: s.metric,
    unit: config.metrics.find(m => m.name === s.metric)?.unit,
    canary: s.canary,
    baseline: s.baseline,
  }));
}

/** Summary numbers of a sample: n, mean, p50, p95, max. */
export function describeSample(values: number[]): Record<string, number> {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!xs.length) return { n: 0 };
  const q = (p: number) =>
    xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    n: xs.length,
    mean: round(xs.reduce((a, x) => a + x, 0) / xs.length),
    p50: round(q(0.5)),
    p95: round(q(0.95)),
    max: round(xs[xs.length - 1]),
  };
}
