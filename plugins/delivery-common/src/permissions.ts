import { createPermission } from '@backstage/plugin-permission-common';

/*
 * Entity-scoped (resourceType 'catalog-entity', resourceRef = entity ref).
 * Convention of the suite's policy: action 'read' → signed-in users; every
 * other Assay permission → owners of the entity.
 */

/** See an entity's canary runs, verdicts and history. @public */
export const canaryReadPermission = createPermission({
  name: 'delivery.canary.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});
/** Start a canary run for an entity. @public */
export const canaryStartPermission = createPermission({
  name: 'delivery.canary.start',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});
/** Pause a running canary. @public */
export const canaryPausePermission = createPermission({
  name: 'delivery.canary.pause',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});
/** Resume a paused canary. @public */
export const canaryResumePermission = createPermission({
  name: 'delivery.canary.resume',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});
/** Abort a canary (traffic back to stable). @public */
export const canaryAbortPermission = createPermission({
  name: 'delivery.canary.abort',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});
/** Promote a canary to 100 % now. @public */
export const canaryPromotePermission = createPermission({
  name: 'delivery.canary.promote',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});
/** Record a verdict for an entity through the Argo `web` metric provider endpoint. @public */
export const canaryAnalyzePermission = createPermission({
  name: 'delivery.canary.analyze',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/** See environments, releases, gates and promotion history. @public */
export const promotionReadPermission = createPermission({
  name: 'delivery.promotion.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});
/** Promote a release of an entity to an environment. @public */
export const promotionPromotePermission = createPermission({
  name: 'delivery.promotion.promote',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});
/** Approve a promotion (never one's own). @public */
export const promotionApprovePermission = createPermission({
  name: 'delivery.promotion.approve',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});
/** Roll an environment back to a previous release. @public */
export const promotionRollbackPermission = createPermission({
  name: 'delivery.promotion.rollback',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/** Every canary permission. @public */
export const canaryPermissions = [
  canaryReadPermission,
  canaryStartPermission,
  canaryPausePermission,
  canaryResumePermission,
  canaryAbortPermission,
  canaryPromotePermission,
  canaryAnalyzePermission,
];

/** Every promotion permission. @public */
export const promotionPermissions = [
  promotionReadPermission,
  promotionPromotePermission,
  promotionApprovePermission,
  promotionRollbackPermission,
];

/** Every delivery permission (register them all with the permissions registry). @public */
export const deliveryPermissions = [
  ...canaryPermissions,
  ...promotionPermissions,
];
