import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  EvidenceAppendResult,
  EvidenceListResult,
  evidenceServiceRef,
} from '@assay/plugin-evidence-node';
import { evidencePlugin } from './plugin';

jest.setTimeout(60_000);

describe('evidenceServiceRef (default factory)', () => {
  it('lets another backend plugin append and read evidence through the evidence plugin', async () => {
    let appended: EvidenceAppendResult | undefined;
    let replay: EvidenceAppendResult | undefined;
    let listed: EvidenceListResult | undefined;
    const consumer = createBackendPlugin({
      pluginId: 'consumer',
      register(env) {
        env.registerInit({
          deps: {
            evidence: evidenceServiceRef,
            lifecycle: coreServices.lifecycle,
          },
          async init({ evidence, lifecycle }) {
            lifecycle.addStartupHook(async () => {
              const credentials = mockCredentials.user('user:default/alice');
              const request = {
                entityRef: 'component:default/service-c',
                category: 'onboarding',
                subject: { runId: 'run-1', featureSha: 'abc123def456' },
                summary: { manifestDigest: 'sha256:00' },
                payload: { files: 12 },
                artifacts: [
                  {
                    name: 'manifest.json',
                    mediaType: 'application/json',
                    content: Buffer.from('{"files":[]}'),
                  },
                ],
                idempotencyKey: 'onboarding-run-1',
              };
              appended = await evidence.append(request, { credentials });
              replay = await evidence.append(request, { credentials });
              listed = await evidence.list('component:default/service-c', {
                credentials,
                category: ['onboarding'],
              });
            });
          },
        });
      },
    });
    await startTestBackend({
      features: [
        evidencePlugin,
        consumer,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: { backend: { baseUrl: 'http://localhost:7007' } },
        }),
      ],
    });
    expect(appended).toMatchObject({
      replayed: false,
      envelope: {
        seq: 1,
        category: 'onboarding',
        producer: 'user:default/alice',
        subject: { runId: 'run-1' },
      },
    });
    expect(appended!.envelope.payloadDigest).toMatch(/^sha256:/);
    expect(replay).toMatchObject({ replayed: true, hash: appended!.hash });
    expect(listed).toMatchObject({
      totalCount: 1,
      items: [{ hash: appended!.hash }],
    });
  });
});
