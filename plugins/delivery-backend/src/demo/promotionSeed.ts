import { LoggerService } from '@backstage/backend-plugin-api';
import type { ReleaseArtifact } from '@assay/plugin-delivery-common';
import { createHash } from 'node:crypto';
import type { DefaultPromotionService } from '../promotion/DefaultPromotionService';

const digestOf = (s: string) =>
  `sha256:${createHash('sha256').update(s).digest('hex')}`;

const daysAgo = (d: number) =>
  new Date(Date.now() - d * 86_400_000).toISOString();

/** The demo pipeline that cut the releases (not a person: any owner may approve). */
export const DEMO_RELEASE_PRODUCER = 'external:ci-pipeline';

function artifacts(service: string, version: string): ReleaseArtifact[] {
  return [
    {
      name: `registry.example.com/payments/${service}`,
      kind: 'image',
      digest: digestOf(`demo image ${service} ${version}`),
    },
    {
      name: `${service}-overview`,
      kind: 'dashboard',
      digest: digestOf(`demo dashboard ${service} ${version}`),
    },
    {
      name: `${service}-slo`,
      kind: 'alert-rules',
      digest: digestOf(`demo alert rules ${service} ${version}`),
    },
  ];
}

/**
 * Demo releases and promotion history (every record marked `demo: true`),
 * made through the real service so the gates, approvals and evidence are
 * real:
 *   - service-a (compliance): 1.4.1 runs in staging (promoted by alice,
 *     approved by carol), 1.4.2 runs in dev and is ready for staging;
 *   - service-b (sandbox): 2.0.0 then 2.0.1 in dev (its SBOM's high
 *     vulnerabilities show as warnings).
 * Runs once (skipped when service-a has releases); waits for the catalog and
 * the evidence demo seed.
 */
export async function seedDemoPromotions(options: {
  service: DefaultPromotionService;
  logger: LoggerService;
  /** Attempts while the catalog / evidence are not there yet. */
  attempts?: number;
  delayMs?: number;
}) {
  const { service, logger } = options;
  const a = 'component:default/service-a';
  const b = 'component:default/service-b';
  const attempts = options.attempts ?? 60;
  for (let i = 0; ; i++) {
    try {
      await service.entity(a);
      await service.entity(b);
      if (await service.hasEvidence(a, 'tests')) break;
      throw new Error('no tests evidence for service-a yet');
    } catch (e) {
      if (i + 1 >= attempts) {
        logger.warn(`delivery: promotion demo seed skipped: ${e}`);
        return;
      }
      await new Promise(r => setTimeout(r, options.delayMs ?? 5000));
    }
  }
  if ((await service.listReleases(a, 1)).length) return;

  const release = (ref: string, version: string, days: number) =>
    service.createRelease(
      ref,
      { version, artifacts: artifacts(ref.split('/')[1], version) },
      DEMO_RELEASE_PRODUCER,
      { createdAt: daysAgo(days), demo: true },
    );
  const alice = 'user:default/alice';
  const carol = 'user:default/carol';

  const a141 = await release(a, '1.4.1', 6);
  await service.promote(a, 'dev', a141.hash, alice, { demo: true });
  const staging = await service.promote(a, 'staging', a141.hash, alice, {
    demo: true,
  });
  if (staging.status === 'awaiting-approval') {
    await service.approve(staging.id, carol, 'demo: reviewed the gates');
  }
  const a142 = await release(a, '1.4.2', 1);
  await service.promote(a, 'dev', a142.hash, alice, { demo: true });

  const b200 = await release(b, '2.0.0', 9);
  await service.promote(b, 'dev', b200.hash, alice, { demo: true });
  const b201 = await release(b, '2.0.1', 2);
  await service.promote(b, 'dev', b201.hash, carol, { demo: true });
  logger.info(
    'delivery: seeded demo releases and promotions for service-a and service-b (marked demo: true)',
  );
}
