import { LoggerService } from '@backstage/backend-plugin-api';
import { createHash } from 'node:crypto';
import { EvidenceConfig } from '../config';
import { EvidenceLog } from '../service/EvidenceLog';
import { prepareAppend } from '../service/prepare';
import {
  coberturaXml,
  cycloneDxJson,
  junitXml,
  k6Summary,
  lcovInfo,
  sarifJson,
} from './artifacts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const DEMO_PRODUCER = 'service:assay-demo-seed';

/**
 * The demo image digest of a service version: the same formula as the
 * delivery demo seed's release artifacts, so the demo signatures name the
 * images the demo releases ship.
 */
const demoImageDigest = (service: string, version: string) =>
  `sha256:${createHash('sha256')
    .update(`demo image ${service} ${version}`)
    .digest('hex')}`;

function daysAgo(n: number) {
  return new Date(Date.now() - n * 86_400_000).toISOString();
}

/** Realistic demo evidence for the seed services, clearly marked `demo: true`. */
export function demoRequests(service: 'service-a' | 'service-b') {
  const entityRef = `component:default/${service}`;
  const a = service === 'service-a';
  const commit = a ? '4f9c2e1b7a3d' : '9b1e07c4d2aa';
  const featureSha = a ? '3fa85f6457cb' : '7c9e6679742e';
  const sub = (runId: string, extra: Record<string, string> = {}) => ({
    commit,
    featureSha,
    runId,
    ...extra,
  });
  return [
    {
      entityRef,
      category: 'onboarding',
      producedAt: daysAgo(30),
      subject: sub('run-0001'),
      summary: {
        demo: true,
        mode: a ? 'compliance' : 'sandbox',
        template: 'service-onboarding',
        runtime: 'python-3.11',
      },
      payload: {
        featureId: featureSha,
        branch: `auto/spec-implementation/${featureSha}`,
      },
    },
    {
      entityRef,
      category: 'tests',
      producedAt: daysAgo(6),
      subject: sub('run-0412'),
      summary: { demo: true },
      artifacts: [
        {
          name: 'junit.xml',
          contentBase64: b64(
            junitXml({
              tests: a ? 412 : 187,
              failures: 0,
              skipped: a ? 3 : 1,
              suite: service,
            }),
          ),
        },
      ],
    },
    {
      entityRef,
      category: 'coverage',
      producedAt: daysAgo(6),
      subject: sub('run-0412'),
      summary: { demo: true },
      artifacts: a
        ? [
            {
              name: 'coverage/lcov.info',
              contentBase64: b64(lcovInfo({ found: 2410, hit: 2003 })),
            },
          ]
        : [
            {
              name: 'coverage.xml',
              format: 'cobertura',
              contentBase64: b64(coberturaXml(0.768)),
            },
          ],
    },
    {
      entityRef,
      category: 'sast',
      producedAt: daysAgo(6),
      subject: sub('run-0412'),
      summary: { demo: true },
      artifacts: [
        {
          name: 'bandit.sarif',
          contentBase64: b64(
            sarifJson({ errors: 0, warnings: a ? 2 : 4, notes: 3 }),
          ),
        },
      ],
    },
    {
      entityRef,
      category: 'sbom',
      producedAt: daysAgo(5),
      subject: sub('run-0413', { version: a ? '1.4.2' : '2.0.1' }),
      summary: { demo: true },
      artifacts: [
        {
          name: 'sbom.cdx.json',
          contentBase64: b64(
            cycloneDxJson({
              components: a ? 48 : 63,
              critical: 0,
              high: a ? 0 : 2,
              medium: 3,
            }),
          ),
        },
      ],
    },
    {
      entityRef,
      category: 'load-test',
      producedAt: daysAgo(4),
      subject: sub('run-0414', {
        version: a ? '1.4.2' : '2.0.1',
        environment: 'staging',
      }),
      summary: { demo: true },
      artifacts: [
        {
          name: 'k6-summary.json',
          format: 'k6',
          contentBase64: b64(
            k6Summary({
              p95: a ? 182.4 : 241.7,
              errorRate: a ? 0.0012 : 0.004,
              requests: 36000,
            }),
          ),
        },
      ],
    },
    // the pipeline verified the image signature (cosign verify) of each
    // version and recorded the result; the promotion gate `signature` reads
    // summary.verified and summary.digest (the release's image digest)
    ...(a ? ['1.4.1', '1.4.2'] : ['2.0.0', '2.0.1']).map((version, i) => ({
      entityRef,
      category: 'signature',
      producedAt: daysAgo(i === 0 ? 7 : 3),
      subject: sub(i === 0 ? 'run-0408' : 'run-0415', { version }),
      summary: {
        demo: true,
        verified: true,
        tool: 'cosign',
        image: `registry.example.com/payments/${service}`,
        digest: demoImageDigest(service, version),
        identity:
          'https://github.com/example/payments/.github/workflows/ci.yaml@refs/heads/main',
      },
    })),
    ...(a
      ? [
          {
            entityRef,
            category: 'secrets-rotation',
            producedAt: daysAgo(20),
            subject: sub('run-0390'),
            summary: { demo: true, rotated: 3, vault: 'payments/service-a' },
          },
        ]
      : []),
    {
      entityRef,
      category: 'release',
      producedAt: daysAgo(3),
      subject: sub('run-0415', { version: a ? '1.4.2' : '2.0.1' }),
      summary: {
        demo: true,
        version: a ? '1.4.2' : '2.0.1',
        image: `registry.example.com/payments/${service}:${
          a ? '1.4.2' : '2.0.1'
        }`,
      },
    },
  ];
}

export async function seedDemoEvidence(
  log: EvidenceLog,
  config: EvidenceConfig,
  logger: LoggerService,
) {
  for (const service of ['service-a', 'service-b'] as const) {
    const entityRef = `component:default/${service}`;
    if (await log.store.head(entityRef)) continue;
    for (const body of demoRequests(service)) {
      await log.append(
        prepareAppend(body, {
          config,
          producer: DEMO_PRODUCER,
          idempotencyKey: `demo-${service}-${body.category}${
            body.category === 'signature'
              ? `-${(body.subject as { version?: string }).version}`
              : ''
          }`,
        }),
      );
    }
    logger.info(
      `evidence: seeded demo evidence for ${entityRef} (marked demo: true)`,
    );
  }
}
