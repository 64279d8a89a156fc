import {
  BackstageCredentials,
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EvidenceService,
  evidenceServiceRef,
} from '@assay/plugin-evidence-node';
// The real evidence backend, started next to delivery (tests and bench only).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import evidencePlugin from '@assay/plugin-evidence-backend';
import { deliveryPlugin } from '../../plugin';

/** Owners of every test entity; dan owns nothing. */
export const OWNERS = [
  'user:default/alice',
  'user:default/bob',
  'user:default/carol',
];

export const entity = (
  name: string,
  annotations: Record<string, string> = {},
  spec: Record<string, unknown> = {},
) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'payments-team',
    ...spec,
  },
});

/**
 * The suite's convention in miniature: `read` → any signed-in principal;
 * every other permission → the owners (users in OWNERS) and service
 * principals (plugins writing their own evidence).
 */
export function conventionPermissions(asked: any[] = []) {
  const decide = (r: any, credentials: BackstageCredentials) => {
    const p = credentials.principal as any;
    const read = r.permission.attributes?.action === 'read';
    const ok =
      p.type === 'service' ||
      (read
        ? p.type === 'user'
        : p.type === 'user' && OWNERS.includes(p.userEntityRef));
    return { result: ok ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
  };
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () =>
      ({
        async authorize(
          requests: any[],
          { credentials }: { credentials: BackstageCredentials },
        ) {
          asked.push(...requests);
          return requests.map(r => decide(r, credentials));
        },
        // resource-less checks (e.g. the evidence log's read routes)
        async authorizeConditional(
          requests: any[],
          { credentials }: { credentials: BackstageCredentials },
        ) {
          return requests.map(r => decide(r, credentials));
        },
      } as any),
  });
}

/** A stand-in CI producer: a plugin handing out the evidence service. */
function ciPlugin(holder: { evidence?: EvidenceService }) {
  return createBackendPlugin({
    pluginId: 'ci',
    register(env) {
      env.registerInit({
        deps: { evidence: evidenceServiceRef },
        async init({ evidence }) {
          holder.evidence = evidence;
        },
      });
    },
  });
}

export const daysAgo = (d: number) =>
  new Date(Date.now() - d * 86_400_000).toISOString();

/** Healthy CI evidence of one build (what the gates read). */
export const healthyEvidence = (over: Record<string, any> = {}) => ({
  tests: { tests: 120, failures: 0, errors: 0, ...over.tests },
  coverage: { linePct: 84.2, ...over.coverage },
  sast: { error: 0, warning: 2, note: 1, ...over.sast },
  sbom: { critical: 0, high: 0, medium: 3, low: 0, ...over.sbom },
  'load-test': { p95Ms: 180, ...over['load-test'] },
  signature: { verified: true, tool: 'cosign', ...over.signature },
});

/**
 * delivery + the real evidence backend (SQLite in memory) + a catalog with
 * the given entities. `put` appends CI evidence as a user (alice).
 */
export async function startPromotionBackend(options: {
  entities: any[];
  config?: Record<string, any>;
  /** `evidence` config (e.g. the demo seed). */
  evidence?: Record<string, any>;
  asked?: any[];
}) {
  const holder: { evidence?: EvidenceService } = {};
  const backend = await startTestBackend({
    features: [
      evidencePlugin,
      deliveryPlugin,
      ciPlugin(holder),
      conventionPermissions(options.asked),
      catalogServiceMock.factory({ entities: options.entities }),
      mockServices.rootConfig.factory({
        data: {
          backend: { baseUrl: 'http://localhost:7007' },
          ...(options.evidence ? { evidence: options.evidence } : {}),
          delivery: {
            canary: { intervalSeconds: 3600, frequencySeconds: 3600 },
            promotion: options.config ?? {},
          },
        },
      }),
    ],
  });
  const credentials = mockCredentials.user('user:default/alice');
  const put = async (
    entityRef: string,
    category: string,
    summary: Record<string, any>,
    producedAt = daysAgo(1),
  ) =>
    holder.evidence!.append(
      { entityRef, category, summary, producedAt },
      { credentials },
    );
  const putAll = async (entityRef: string, over: Record<string, any> = {}) => {
    const out: Record<string, string> = {};
    for (const [category, summary] of Object.entries(healthyEvidence(over))) {
      out[category] = (await put(entityRef, category, summary)).hash;
    }
    return out;
  };
  const list = (entityRef: string, category?: string) =>
    holder.evidence!.list(entityRef, {
      credentials,
      category: category ? [category] : undefined,
      limit: 200,
      order: 'desc',
    });
  return { backend, server: backend.server, put, putAll, list };
}

export const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);
