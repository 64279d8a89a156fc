import {
  canaryAbortPermission,
  canaryPausePermission,
  canaryPromotePermission,
  canaryResumePermission,
  canaryStartPermission,
} from '@assay/plugin-delivery-common';
import { CanaryAction } from '../api/types';

export { canaryStartPermission };

/** The entity-scoped permission each manual action needs. */
export const canaryActionPermissions: Record<
  CanaryAction,
  typeof canaryPausePermission
> = {
  pause: canaryPausePermission,
  resume: canaryResumePermission,
  abort: canaryAbortPermission,
  promote: canaryPromotePermission,
};

export {
  promotionApprovePermission,
  promotionPromotePermission,
  promotionRollbackPermission,
} from '@assay/plugin-delivery-common';
