import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  AuthorizeResult,
  isResourcePermission,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';

/**
 * Permission name prefixes that belong to the Assay plugins (`evidence.*`,
 * `delivery.*`, `scorecards.*`).
 */
const ASSAY_PERMISSION_PREFIXES = [
  'evidence.',
  'delivery.',
  'scorecards.',
] as const;

/**
 * Assay permissions that only members of the `assay.admins` groups hold.
 * Add a plugin's permission here (with a comment) when owners of an entity
 * must not have it.
 */
export const ASSAY_ADMIN_PERMISSIONS: ReadonlySet<string> = new Set([
  // evidence: legal holds and retention, early purge
  'evidence.retention.manage',
  'evidence.retention.bypass',
]);

/** True if the permission belongs to one of the Assay plugins. */
export function isAssayPermission(permission: Permission): boolean {
  return ASSAY_PERMISSION_PREFIXES.some(prefix =>
    permission.name.startsWith(prefix),
  );
}

/** `assay.admins` as normalized group refs. */
export function readAssayAdmins(config: Config): string[] {
  return (config.getOptionalStringArray('assay.admins') ?? []).map(ref =>
    stringifyEntityRef(
      parseEntityRef(ref, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US'),
  );
}

/**
 * The permission policy of the Assay portal.
 *
 * Assay permissions (convention shared by all Assay plugins):
 *   - `attributes.action === 'read'` → every signed-in user;
 *   - names in {@link ASSAY_ADMIN_PERMISSIONS} → members of the `assay.admins`
 *     groups only (demo: group:default/platform-team);
 *   - every other entity-scoped (`catalog-entity`) permission → the owners of
 *     the entity: a conditional decision `isEntityOwner` on the user's
 *     ownership refs (the user and their groups), resolved by the catalog;
 *   - every other non-entity permission → admins.
 * Backstage's own permissions stay allowed for signed-in users.
 *
 * Only *user* requests reach this policy. Service principals are decided by
 * the permission framework from `accessRestrictions`; the evidence backend
 * additionally scopes them with `evidence.producers` / `evidence.pluginProducers`.
 */
export class AssayPermissionPolicy implements PermissionPolicy {
  private readonly admins: ReadonlySet<string>;

  constructor(options: { admins?: string[] } = {}) {
    this.admins = new Set(
      (options.admins ?? []).map(a => a.toLocaleLowerCase('en-US')),
    );
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (isAssayPermission(request.permission)) {
      return this.handleAssayPermission(request, user);
    }
    // Backstage's own permissions (catalog, scaffolder, ...): allowed for
    // every signed-in user, as in a default Backstage install.
    return { result: AuthorizeResult.ALLOW };
  }

  private isAdmin(user?: PolicyQueryUser): boolean {
    return (user?.info.ownershipEntityRefs ?? []).some(ref =>
      this.admins.has(ref.toLocaleLowerCase('en-US')),
    );
  }

  /** THE place where Assay permissions are decided. */
  private async handleAssayPermission(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    const allowIf = (ok: boolean): PolicyDecision => ({
      result: ok ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
    });
    if (permission.attributes.action === 'read') {
      return allowIf(!!user);
    }
    if (ASSAY_ADMIN_PERMISSIONS.has(permission.name)) {
      return allowIf(this.isAdmin(user));
    }
    if (isResourcePermission(permission, 'catalog-entity')) {
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({
          claims: user?.info.ownershipEntityRefs ?? [],
        }),
      );
    }
    return allowIf(this.isAdmin(user));
  }
}

/**
 * Installs {@link AssayPermissionPolicy} as the policy of the permission
 * backend, with the admins from `assay.admins`. Added to the backend in
 * `src/index.ts`.
 */
export const permissionModuleAssayPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'assay-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ policy, config }) {
        policy.setPolicy(
          new AssayPermissionPolicy({ admins: readAssayAdmins(config) }),
        );
      },
    });
  },
});
