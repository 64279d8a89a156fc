// The permission objects live in @assay/plugin-evidence-common so the
// frontend can check them with usePermission; re-exported here for
// compatibility.
export {
  evidenceRecordCreatePermission,
  evidenceRecordReadPermission,
  evidenceRetentionManagePermission,
  evidenceRetentionBypassPermission,
  evidencePermissions,
} from '@assay/plugin-evidence-common';
