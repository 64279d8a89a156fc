import type { CanaryMetricConfig } from '../store/types';

/** One sample of a series: unix seconds and value (null = no data). */
export type Point = {
  t: number;
  v: number | null;
};

export interface MetricsQuery {
  runId: string;
  entityRef: string;
  canaryVersion: string;
  baselineVersion: string;
  metrics: CanaryMetricConfig[];
  start: Date;
  end: Date;
  /** Context for the built-in simulator. */
  step?: number;
  attempt?: number;
  requestedWeight?: number;
  simulation?: 'healthy' | 'degrading' | null;
}

export interface MetricsResult {
  series: Array<{ metric: string; canary: Point[]; baseline: Point[] }>;
  /** Canary share of requests in percent, null when not measurable. */
  observedWeight: number | null;
}

/** Where the canary and baseline series come from. */
export interface MetricsProvider {
  readonly type: 'prometheus' | 'simulator';
  query(q: MetricsQuery): Promise<MetricsResult>;
}

export interface TrafficTarget {
  entityRef: string;
  /** Annotations of the entity, when known (VirtualService name override). */
  annotations?: Record<string, string>;
}

/** Moves traffic between the stable and the canary version. */
export interface TrafficProvider {
  readonly type: 'istio' | 'recorder';
  setWeight(target: TrafficTarget, canaryWeight: number): Promise<void>;
}

/** Values of a sample, nulls dropped (what the judge receives). */
export const valuesOf = (points: Point[]): number[] =>
  points
    .filter(p => p.v !== null && Number.isFinite(p.v))
    .map(p => p.v as number);

/** Substitutes `${var}` in a PromQL template; unknown variables are an error. */
export function renderTemplate(
  template: string,
  vars: Record<string, string>,
): string {
  return template.replace(/\$\{(\w+)\}/g, (_, k: string) => {
    if (!(k in vars)) throw new Error(`unknown template variable \${${k}}`);
    // label values are quoted in PromQL: escape what would end the string
    return vars[k].replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  });
}
