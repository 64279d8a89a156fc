import fs from 'fs';
import path from 'path';
import request from 'supertest';
import yaml from 'yaml';
import {
  createServiceFactory,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { evidenceServiceRef } from '@assay/plugin-evidence-node';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import onboarding from '../index';

/** The template folder, read the way the catalog would (a file location). */
export const TEMPLATE_DIR = resolvePackagePath(
  '@assay/plugin-scaffolder-backend-module-onboarding',
  '../../templates/service-onboarding',
);

function serializeDir(root: string) {
  const out: { path: string; base64Content: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else
        out.push({
          path: path.relative(root, full).split(path.sep).join('/'),
          base64Content: fs.readFileSync(full).toString('base64'),
        });
    }
  };
  walk(root);
  return out;
}

export const demoEntities = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: { name: 'example-service', namespace: 'default' },
    spec: { owner: 'payments-team' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'service-a', namespace: 'default' },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'payments-team',
      system: 'example-service',
    },
  },
];

/**
 * Starts a backend with the real scaffolder plugin and this module, and runs
 * the template through the scaffolder's dry-run endpoint (the one the
 * template editor uses): every step runs for real except those without
 * dry-run support (catalog:register), and the workspace comes back.
 */
export async function startScaffolder(options: { publishDir: string }) {
  const evidence = { append: jest.fn(), list: jest.fn() };
  const backend = await startTestBackend({
    features: [
      scaffolderPlugin,
      onboarding,
      catalogServiceMock.factory({ entities: demoEntities }),
      createServiceFactory({
        service: evidenceServiceRef,
        deps: {},
        factory: () => evidence,
      }),
      mockServices.rootConfig.factory({
        data: {
          assay: { onboarding: { localPublishDir: options.publishDir } },
        },
      }),
    ],
  });
  const template = yaml.parse(
    fs.readFileSync(path.join(TEMPLATE_DIR, 'template.yaml'), 'utf8'),
  );
  const directoryContents = serializeDir(TEMPLATE_DIR);

  async function dryRun(values: Record<string, unknown>) {
    const res = await request(backend.server)
      .post('/api/scaffolder/v2/dry-run')
      .send({ template, values, directoryContents });
    const files = new Map<string, Buffer>(
      (res.body.directoryContents ?? []).map((f: any) => [
        f.path,
        Buffer.from(f.base64Content, 'base64'),
      ]),
    );
    return { status: res.status, body: res.body, files };
  }

  return { backend, dryRun, evidence, template };
}
