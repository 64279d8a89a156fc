// k6 load test for ${{ values.name }} on its real endpoints. The thresholds are the
// service's SLOs (p95 ${{ values.sloP95Ms }} ms from ${{ values.sloP95Source }}, error rate ${{ values.sloErrorRate }} from
// ${{ values.sloErrorRateSource }}); the pipeline also fails when p95 regresses more than 10%
// against the previous run (loadtest/regression-gate.mjs).
// Run: BASE_URL=http://localhost:${{ values.port }} k6 run loadtest/k6.js --summary-export k6-summary.json
import http from 'k6/http';
import { check, sleep } from 'k6';

const BASE_URL = __ENV.BASE_URL || 'http://localhost:${{ values.port }}';
// With JWT on, the ingress gateway needs a token (K6_BEARER_TOKEN).
const AUTH = __ENV.K6_BEARER_TOKEN
  ? { Authorization: `Bearer ${__ENV.K6_BEARER_TOKEN}` }
  : {};
const JSON_HEADERS = { 'Content-Type': 'application/json', ...AUTH };
// Unique per run, so a rerun never replays an earlier run's keys.
const RUN = __ENV.RUN_ID || `${Date.now()}`;

export const options = {
  stages: [
    { duration: '30s', target: 10 },
    { duration: '1m', target: 10 },
    { duration: '15s', target: 0 },
  ],
  thresholds: {
    http_req_duration: ['p(95)<${{ values.sloP95Ms }}'],
    http_req_failed: ['rate<${{ values.sloErrorRate }}'],
    checks: ['rate>${{ values.sloAvailability }}'],
  },
};

export default function () {
  // create (retry-safe with an Idempotency-Key), read it back, list. Items
  // live in each pod's memory, so a read-back served by another pod is a
  // 404 by design: expected, not an error.
  const key = `k6-${RUN}-${__VU}-${__ITER}`;
  const created = http.post(`${BASE_URL}/api/v1/items`, JSON.stringify({ name: key }), {
    headers: { ...JSON_HEADERS, 'Idempotency-Key': key },
    tags: { route: 'POST /api/v1/items' },
  });
  check(created, { 'create: 201 or replayed 200': r => r.status === 201 || r.status === 200 });
  const id = created.status < 300 ? created.json('id') : 'missing';
  http.get(`${BASE_URL}/api/v1/items/${id}`, {
    headers: AUTH,
    tags: { route: 'GET /api/v1/items/:id' },
    responseCallback: http.expectedStatuses(200, 404),
  });
  const list = http.get(`${BASE_URL}/api/v1/items`, { headers: AUTH, tags: { route: 'GET /api/v1/items' } });
  check(list, { 'list: 200': r => r.status === 200 });
  sleep(1);
}
