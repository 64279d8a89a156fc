import { Config } from '@backstage/config';
import { CanaryMetricConfig, RunConfig } from './store/types';

export interface CanaryConfig {
  metricsProvider: 'simulator' | 'prometheus';
  trafficProvider: 'recorder' | 'istio';
  prometheus?: {
    baseUrl: string;
    stepSeconds: number;
    trafficQuery?: string;
    authorization?: string;
  };
  istio: {
    namespace: string;
    virtualService: string;
    stableSubset: string;
    canarySubset: string;
    kubeconfigPath?: string;
  };
  defaults: RunConfig;
  baselineVersion: string;
  frequencySeconds: number;
  argoWindowSeconds: number;
  demoSeed: boolean;
  /** Finished runs (and their samples) older than this are deleted; absent = kept. */
  retentionDays?: number;
}

export const DEFAULT_STEPS = [10, 50, 100];

/** The metrics judged when none are configured (simulator-friendly names). */
export const DEFAULT_METRICS: CanaryMetricConfig[] = [
  {
    name: 'latency_p95',
    unit: 'ms',
    group: 'latency',
    description: 'P95 request latency; at most 10% above the baseline',
    query:
      'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{app="${name}",version="${version}"}[1m]))) * 1000',
    direction: 'increase',
    effectSize: { measure: 'meanRatio', allowedIncrease: 1.1 },
  },
  {
    name: 'error_rate',
    unit: '%',
    group: 'errors',
    description: 'Share of 5xx responses',
    query:
      '100 * sum(rate(http_requests_total{app="${name}",version="${version}",code=~"5.."}[1m])) / sum(rate(http_requests_total{app="${name}",version="${version}"}[1m]))',
    direction: 'increase',
    critical: true,
    effectSize: { measure: 'meanRatio', criticalIncrease: 2 },
  },
  {
    name: 'cpu',
    unit: '%',
    group: 'saturation',
    description: 'CPU usage (observe-only while the team gains trust in it)',
    query:
      '100 * sum(rate(container_cpu_usage_seconds_total{pod=~"${name}-.*",version="${version}"}[1m]))',
    observeOnly: true,
  },
];

function readMetric(c: Config): CanaryMetricConfig {
  const m = c.get<any>();
  if (typeof m?.name !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(m.name)) {
    throw new Error(
      `delivery.canary.metrics: each metric needs a name ([A-Za-z0-9_.:-], ≤ 64 chars), got ${JSON.stringify(
        m?.name,
      )}`,
    );
  }
  return JSON.parse(JSON.stringify(m));
}

/** Validates canary steps: integers 1..100, strictly increasing, ending at 100. */
export function validateSteps(
  steps: number[],
  field: string,
): string | undefined {
  if (!Array.isArray(steps) || steps.length === 0 || steps.length > 20) {
    return `${field}: 1 to 20 weights`;
  }
  for (let i = 0; i < steps.length; i++) {
    const w = steps[i];
    if (!Number.isInteger(w) || w < 1 || w > 100) {
      return `${field}[${i}]: an integer percentage 1..100, got ${w}`;
    }
    if (i > 0 && w <= steps[i - 1]) {
      return `${field}[${i}]: weights must increase (${steps[i - 1]} → ${w})`;
    }
  }
  if (steps[steps.length - 1] !== 100) {
    return `${field}: the last step must be 100, got ${
      steps[steps.length - 1]
    }`;
  }
  return undefined;
}

export function readCanaryConfig(root: Config): CanaryConfig {
  const c = root.getOptionalConfig('delivery.canary');
  const metricsProvider = (c?.getOptionalString('metricsProvider') ??
    'simulator') as CanaryConfig['metricsProvider'];
  const trafficProvider = (c?.getOptionalString('trafficProvider') ??
    'recorder') as CanaryConfig['trafficProvider'];
  if (!['simulator', 'prometheus'].includes(metricsProvider)) {
    throw new Error(
      `delivery.canary.metricsProvider: simulator or prometheus, got ${metricsProvider}`,
    );
  }
  if (!['recorder', 'istio'].includes(trafficProvider)) {
    throw new Error(
      `delivery.canary.trafficProvider: recorder or istio, got ${trafficProvider}`,
    );
  }
  const p = c?.getOptionalConfig('prometheus');
  if (metricsProvider === 'prometheus' && !p?.getOptionalString('baseUrl')) {
    throw new Error(
      'delivery.canary.prometheus.baseUrl is required with metricsProvider prometheus',
    );
  }
  const steps = c?.getOptional<number[]>('steps') ?? DEFAULT_STEPS;
  const stepsError = validateSteps(steps, 'delivery.canary.steps');
  if (stepsError) throw new Error(stepsError);
  const metrics =
    c?.getOptionalConfigArray('metrics')?.map(readMetric) ?? DEFAULT_METRICS;
  if (metricsProvider === 'prometheus') {
    const noQuery = metrics.find(m => !m.query);
    if (noQuery) {
      throw new Error(
        `delivery.canary.metrics: ${noQuery.name} has no query (needed by the prometheus provider)`,
      );
    }
  }
  const i = c?.getOptionalConfig('istio');
  const j = c?.getOptionalConfig('judge');
  const pos = (key: string, def: number) => {
    const v = c?.getOptionalNumber(key) ?? def;
    if (!(v > 0)) throw new Error(`delivery.canary.${key}: a positive number`);
    return v;
  };
  const retries = c?.getOptionalNumber('retries') ?? 2;
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) {
    throw new Error('delivery.canary.retries: an integer 0..10');
  }
  const consecutiveErrorLimit =
    c?.getOptionalNumber('consecutiveErrorLimit') ?? 4;
  if (
    !Number.isInteger(consecutiveErrorLimit) ||
    consecutiveErrorLimit < 0 ||
    consecutiveErrorLimit > 100
  ) {
    throw new Error('delivery.canary.consecutiveErrorLimit: an integer 0..100');
  }
  const onErrorLimit = c?.getOptionalString('onErrorLimit') ?? 'pause';
  if (onErrorLimit !== 'pause' && onErrorLimit !== 'abort') {
    throw new Error('delivery.canary.onErrorLimit: "pause" or "abort"');
  }
  const retentionDays = c?.getOptionalNumber('retentionDays');
  if (
    retentionDays !== undefined &&
    !(Number.isInteger(retentionDays) && retentionDays >= 1)
  ) {
    throw new Error('delivery.canary.retentionDays: an integer ≥ 1 (days)');
  }
  return {
    metricsProvider,
    trafficProvider,
    prometheus: p
      ? {
          baseUrl: p.getString('baseUrl'),
          stepSeconds: p.getOptionalNumber('stepSeconds') ?? 15,
          trafficQuery: p.getOptionalString('trafficQuery'),
          authorization: p.getOptionalString('authorization'),
        }
      : undefined,
    istio: {
      namespace: i?.getOptionalString('namespace') ?? 'default',
      virtualService: i?.getOptionalString('virtualService') ?? '${name}',
      stableSubset: i?.getOptionalString('stableSubset') ?? 'stable',
      canarySubset: i?.getOptionalString('canarySubset') ?? 'canary',
      kubeconfigPath: i?.getOptionalString('kubeconfigPath'),
    },
    defaults: {
      steps: steps.map(weight => ({ weight })),
      metrics,
      intervalSeconds: pos('intervalSeconds', 300),
      retries,
      retryIntervalSeconds: pos('retryIntervalSeconds', 120),
      consecutiveErrorLimit,
      onErrorLimit,
      judge: {
        thresholds: {
          pass: j?.getOptionalNumber('thresholds.pass') ?? 95,
          marginal: j?.getOptionalNumber('thresholds.marginal') ?? 75,
        },
        confidenceLevel: j?.getOptionalNumber('confidenceLevel'),
        tolerance: j?.getOptionalNumber('tolerance'),
        minSamples: j?.getOptionalNumber('minSamples'),
        groupWeights: j?.getOptional<Record<string, number>>('groupWeights'),
      },
    },
    baselineVersion: c?.getOptionalString('baselineVersion') ?? 'stable',
    frequencySeconds: pos('frequencySeconds', 10),
    argoWindowSeconds: pos('argo.windowSeconds', 300),
    demoSeed: c?.getOptionalBoolean('demoSeed') ?? false,
    retentionDays,
  };
}
