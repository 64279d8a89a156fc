// k6 load test for ${{ values.name }}. The thresholds are the service's SLOs
// (p95 ${{ values.sloP95Ms }} ms from ${{ values.sloP95Source }}, error rate ${{ values.sloErrorRate }} from ${{ values.sloErrorRateSource }}).
// Run: BASE_URL=http://localhost:${{ values.port }} k6 run loadtest/k6.js --summary-export k6-summary.json
import http from 'k6/http';
import { check, sleep } from 'k6';

const BASE_URL = __ENV.BASE_URL || 'http://localhost:${{ values.port }}';

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
  const res = http.get(`${BASE_URL}/healthz`);
  check(res, { 'status is 200': r => r.status === 200 });
  sleep(1);
}
