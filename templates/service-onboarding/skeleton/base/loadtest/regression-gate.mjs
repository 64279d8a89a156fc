// p95 regression gate of the load test: fails when this run's p95 is more
// than 10% above the baseline (the p95 of the previous `load-test` evidence
// record, fetched with `assay evidence latest`). Without a baseline the run
// passes and becomes the baseline.
// Usage: node loadtest/regression-gate.mjs k6-summary.json [baselineP95Ms]
import { readFileSync } from 'node:fs';

export const MAX_REGRESSION = 0.1;

export function p95Of(summary) {
  const d = summary?.metrics?.http_req_duration;
  const p95 = d?.values?.['p(95)'] ?? d?.['p(95)'];
  if (typeof p95 !== 'number') throw new Error('no http_req_duration p(95) in the k6 summary');
  return p95;
}

export function gate(p95, baseline) {
  if (baseline === undefined || Number.isNaN(baseline)) {
    return { ok: true, message: `p95 ${p95.toFixed(2)} ms; no baseline yet, this run becomes it` };
  }
  const limit = baseline * (1 + MAX_REGRESSION);
  const change = ((p95 - baseline) / baseline) * 100;
  return p95 <= limit
    ? { ok: true, message: `p95 ${p95.toFixed(2)} ms vs baseline ${baseline} ms (${change.toFixed(1)}%): within 10%` }
    : { ok: false, message: `p95 ${p95.toFixed(2)} ms is ${change.toFixed(1)}% above the baseline ${baseline} ms (limit ${limit.toFixed(2)} ms, +10%)` };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, raw] = process.argv.slice(2);
  const result = gate(p95Of(JSON.parse(readFileSync(file, 'utf8'))), raw ? Number(raw) : undefined);
  console.log(result.message);
  process.exitCode = result.ok ? 0 : 1;
}
