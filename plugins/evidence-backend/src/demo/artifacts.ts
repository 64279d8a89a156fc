/** Small but real-format artifacts used by the demo seed and tests. */

export function junitXml(o: {
  tests: number;
  failures: number;
  skipped: number;
  suite: string;
}) {
  const cases = Array.from(
    { length: Math.min(o.tests, 5) },
    (_, i) =>
      `    <testcase classname="${o.suite}" name="test_${i}" time="0.01"${
        i < o.failures ? '><failure message="assert failed"/></testcase>' : '/>'
      }`,
  ).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="${o.suite}" tests="${o.tests}" failures="${o.failures}" errors="0" skipped="${o.skipped}" time="12.5">
${cases}
  </testsuite>
</testsuites>
`;
}

export function lcovInfo(o: { found: number; hit: number }) {
  return `TN:
SF:app/main.py
LF:${o.found}
LH:${o.hit}
end_of_record
`;
}

export function coberturaXml(rate: number) {
  return `<?xml version="1.0" ?>
<coverage line-rate="${rate}" lines-valid="1000" lines-covered="${Math.round(
    rate * 1000,
  )}" version="7.4" timestamp="0"></coverage>
`;
}

export function sarifJson(o: {
  errors: number;
  warnings: number;
  notes: number;
}) {
  const results = [
    ...Array.from({ length: o.errors }, (_, i) => ({
      ruleId: `B60${i}`,
      level: 'error',
      message: { text: 'Possible SQL injection' },
    })),
    ...Array.from({ length: o.warnings }, (_, i) => ({
      ruleId: `B10${i}`,
      level: 'warning',
      message: { text: 'Use of assert detected' },
    })),
    ...Array.from({ length: o.notes }, (_, i) => ({
      ruleId: `B40${i}`,
      level: 'note',
      message: { text: 'Consider using secrets module' },
    })),
  ];
  return JSON.stringify({
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [{ tool: { driver: { name: 'bandit', version: '1.7.9' } }, results }],
  });
}

export function cycloneDxJson(o: {
  components: number;
  high: number;
  critical: number;
  medium: number;
}) {
  const sev = [
    ...Array(o.critical).fill('critical'),
    ...Array(o.high).fill('high'),
    ...Array(o.medium).fill('medium'),
  ];
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    version: 1,
    components: Array.from({ length: o.components }, (_, i) => ({
      type: 'library',
      name: `pkg-${i}`,
      version: `1.${i}.0`,
      purl: `pkg:pypi/pkg-${i}@1.${i}.0`,
    })),
    vulnerabilities: sev.map((s, i) => ({
      id: `CVE-2025-${1000 + i}`,
      ratings: [{ severity: s, method: 'CVSSv31' }],
      affects: [{ ref: `pkg:pypi/pkg-${i}@1.${i}.0` }],
    })),
  });
}

export function k6Summary(o: {
  p95: number;
  errorRate: number;
  requests: number;
}) {
  return JSON.stringify({
    metrics: {
      http_req_duration: {
        avg: o.p95 / 2,
        'p(90)': o.p95 * 0.8,
        'p(95)': o.p95,
        thresholds: { 'p(95)<500': false },
      },
      http_req_failed: {
        value: o.errorRate,
        thresholds: { 'rate<0.01': false },
      },
      http_reqs: { count: o.requests, rate: o.requests / 60 },
    },
  });
}
