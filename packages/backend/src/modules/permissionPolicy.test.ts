import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import {
  AuthService,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import permissionPlugin from '@backstage/plugin-permission-backend';
import evidencePlugin, {
  evidenceRecordCreatePermission,
  evidenceRecordReadPermission,
  evidenceRetentionBypassPermission,
  evidenceRetentionManagePermission,
} from '@assay/plugin-evidence-backend';
import { resolve as resolvePath } from 'node:path';
import request from 'supertest';
import {
  AssayPermissionPolicy,
  isAssayPermission,
  permissionModuleAssayPolicy,
  readAssayAdmins,
} from './permissionPolicy';

jest.setTimeout(120_000);

const repoRoot = resolvePath(__dirname, '../../../..');

const catalogRead = createPermission({
  name: 'catalog.entity.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});
const deliveryStart = createPermission({
  name: 'delivery.canary.start',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});
const scorecardsRead = createPermission({
  name: 'scorecards.result.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});
const assayBasicUpdate = createPermission({
  name: 'scorecards.rules.update',
  attributes: { action: 'update' },
});

const user = (ref: string, groups: string[] = []): PolicyQueryUser =>
  ({
    identity: {
      type: 'user',
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...groups],
    },
    token: 'token',
    credentials: mockCredentials.user(ref),
    info: { userEntityRef: ref, ownershipEntityRefs: [ref, ...groups] },
  } as unknown as PolicyQueryUser);

const guest = user('user:default/guest', ['group:default/payments-team']);
const alice = user('user:default/alice', ['group:default/platform-team']);

describe('isAssayPermission', () => {
  it('recognises Assay permissions by their prefix', () => {
    expect(isAssayPermission(evidenceRecordCreatePermission)).toBe(true);
    expect(isAssayPermission(deliveryStart)).toBe(true);
    expect(isAssayPermission(scorecardsRead)).toBe(true);
    expect(isAssayPermission(catalogRead)).toBe(false);
  });
});

describe('readAssayAdmins', () => {
  it('normalizes group refs', () => {
    expect(
      readAssayAdmins(
        new ConfigReader({
          assay: { admins: ['platform-team', 'group:Ops/SRE'] },
        }),
      ),
    ).toEqual(['group:default/platform-team', 'group:ops/sre']);
    expect(readAssayAdmins(new ConfigReader({}))).toEqual([]);
  });
});

describe('AssayPermissionPolicy', () => {
  const policy = new AssayPermissionPolicy({
    admins: ['group:default/platform-team'],
  });

  it('allows reads of Assay data to every signed-in user', async () => {
    for (const permission of [evidenceRecordReadPermission, scorecardsRead]) {
      await expect(policy.handle({ permission }, guest)).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it('keeps Backstage permissions allowed', async () => {
    await expect(
      policy.handle({ permission: catalogRead }, guest),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('gives retention, legal hold and early purge to assay.admins members only', async () => {
    for (const permission of [
      evidenceRetentionManagePermission,
      evidenceRetentionBypassPermission,
    ]) {
      await expect(policy.handle({ permission }, guest)).resolves.toEqual({
        result: AuthorizeResult.DENY,
      });
      await expect(policy.handle({ permission }, alice)).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
    // no admins configured: nobody
    await expect(
      new AssayPermissionPolicy().handle(
        { permission: evidenceRetentionManagePermission },
        alice,
      ),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('gives other entity-scoped Assay permissions to the owners of the entity (catalog condition)', async () => {
    for (const permission of [evidenceRecordCreatePermission, deliveryStart]) {
      await expect(policy.handle({ permission }, guest)).resolves.toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          resourceType: 'catalog-entity',
          params: {
            claims: ['user:default/guest', 'group:default/payments-team'],
          },
        },
      });
    }
  });

  it('gives non-entity Assay permissions other than reads to admins', async () => {
    await expect(
      policy.handle({ permission: assayBasicUpdate }, guest),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
    await expect(
      policy.handle({ permission: assayBasicUpdate }, alice),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });
});

/**
 * User info as the guest sign-in resolves it: the user and the groups it is
 * a member of in the catalog.
 */
const catalogUserInfo = createServiceFactory({
  service: coreServices.userInfo,
  deps: { catalog: catalogServiceRef, auth: coreServices.auth },
  factory: ({ catalog, auth }) => ({
    async getUserInfo(credentials: BackstageCredentials) {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      const entity = await catalog.getEntityByRef(ref, {
        credentials: await auth.getOwnServiceCredentials(),
      });
      const groups = (entity?.relations ?? [])
        .filter(r => r.type === 'memberOf')
        .map(r => r.targetRef);
      return { userEntityRef: ref, ownershipEntityRefs: [ref, ...groups] };
    },
  }),
});

/**
 * Mock auth whose on-behalf-of tokens carry the calling plugin as `actor`,
 * like real Backstage tokens: the permission framework only accepts
 * conditional and apply-conditions requests from such credentials.
 */
const oboAwareAuth = createServiceFactory({
  service: coreServices.auth,
  deps: { pluginMetadata: coreServices.pluginMetadata },
  factory: ({ pluginMetadata }) => {
    const inner = mockServices.auth({ pluginId: pluginMetadata.getId() });
    const authenticate: AuthService['authenticate'] = async (
      token,
      options,
    ) => {
      const credentials: BackstageCredentials<any> = await inner.authenticate(
        token,
        options,
      );
      const prefix = 'mock-service-token:';
      if (token.startsWith(prefix)) {
        const { sub, obo } = JSON.parse(token.slice(prefix.length));
        if (obo && credentials.principal.type === 'user') {
          return {
            ...credentials,
            principal: {
              ...credentials.principal,
              actor: {
                type: 'service',
                subject: sub ?? 'external:test-service',
              },
            },
          } as any;
        }
      }
      return credentials;
    };
    return Object.assign(Object.create(inner), { authenticate });
  },
});

describe('the demo: permission backend + Assay policy + catalog + evidence', () => {
  it('lets the guest (payments-team) write service-a evidence but not release a hold; platform-team admins manage holds', async () => {
    const { server } = await startTestBackend({
      features: [
        permissionPlugin,
        permissionModuleAssayPolicy,
        catalogPlugin,
        evidencePlugin,
        catalogUserInfo,
        oboAwareAuth,
        httpAuthServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            permission: { enabled: true },
            assay: { admins: ['group:default/platform-team'] },
            catalog: {
              rules: [
                {
                  allow: ['Component', 'System', 'API', 'Resource', 'Location'],
                },
              ],
              locations: [
                {
                  type: 'file',
                  target: resolvePath(repoRoot, 'catalog/example-service.yaml'),
                },
                {
                  type: 'file',
                  target: resolvePath(repoRoot, 'catalog/org.yaml'),
                  rules: [{ allow: ['User', 'Group'] }],
                },
              ],
            },
          },
        }),
      ],
    });
    const asGuest = mockCredentials.user.header('user:default/guest');
    const asAlice = mockCredentials.user.header('user:default/alice');
    // (the mock auth issues no on-behalf-of tokens, so the permission backend
    // refuses the catalog's own conditional user queries: read it as a service)
    const asService = mockCredentials.service.header();

    // wait until the catalog has processed the demo organisation
    const deadline = Date.now() + 90_000;
    for (;;) {
      const [svc, guestUser] = await Promise.all([
        request(server)
          .get('/api/catalog/entities/by-name/component/default/service-a')
          .set('authorization', asService),
        request(server)
          .get('/api/catalog/entities/by-name/user/default/guest')
          .set('authorization', asService),
      ]);
      const ready =
        svc.status === 200 &&
        (svc.body.relations ?? []).some((r: any) => r.type === 'ownedBy') &&
        guestUser.status === 200 &&
        (guestUser.body.relations ?? []).some(
          (r: any) => r.type === 'memberOf',
        );
      if (ready) break;
      if (Date.now() > deadline) {
        throw new Error(
          `demo catalog not ready: ${svc.status} ${svc.text.slice(0, 300)} / ${
            guestUser.status
          } ${guestUser.text.slice(0, 300)}`,
        );
      }
      await new Promise(r => setTimeout(r, 250));
    }

    const records = '/api/evidence/v1/records';
    const serviceA = '/api/evidence/v1/entities/component/default/service-a';
    // the guest owns service-a through payments-team
    await request(server)
      .post(records)
      .set('authorization', asGuest)
      .send({ entityRef: 'component:default/service-a', category: 'tests' })
      .expect(201);
    // ...but not service-mesh (platform-team's)
    const mesh = await request(server)
      .post(records)
      .set('authorization', asGuest)
      .send({ entityRef: 'resource:default/service-mesh', category: 'tests' })
      .expect(403);
    expect(mesh.body.error.message).toMatch(/evidence\.record\.create/);
    // and not a reserved category, even on its own service
    const canary = await request(server)
      .post(records)
      .set('authorization', asGuest)
      .send({ entityRef: 'component:default/service-a', category: 'canary' })
      .expect(403);
    expect(canary.body.error.message).toMatch(/category: 'canary' refused/);
    // an unknown entity is not revealed: the owner condition fails
    await request(server)
      .post(records)
      .set('authorization', asGuest)
      .send({ entityRef: 'component:default/nope', category: 'tests' })
      .expect(403);

    // alice (platform-team, assay.admins) sets a hold; the guest may not release it
    await request(server)
      .put(`${serviceA}/legal-hold`)
      .set('authorization', asAlice)
      .send({ reason: 'litigation 2026-17' })
      .expect(200);
    await request(server)
      .delete(`${serviceA}/legal-hold`)
      .set('authorization', asGuest)
      .expect(403);
    await request(server)
      .post(`${serviceA}/purge`)
      .set('authorization', asGuest)
      .send({ reason: 'GDPR erasure' })
      .expect(403);
    // everybody signed in reads
    const list = await request(server)
      .get(`${serviceA}/records`)
      .set('authorization', asAlice)
      .expect(200);
    expect(list.body.totalCount).toBe(1);
    await request(server)
      .delete(`${serviceA}/legal-hold`)
      .set('authorization', asAlice)
      .expect(204);
  });

  it('rejects unauthenticated callers', async () => {
    const { server } = await startTestBackend({
      features: [permissionPlugin, permissionModuleAssayPolicy],
    });

    const res = await request(server)
      .post('/api/permission/authorize')
      .set('Authorization', mockCredentials.none.header())
      .send({
        items: [{ id: 'a', permission: evidenceRecordCreatePermission }],
      });

    expect(res.status).toBe(401);
  });
});
