import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  EvidenceLatestItem,
  evidenceServiceRef,
} from '@assay/plugin-evidence-node';
import { evidencePlugin } from './plugin';

jest.setTimeout(60_000);

const component = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name },
  spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' },
});

describe('EvidenceClient.latestForEntities (the default evidenceServiceRef)', () => {
  it('reads many entities through POST /v1/latest in requests of 500, authorized per entity', async () => {
    const names = Array.from({ length: 520 }, (_, i) => `svc-${i}`);
    let window: EvidenceLatestItem[] = [];
    let perCategory: EvidenceLatestItem[] = [];
    let listedHashes: string[] = [];
    const user = mockCredentials.user('user:default/alice');
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
              for (const name of ['svc-0', 'svc-519', 'svc-519', 'hidden']) {
                await evidence.append(
                  {
                    entityRef: `component:default/${name}`,
                    category: 'tests',
                    summary: { n: 1 },
                  },
                  { credentials: user },
                );
              }
              await evidence.append(
                {
                  entityRef: 'component:default/svc-519',
                  category: 'coverage',
                  summary: { pct: 80 },
                },
                { credentials: user },
              );
              const refs = [...names, 'hidden'].map(
                n => `component:default/${n}`,
              );
              window = await evidence.latestForEntities!(refs, {
                window: 200,
                credentials: user,
              });
              perCategory = await evidence.latestForEntities!(refs, {
                categories: ['tests'],
                credentials: user,
              });
              const listed = await evidence.list('component:default/svc-519', {
                order: 'desc',
                limit: 200,
                credentials: user,
              });
              listedHashes = listed.items.map(i => i.hash);
            });
          },
        });
      },
    });
    const permissions = mockServices.permissions.mock({
      authorize: async (requests: any[]) =>
        requests.map(r => ({
          result:
            r.permission.attributes.action === 'read' &&
            r.resourceRef === 'component:default/hidden'
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        })) as any,
      authorizeConditional: async (requests: any[]) =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })) as any,
    });
    await startTestBackend({
      features: [
        evidencePlugin,
        consumer,
        permissions.factory,
        catalogServiceMock.factory({
          entities: [...names, 'hidden'].map(component),
        }),
        mockServices.rootConfig.factory({
          data: { backend: { baseUrl: 'http://localhost:7007' } },
        }),
      ],
    });
    // every entity answered once (two requests: 500 + 21)
    expect(window).toHaveLength(521);
    const byRef = new Map(window.map(i => [i.entityRef, i]));
    expect(byRef.get('component:default/hidden')).toEqual({
      entityRef: 'component:default/hidden',
      readable: false,
      records: [],
    });
    expect(byRef.get('component:default/svc-7')).toMatchObject({
      readable: true,
      records: [],
    });
    const svc519 = byRef.get('component:default/svc-519')!;
    expect(svc519.records.map(r => r.hash)).toEqual(listedHashes);
    expect(svc519.records.map(r => [r.seq, r.envelope.category])).toEqual([
      [3, 'coverage'],
      [2, 'tests'],
      [1, 'tests'],
    ]);
    const tests519 = perCategory.find(
      i => i.entityRef === 'component:default/svc-519',
    )!;
    expect(tests519.records.map(r => r.seq)).toEqual([2]);
  });
});
