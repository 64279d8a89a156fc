import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';

/**
 * Of these entity refs, those for which `permission` (with the entity as
 * resource) is allowed: batched decisions of 250, conditional ones settled
 * by the permission framework as for a single request. Only ALLOW counts.
 */
export async function allowedRefs(
  permissions: PermissionsService,
  permission: ResourcePermission<'catalog-entity'>,
  refs: string[],
  credentials: BackstageCredentials,
): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < refs.length; i += 250) {
    const chunk = refs.slice(i, i + 250);
    const decisions = await permissions.authorize(
      chunk.map(resourceRef => ({ permission, resourceRef })),
      { credentials },
    );
    chunk.forEach((ref, k) => {
      if (decisions[k].result === AuthorizeResult.ALLOW) out.add(ref);
    });
  }
  return out;
}
