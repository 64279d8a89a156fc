import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';

/**
 * Permission name prefixes that belong to the Assay plugins. The evidence
 * plugin registers its permissions as `evidence.*` (create, read, manage
 * retention / legal hold, bypass retention); later Assay plugins follow the
 * same scheme with their own prefix.
 */
const ASSAY_PERMISSION_PREFIXES = ['evidence.'] as const;

/** True if the permission belongs to one of the Assay plugins. */
export function isAssayPermission(permission: Permission): boolean {
  return ASSAY_PERMISSION_PREFIXES.some(prefix =>
    permission.name.startsWith(prefix),
  );
}

/**
 * The permission policy of the Assay portal.
 *
 * Only *user* requests reach this policy. Requests made with service
 * credentials (other backend plugins, and CI pipelines using the external
 * access token `ASSAY_CI_TOKEN`) are decided by the permission framework from
 * the `accessRestrictions` of that token in app-config, never here.
 */
export class AssayPermissionPolicy implements PermissionPolicy {
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

  /**
   * THE place where Assay permissions are decided.
   *
   * Allow-all for now. When the evidence plugin's permissions land, decide
   * them here, for example:
   *   - `evidence.record.read`: everyone (entity-scoped, conditional on the
   *     entity's catalog visibility);
   *   - `evidence.record.create`: owners of the entity (CI pipelines use the
   *     external access token and never reach this method);
   *   - `evidence.retention.manage` / bypass: members of `group:default/platform-team`
   *     only (read `user.credentials.principal.userEntityRef` and the
   *     ownership refs from the user info).
   */
  private async handleAssayPermission(
    _request: PolicyQuery,
    _user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    return { result: AuthorizeResult.ALLOW };
  }
}

/**
 * Installs {@link AssayPermissionPolicy} as the policy of the permission
 * backend. Added to the backend in `src/index.ts`.
 */
export const permissionModuleAssayPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'assay-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new AssayPermissionPolicy());
      },
    });
  },
});
