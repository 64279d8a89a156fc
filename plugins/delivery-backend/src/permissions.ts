/*
 * The `delivery.canary.*` permission objects live in delivery-common (the
 * frontend needs them for usePermission); this backend registers and checks
 * them. Convention (suite policy): action 'read' → signed-in users; every
 * other → owners of the entity.
 */
export {
  canaryReadPermission,
  canaryStartPermission,
  canaryPausePermission,
  canaryResumePermission,
  canaryAbortPermission,
  canaryPromotePermission,
  canaryAnalyzePermission,
  canaryPermissions,
} from '@assay/plugin-delivery-common';
