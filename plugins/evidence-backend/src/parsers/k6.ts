import { parseJsonObject } from './json';

/** k6 `--summary-export` / handleSummary JSON → p95 latency and error rate. */
export function parseK6(text: string) {
  const s = parseJsonObject(text);
  const metrics = s.metrics;
  if (!metrics || typeof metrics !== 'object') {
    throw new Error('metrics object missing');
  }
  const dur = metrics.http_req_duration;
  const p95 = dur?.values?.['p(95)'] ?? dur?.['p(95)'];
  if (typeof p95 !== 'number') {
    throw new Error('metrics.http_req_duration p(95) missing');
  }
  const failed = metrics.http_req_failed;
  const errorRate = failed?.values?.rate ?? failed?.value ?? failed?.rate ?? 0;
  const reqs = metrics.http_reqs;
  const thresholds = Object.values(metrics as Record<string, any>).flatMap(m =>
    Object.values((m.thresholds ?? {}) as Record<string, any>),
  );
  const failedThresholds = thresholds.filter(t =>
    typeof t === 'object' ? t.ok === false : t === true,
  ).length;
  return {
    p95Ms: Math.round(p95 * 100) / 100,
    errorRate: Number(errorRate),
    requests: reqs?.values?.count ?? reqs?.count ?? null,
    thresholdsFailed: failedThresholds,
  };
}
