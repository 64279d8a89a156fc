import {
  CheckDefinition,
  DEFAULT_CHECKS,
} from '@assay/plugin-scorecards-common';
import { MemoryEvidenceService } from '../src/__testUtils__/MemoryEvidenceService';

/** Deterministic PRNG (mulberry32) so both systems see the same data. */
export function rng(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Nine more checks on top of the 16 defaults: 25 in all. */
export const EXTRA_CHECKS: CheckDefinition[] = [
  ['coverage-80', 'gold', { fact: 'evidence.coverage.linePct', gte: 80 }],
  ['sast-warnings-low', 'silver', { fact: 'evidence.sast.warning', lte: 5 }],
  ['sbom-medium-low', 'gold', { fact: 'evidence.sbom.medium', lte: 10 }],
  [
    'load-test-errors',
    'silver',
    { fact: 'evidence.load-test.errorRate', lte: 0.01 },
  ],
  ['load-test-p95', 'gold', { fact: 'evidence.load-test.p95Ms', lte: 250 }],
  ['tests-enough', 'bronze', { fact: 'evidence.tests.tests', gte: 50 }],
  ['tests-skipped-low', 'silver', { fact: 'evidence.tests.skipped', lte: 10 }],
  [
    'lifecycle-set',
    'bronze',
    {
      fact: 'entity.lifecycle',
      in: ['production', 'experimental', 'deprecated'],
    },
  ],
  ['sbom-components', 'bronze', { fact: 'evidence.sbom.components', gt: 0 }],
].map(([id, level, rule]) => ({
  id: id as string,
  title: id as string,
  category: 'reliability',
  level: level as CheckDefinition['level'],
  weight: 1,
  rule: rule as CheckDefinition['rule'],
  remediation: { text: 'fix it' },
  controls: [],
}));

export const ALL_CHECKS = [...DEFAULT_CHECKS, ...EXTRA_CHECKS];

export function buildDataset(n: number) {
  const r = rng(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const teams = Array.from({ length: 50 }, (_, i) => `team-${i}`);
  const systems = Array.from({ length: 200 }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: { name: `system-${i}`, namespace: 'default' },
    spec: { owner: pick(teams), domain: `domain-${i % 20}` },
  }));
  const evidence = new MemoryEvidenceService();
  const entities: any[] = [];
  const day = (d: number) =>
    new Date(Date.now() - d * 86_400_000).toISOString();
  for (let i = 0; i < n; i++) {
    const name = `service-${i}`;
    const annotations: Record<string, string> = {
      'assay.dev/compliance-mode': r() < 0.5 ? 'compliance' : 'sandbox',
    };
    if (r() < 0.9)
      annotations['assay.dev/mesh-mtls'] = r() < 0.9 ? 'STRICT' : 'PERMISSIVE';
    if (r() < 0.8)
      annotations['assay.dev/alert-rules'] = 'monitoring/rules.yaml';
    if (r() < 0.7)
      annotations[
        'assay.dev/dashboard-url'
      ] = `https://grafana.example.com/d/${name}`;
    if (r() < 0.5)
      annotations[
        'assay.dev/runbook-url'
      ] = `https://runbooks.example.com/${name}`;
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name,
        namespace: 'default',
        tags: ['python'],
        annotations,
        etag: `e${i}`,
      },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: pick(teams),
        system: `system-${i % 200}`,
      },
    });
    const ref = `component:default/${name}`;
    const put = (
      category: string,
      summary: Record<string, number | boolean | string>,
      age: number,
    ) =>
      evidence.appendSync(
        { entityRef: ref, category, summary, producedAt: day(age) },
        'service:ci',
      );
    put(
      'tests',
      {
        tests: 20 + Math.floor(r() * 500),
        failures: r() < 0.1 ? 1 : 0,
        errors: 0,
        skipped: Math.floor(r() * 15),
      },
      1 + r() * 20,
    );
    put(
      'coverage',
      { linePct: Math.round((50 + r() * 50) * 10) / 10 },
      1 + r() * 20,
    );
    put(
      'sast',
      { error: r() < 0.15 ? 1 : 0, warning: Math.floor(r() * 10), note: 3 },
      1 + r() * 20,
    );
    put(
      'sbom',
      {
        components: 40 + Math.floor(r() * 50),
        critical: r() < 0.05 ? 1 : 0,
        high: r() < 0.2 ? 2 : 0,
        medium: Math.floor(r() * 15),
      },
      1 + r() * 20,
    );
    put(
      'load-test',
      { p95Ms: 150 + r() * 100, errorRate: r() * 0.02 },
      1 + r() * 20,
    );
    put(
      'load-test',
      { p95Ms: 150 + r() * 100, errorRate: r() * 0.02 },
      1 + r() * 10,
    );
    if (r() < 0.3) put('signature', { signed: true }, 2);
    if (r() < 0.5) {
      // what delivery-backend's canary engine records: a verdict, then the end of the run
      const pass = r() < 0.8;
      put(
        'canary',
        {
          decision: 'verdict',
          classification: pass ? 'Pass' : 'Fail',
          score: pass ? 95 : 40,
        },
        3,
      );
      put('canary', { decision: pass ? 'completed' : 'rollback' }, 2);
    }
    if (r() < 0.3) {
      // promotion records per the promotion contract: only the final one has an outcome
      put('promotion', { kind: 'gate-decision', environment: 'prod' }, 2);
      put(
        'promotion',
        {
          kind: 'promotion',
          environment: 'prod',
          outcome: r() < 0.9 ? 'succeeded' : 'failed',
        },
        2,
      );
    }
  }
  return { entities, systems, evidence };
}
