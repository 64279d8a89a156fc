import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Append evidence records for an entity (owners of the entity by default;
 * service principals are scoped by `evidence.producers` /
 * `evidence.pluginProducers` in the evidence backend).
 *
 * @public
 */
export const evidenceRecordCreatePermission = createPermission({
  name: 'evidence.record.create',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/**
 * Read an entity's evidence, proofs, checkpoints and audit pack.
 *
 * @public
 */
export const evidenceRecordReadPermission = createPermission({
  name: 'evidence.record.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/**
 * Set or release legal holds on an entity (admins by default).
 *
 * @public
 */
export const evidenceRetentionManagePermission = createPermission({
  name: 'evidence.retention.manage',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * Purge payloads before their retention expires (governance mode only;
 * admins by default).
 *
 * @public
 */
export const evidenceRetentionBypassPermission = createPermission({
  name: 'evidence.retention.bypass',
  attributes: { action: 'delete' },
  resourceType: 'catalog-entity',
});

/**
 * Every evidence permission.
 *
 * @public
 */
export const evidencePermissions = [
  evidenceRecordCreatePermission,
  evidenceRecordReadPermission,
  evidenceRetentionManagePermission,
  evidenceRetentionBypassPermission,
];

/**
 * Evidence permissions that the default policy gives to the members of the
 * `assay.admins` groups only (retention, legal hold, early purge).
 *
 * @public
 */
export const EVIDENCE_ADMIN_PERMISSION_NAMES: readonly string[] = [
  evidenceRetentionManagePermission.name,
  evidenceRetentionBypassPermission.name,
];
