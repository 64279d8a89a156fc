import { parseEntityRef } from '@backstage/catalog-model';
import {
  MetricsProvider,
  MetricsQuery,
  MetricsResult,
  Point,
  renderTemplate,
  valuesOf,
} from './types';

export interface PrometheusOptions {
  /** e.g. http://prometheus:9090 */
  baseUrl: string;
  /** Range query resolution in seconds. */
  stepSeconds: number;
  /** PromQL template of the request rate of one version (observed weight). */
  trafficQuery?: string;
  /** Sent as `Authorization` when set (e.g. `Bearer …`). */
  authorization?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * Metrics from the Prometheus HTTP API: one `query_range` per metric and
 * version, with the version substituted into the metric's PromQL template.
 */
export class PrometheusMetricsProvider implements MetricsProvider {
  readonly type = 'prometheus' as const;

  constructor(private readonly options: PrometheusOptions) {}

  async query(q: MetricsQuery): Promise<MetricsResult> {
    const ref = parseEntityRef(q.entityRef);
    const vars = (version: string) => ({
      version,
      entityRef: q.entityRef,
      kind: ref.kind,
      namespace: ref.namespace,
      name: ref.name,
      canaryVersion: q.canaryVersion,
      baselineVersion: q.baselineVersion,
    });
    const range = (template: string, version: string) =>
      this.rangeQuery(renderTemplate(template, vars(version)), q.start, q.end);

    const series = await Promise.all(
      q.metrics.map(async m => {
        if (!m.query) {
          throw new Error(`metric ${m.name} has no PromQL query configured`);
        }
        const [canary, baseline] = await Promise.all([
          range(m.query, q.canaryVersion),
          range(m.query, q.baselineVersion),
        ]);
        return { metric: m.name, canary, baseline };
      }),
    );

    let observedWeight: number | null = null;
    if (this.options.trafficQuery) {
      const [c, b] = await Promise.all([
        range(this.options.trafficQuery, q.canaryVersion),
        range(this.options.trafficQuery, q.baselineVersion),
      ]);
      const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
      const cs = sum(valuesOf(c));
      const total = cs + sum(valuesOf(b));
      observedWeight = total > 0 ? Math.round((cs / total) * 1000) / 10 : null;
    }
    return { series, observedWeight };
  }

  /** GET /api/v1/query_range; the first series of the matrix. */
  async rangeQuery(query: string, start: Date, end: Date): Promise<Point[]> {
    const params = new URLSearchParams({
      query,
      start: (start.getTime() / 1000).toFixed(3),
      end: (end.getTime() / 1000).toFixed(3),
      step: String(this.options.stepSeconds),
    });
    const url = `${this.options.baseUrl.replace(
      /\/$/,
      '',
    )}/api/v1/query_range?${params}`;
    const doFetch = this.options.fetch ?? fetch;
    const res = await doFetch(url, {
      headers: this.options.authorization
        ? { authorization: this.options.authorization }
        : {},
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 15000),
    });
    const body: any = await res.json().catch(() => undefined);
    if (!res.ok || body?.status !== 'success') {
      throw new Error(
        `Prometheus query failed (${res.status}): ${
          body?.error ?? res.statusText
        }; query: ${query}`,
      );
    }
    if (body.data?.resultType !== 'matrix') {
      throw new Error(
        `Prometheus returned ${body.data?.resultType}, expected matrix; query: ${query}`,
      );
    }
    const first = body.data.result[0];
    if (!first) return [];
    return (first.values as Array<[number, string]>).map(([t, v]) => {
      const n = Number(v);
      return { t: Number(t), v: Number.isFinite(n) ? n : null };
    });
  }
}
