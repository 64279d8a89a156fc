import { createPermission } from '@backstage/plugin-permission-common';

/** Append evidence records for an entity (CI pipelines, scaffolder actions, delivery). @public */
export const evidenceRecordCreatePermission = createPermission({
  name: 'evidence.record.create',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/** Read an entity's evidence, proofs and audit pack. @public */
export const evidenceRecordReadPermission = createPermission({
  name: 'evidence.record.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/** Set or release legal holds on an entity. @public */
export const evidenceRetentionManagePermission = createPermission({
  name: 'evidence.retention.manage',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/** Purge payloads before their retention expires (governance mode only). @public */
export const evidenceRetentionBypassPermission = createPermission({
  name: 'evidence.retention.bypass',
  attributes: { action: 'delete' },
  resourceType: 'catalog-entity',
});

/** @public */
export const evidencePermissions = [
  evidenceRecordCreatePermission,
  evidenceRecordReadPermission,
  evidenceRetentionManagePermission,
  evidenceRetentionBypassPermission,
];
