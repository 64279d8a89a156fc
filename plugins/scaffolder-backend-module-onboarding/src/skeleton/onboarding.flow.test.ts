import fs from 'fs';
import path from 'path';
import request from 'supertest';
import git from 'isomorphic-git';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { evidenceServiceRef } from '@assay/plugin-evidence-node';
import onboarding from '../index';
import { TEMPLATE_DIR } from '../__testUtils__/renderTemplate';

jest.setTimeout(120_000);

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 250));
  }
}

/**
 * The whole flow with the real catalog and scaffolder: the template is read
 * from its catalog location, the task publishes to a local bare repository,
 * catalog:register registers its file:// URL through the local repository
 * URL reader, the component shows up in the catalog, and the onboarding
 * evidence is appended.
 */
describe('onboarding a service end to end (backend)', () => {
  const dir = createMockDirectory();

  it('creates the repository, registers the component and records evidence', async () => {
    const publishDir = dir.resolve('repos');
    const append = jest.fn(async (req: any) => ({
      envelope: { v: 1, entityRef: req.entityRef, seq: 1 } as any,
      hash: 'e'.repeat(64),
      leafIndex: 0,
      payloadPurged: false,
      replayed: false,
    }));
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleTemplateKind,
        scaffolderPlugin,
        onboarding,
        createServiceFactory({
          service: evidenceServiceRef,
          deps: {},
          factory: () => ({ append, list: jest.fn() }),
        }),
        mockServices.rootConfig.factory({
          data: {
            assay: { onboarding: { localPublishDir: publishDir } },
            catalog: {
              processingInterval: { seconds: 1 },
              rules: [
                {
                  allow: ['Component', 'API', 'System', 'Location', 'Template'],
                },
              ],
              locations: [
                {
                  type: 'file',
                  target: path.join(TEMPLATE_DIR, 'template.yaml'),
                },
              ],
            },
          },
        }),
      ],
    });

    const { server } = backend;
    try {
      await waitFor('the template in the catalog', async () => {
        const res = await request(server).get(
          '/api/catalog/entities/by-name/template/default/service-onboarding',
        );
        return res.status === 200 ? res.body : undefined;
      });

      const values = {
        name: 'service-c',
        description: 'Payment reconciliation',
        owner: 'group:default/payments-team',
        system: 'system:default/example-service',
        runtime: 'node',
        mode: 'compliance',
        resources: { cpu: 0.25, memoryMb: 256, storageMb: 512, storyPoints: 2 },
        canarySteps: '10,50,100',
      };
      const runTask = async (v: Record<string, unknown>) => {
        const created = await request(server)
          .post('/api/scaffolder/v2/tasks')
          .send({
            templateRef: 'template:default/service-onboarding',
            values: v,
          });
        expect(created.status).toBe(201);
        const task = await waitFor('the task to finish', async () => {
          const res = await request(server).get(
            `/api/scaffolder/v2/tasks/${created.body.id}`,
          );
          return ['completed', 'failed'].includes(res.body.status)
            ? res.body
            : undefined;
        });
        const events = await request(server).get(
          `/api/scaffolder/v2/tasks/${created.body.id}/events`,
        );
        const log = (events.body as any[])
          .map(e => e.body?.message ?? '')
          .join('\n');
        return { status: task.status as string, log };
      };

      const first = await runTask(values);
      expect({
        status: first.status,
        log: first.status === 'completed' ? '' : first.log,
      }).toEqual({
        status: 'completed',
        log: '',
      });

      // Published: a bare repository with the feature branch, and its checkout.
      const gitdir = path.join(publishDir, 'service-c.git');
      const main = await git.resolveRef({ fs, gitdir, ref: 'main' });
      const branches = await git.listBranches({ fs, gitdir });
      expect(
        branches.find(b => b.startsWith('auto/spec-implementation/')),
      ).toBeDefined();
      const files = await git.listFiles({ fs, gitdir, ref: main });
      expect(files).toEqual(
        expect.arrayContaining([
          'catalog-info.yaml',
          'src/server.ts',
          '.github/workflows/ci.yaml',
        ]),
      );

      // Registered: the component is in the catalog, read from the file:// URL.
      const entity = await waitFor('the component in the catalog', async () => {
        const res = await request(server).get(
          '/api/catalog/entities/by-name/component/default/service-c',
        );
        return res.status === 200 ? res.body : undefined;
      });
      expect(
        entity.metadata.annotations['backstage.io/managed-by-location'],
      ).toBe(
        `url:file://${path.join(publishDir, 'service-c', 'catalog-info.yaml')}`,
      );
      const featureId = entity.metadata.annotations['assay.dev/feature-id'];
      expect(featureId).toMatch(/^[0-9a-f]{12}$/);

      // Evidence: one onboarding record citing the manifest digest, feature and run.
      expect(append).toHaveBeenCalledTimes(1);
      const [record, { credentials }] = append.mock.calls[0] as any[];
      expect(record).toMatchObject({
        entityRef: 'component:default/service-c',
        category: 'onboarding',
        subject: {
          featureSha: featureId,
          runId: entity.metadata.annotations['assay.dev/onboarding-run'],
        },
        summary: {
          featureId,
          mode: 'compliance',
          manifestDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        },
      });
      // written with the scaffolder's own service credentials (onboarding is
      // a category reserved to plugin:scaffolder), naming the user
      expect(credentials.principal).toMatchObject({
        type: 'service',
        subject: 'plugin:scaffolder',
      });

      // Onboarding the same name again: compliance blocks, sandbox creates -v2.
      const blocked = await runTask(values);
      expect(blocked.status).toBe('failed');
      expect(blocked.log).toContain(
        "Compliance mode: a component named 'service-c' already exists",
      );
      const versioned = await runTask({ ...values, mode: 'sandbox' });
      expect(versioned.status).toBe('completed');
      await waitFor('service-c-v2 in the catalog', async () => {
        const res = await request(server).get(
          '/api/catalog/entities/by-name/component/default/service-c-v2',
        );
        return res.status === 200 ? res.body : undefined;
      });
      expect(
        fs.existsSync(path.join(publishDir, 'service-c-v2.git', 'HEAD')),
      ).toBe(true);
    } finally {
      await backend.stop();
    }
  });
});
