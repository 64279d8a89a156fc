/**
 * Scaffolder actions for Assay service onboarding, and a URL reader for the
 * local repositories they publish.
 *
 * The default export adds both the scaffolder module and the URL reader.
 *
 * @packageDocumentation
 */

import { createBackendFeatureLoader } from '@backstage/backend-plugin-api';
import { scaffolderModuleOnboarding } from './module';
import { localRepoUrlReaderFactory } from './lib/LocalRepoUrlReader';

export { scaffolderModuleOnboarding } from './module';
export {
  LocalRepoUrlReader,
  localRepoUrlReaderFactory,
} from './lib/LocalRepoUrlReader';
export { resolveLocalPublishDir } from './lib/config';
export { createValidateResourcesAction } from './actions/validateResources';
export { createPinCliAction } from './actions/pinCli';
export { createIdentifyFeatureAction } from './actions/identifyFeature';
export { createWriteReportsAction } from './actions/writeReports';
export { createRecordEvidenceAction } from './actions/recordEvidence';
export { createPublishLocalAction } from './actions/publishLocal';

/**
 * The onboarding scaffolder module plus the local repository URL reader.
 *
 * @public
 */
export default createBackendFeatureLoader({
  loader() {
    return [scaffolderModuleOnboarding, localRepoUrlReaderFactory];
  },
});
