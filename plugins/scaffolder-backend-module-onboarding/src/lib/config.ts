import { RootConfigService } from '@backstage/backend-plugin-api';
import path from 'path';

/** Default for `assay.onboarding.localPublishDir`. */
export const DEFAULT_LOCAL_PUBLISH_DIR = 'data/repos';

/**
 * The absolute directory local repositories are published to.
 *
 * @public
 */
export function resolveLocalPublishDir(config: RootConfigService): string {
  const configured =
    config.getOptionalString('assay.onboarding.localPublishDir') ??
    DEFAULT_LOCAL_PUBLISH_DIR;
  return path.resolve(process.cwd(), configured);
}
