import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read an entity's scorecard results, history, waivers, the overview,
 * rollups and controls. Entity-scoped.
 *
 * @public
 */
export const scorecardsResultReadPermission = createPermission({
  name: 'scorecards.result.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/**
 * Recompute one entity's result now (`POST …/refresh`). Entity-scoped.
 *
 * @public
 */
export const scorecardsEntityRefreshPermission = createPermission({
  name: 'scorecards.entity.refresh',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * Request a waiver for one of an entity's checks. Entity-scoped.
 *
 * @public
 */
export const scorecardsWaiverRequestPermission = createPermission({
  name: 'scorecards.waiver.request',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/**
 * Approve or reject a waiver someone else requested. Entity-scoped.
 *
 * @public
 */
export const scorecardsWaiverApprovePermission = createPermission({
  name: 'scorecards.waiver.approve',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * Every scorecards permission.
 *
 * @public
 */
export const scorecardsPermissions = [
  scorecardsResultReadPermission,
  scorecardsEntityRefreshPermission,
  scorecardsWaiverRequestPermission,
  scorecardsWaiverApprovePermission,
];
