import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';
import {
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { evidenceServiceRef } from '@assay/plugin-evidence-node';
import { localRepoUrlReaderFactory, scaffolderModuleOnboarding } from './index';

describe('onboarding backend feature', () => {
  const dir = createMockDirectory();

  it('registers the six actions and a URL reader for the publish directory', async () => {
    dir.setContent({
      'repos/service-c/catalog-info.yaml': 'kind: Component\n',
    });
    const added: string[] = [];
    let read: string | undefined;
    await startTestBackend({
      features: [
        scaffolderModuleOnboarding,
        localRepoUrlReaderFactory,
        catalogServiceMock.factory(),
        createServiceFactory({
          service: evidenceServiceRef,
          deps: {},
          factory: () => ({ append: jest.fn(), list: jest.fn() }),
        }),
        mockServices.rootConfig.factory({
          data: {
            assay: { onboarding: { localPublishDir: dir.resolve('repos') } },
          },
        }),
        // Stand-in for the scaffolder plugin: collects the actions, and reads a URL.
        createBackendModule({
          pluginId: 'scaffolder',
          moduleId: 'probe',
          register(env) {
            env.registerInit({
              deps: { urlReader: coreServices.urlReader },
              async init({ urlReader }) {
                const url = pathToFileURL(
                  path.join(
                    dir.resolve('repos'),
                    'service-c/catalog-info.yaml',
                  ),
                ).href;
                read = (
                  await (await urlReader.readUrl(url)).buffer()
                ).toString();
              },
            });
          },
        }),
      ],
      extensionPoints: [
        [
          scaffolderActionsExtensionPoint,
          {
            addActions: (...actions: any[]) =>
              added.push(...actions.map(a => a.id)),
          },
        ],
      ],
    });
    expect(added.sort()).toEqual([
      'assay:cli:pin',
      'assay:evidence:record',
      'assay:feature:identify',
      'assay:publish:local',
      'assay:reports:write',
      'assay:resources:validate',
    ]);
    expect(read).toBe('kind: Component\n');
    expect(fs.existsSync(dir.resolve('repos'))).toBe(true);
  });
});
