/**
 * Assay evidence store backend plugin.
 *
 * @packageDocumentation
 */
export { evidencePlugin as default } from './plugin';
export {
  evidencePermissions,
  evidenceRecordCreatePermission,
  evidenceRecordReadPermission,
  evidenceRetentionBypassPermission,
  evidenceRetentionManagePermission,
} from './permissions';
