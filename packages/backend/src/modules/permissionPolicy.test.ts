import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import permissionPlugin from '@backstage/plugin-permission-backend';
import request from 'supertest';
import {
  AssayPermissionPolicy,
  isAssayPermission,
  permissionModuleAssayPolicy,
} from './permissionPolicy';

const evidenceCreate = createPermission({
  name: 'evidence.record.create',
  attributes: { action: 'create' },
});
const catalogRead = createPermission({
  name: 'catalog.entity.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

describe('isAssayPermission', () => {
  it('recognises Assay permissions by their prefix', () => {
    expect(isAssayPermission(evidenceCreate)).toBe(true);
    expect(isAssayPermission(catalogRead)).toBe(false);
  });
});

describe('AssayPermissionPolicy', () => {
  const policy = new AssayPermissionPolicy();

  it.each([evidenceCreate, catalogRead])('allows $name for now', async p => {
    await expect(policy.handle({ permission: p })).resolves.toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });
});

describe('permissionModuleAssayPolicy', () => {
  it('is the policy the permission backend asks', async () => {
    const { server } = await startTestBackend({
      features: [
        permissionPlugin,
        permissionModuleAssayPolicy,
        mockServices.rootConfig.factory({
          data: { permission: { enabled: true } },
        }),
      ],
    });

    const res = await request(server)
      .post('/api/permission/authorize')
      .set('Authorization', mockCredentials.user.header('user:default/guest'))
      .send({
        items: [
          { id: 'a', permission: evidenceCreate },
          { id: 'b', permission: catalogRead, resourceRef: 'component:x' },
        ],
      });

    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      { id: 'a', result: AuthorizeResult.ALLOW },
      { id: 'b', result: AuthorizeResult.ALLOW },
    ]);
  });

  it('rejects unauthenticated callers', async () => {
    const { server } = await startTestBackend({
      features: [permissionPlugin, permissionModuleAssayPolicy],
    });

    const res = await request(server)
      .post('/api/permission/authorize')
      .set('Authorization', mockCredentials.none.header())
      .send({ items: [{ id: 'a', permission: evidenceCreate }] });

    expect(res.status).toBe(401);
  });
});
