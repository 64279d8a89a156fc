import { EvidenceEnvelope, recordHash } from '@assay/plugin-evidence-common';
import { EvidenceInput } from '../facts';
import { Waiver } from '../types';

/** Builds a valid hash chain for one entity from (category, summary) pairs. */
export function chainOf(
  entityRef: string,
  items: Array<{
    category: string;
    summary: EvidenceEnvelope['summary'];
    producedAt?: string;
  }>,
): EvidenceInput[] {
  const out: EvidenceInput[] = [];
  let prev: string | null = null;
  items.forEach((item, i) => {
    const envelope: EvidenceEnvelope = {
      v: 1,
      entityRef,
      seq: i + 1,
      category: item.category,
      summary: item.summary,
      payloadDigest: null,
      artifacts: [],
      producer: 'service:test',
      producedAt: item.producedAt ?? '2026-11-25T00:00:00.000Z',
      recordedAt: item.producedAt ?? '2026-11-25T00:00:00.000Z',
      previousHash: prev,
    };
    const hash = recordHash(envelope);
    out.push({ envelope, hash });
    prev = hash;
  });
  return out;
}

export const serviceEntity = (
  mode: 'sandbox' | 'compliance',
  extra: Record<string, string> = {},
) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'service-a',
    namespace: 'default',
    tags: ['python'],
    annotations: {
      'assay.dev/compliance-mode': mode,
      'assay.dev/mesh-mtls': 'STRICT',
      'assay.dev/alert-rules': 'monitoring/prometheus-rules.yaml',
      'assay.dev/dashboard-url': 'https://grafana.example.com/d/service-a',
      ...extra,
    },
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'payments-team',
    system: 'example-service',
  },
});

export const seedLike = (entityRef: string, opts: { high?: number } = {}) =>
  chainOf(entityRef, [
    {
      category: 'tests',
      summary: { tests: 412, failures: 0, errors: 0, skipped: 3 },
    },
    { category: 'coverage', summary: { linePct: 83.1 } },
    { category: 'sast', summary: { error: 0, warning: 2, note: 3 } },
    {
      category: 'sbom',
      summary: { critical: 0, high: opts.high ?? 0, medium: 3 },
    },
    { category: 'load-test', summary: { p95Ms: 182.4 } },
  ]);

/** An approved waiver of the SBOM vulnerability check, until 2026-12-20. */
export const approvedWaiver = (entityRef: string): Waiver => ({
  id: 'w1',
  entityRef,
  checkId: 'sbom-no-critical-high',
  reason: 'upstream fix pending',
  expiresAt: '2026-12-20T00:00:00.000Z',
  status: 'approved',
  requestedBy: 'user:default/a',
  requestedAt: '2026-11-29T00:00:00.000Z',
  decidedBy: 'user:default/b',
  decidedAt: '2026-11-29T01:00:00.000Z',
});
