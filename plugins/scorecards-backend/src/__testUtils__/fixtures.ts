import { MemoryEvidenceService } from './MemoryEvidenceService';

export const daysAgo = (n: number) =>
  new Date(Date.now() - n * 86_400_000).toISOString();

export function component(
  name: string,
  mode: 'sandbox' | 'compliance',
  owner = 'payments-team',
) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      tags: ['python'],
      annotations: {
        'assay.dev/compliance-mode': mode,
        'assay.dev/mesh-mtls': 'STRICT',
        'assay.dev/alert-rules': 'monitoring/prometheus-rules.yaml',
        'assay.dev/dashboard-url': `https://grafana.example.com/d/${name}`,
      },
    },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner,
      system: 'example-service',
    },
  };
}

export const system = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: { name: 'example-service', namespace: 'default' },
  spec: { owner: 'payments-team', domain: 'payments' },
};

/** Evidence like the demo seed: service-b has 2 high vulnerabilities. */
export function seedEvidence(
  evidence: MemoryEvidenceService,
  name: string,
  opts: { high?: number } = {},
) {
  const entityRef = `component:default/${name}`;
  const put = (
    category: string,
    summary: Record<string, number>,
    age: number,
  ) =>
    evidence.appendSync(
      { entityRef, category, summary, producedAt: daysAgo(age) },
      'service:ci',
    );
  put('tests', { tests: 412, failures: 0, errors: 0, skipped: 3 }, 6);
  put('coverage', { linePct: 83.1 }, 6);
  put('sast', { error: 0, warning: 2, note: 3 }, 6);
  put('sbom', { critical: 0, high: opts.high ?? 0, medium: 3 }, 5);
  put('load-test', { p95Ms: 182.4, errorRate: 0.0012 }, 4);
}
