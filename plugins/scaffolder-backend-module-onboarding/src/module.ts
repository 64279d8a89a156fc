import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { evidenceServiceRef } from '@assay/plugin-evidence-node';
import { createIdentifyFeatureAction } from './actions/identifyFeature';
import { createPinCliAction } from './actions/pinCli';
import { createPublishLocalAction } from './actions/publishLocal';
import { createRecordEvidenceAction } from './actions/recordEvidence';
import { createValidateResourcesAction } from './actions/validateResources';
import { createWriteReportsAction } from './actions/writeReports';
import { resolveLocalPublishDir } from './lib/config';
import { ReportSigner } from './lib/reports';
import fs from 'fs';
import path from 'path';

/**
 * Registers the Assay onboarding actions with the scaffolder.
 *
 * @public
 */
export const scaffolderModuleOnboarding = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'assay-onboarding',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        evidence: evidenceServiceRef,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        auth: coreServices.auth,
      },
      async init({ scaffolder, evidence, catalog, config, logger, auth }) {
        const publishDir = resolveLocalPublishDir(config);
        const signingKey = config.getOptionalString(
          'assay.onboarding.signingKey',
        );
        if (!signingKey) {
          logger.warn(
            'assay.onboarding.signingKey is not set: onboarding manifests are signed with a key generated for this process (its public key is written next to each signature)',
          );
        }
        scaffolder.addActions(
          createValidateResourcesAction(),
          createIdentifyFeatureAction({
            catalog,
            repositoryExists: async name =>
              fs.existsSync(path.join(publishDir, name)),
          }),
          createWriteReportsAction({
            signer: signingKey
              ? ReportSigner.fromPem(signingKey)
              : ReportSigner.ephemeral(),
          }),
          // written as plugin:scaffolder, naming the user; waits for catalog:register
          createRecordEvidenceAction({ evidence, auth, catalog }),
          createPublishLocalAction({ publishDir }),
          createPinCliAction(),
        );
        logger.info(
          `Assay onboarding actions registered; local publish dir ${publishDir}`,
        );
      },
    });
  },
});
