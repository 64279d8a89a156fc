import { ScmIntegrationRegistry } from '@backstage/integration';
import {
  AuthService,
  DatabaseService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { EvidenceService } from '@assay/plugin-evidence-node';
import type { ScorecardsService } from '@assay/plugin-scorecards-node';
import { PromotionConfig } from './config';
import { DefaultPromotionService } from './DefaultPromotionService';
import {
  EvidenceLogApi,
  HttpEvidenceLogApi,
  PromotionEvidence,
} from './evidenceAccess';
import { GitOpsDeploymentProvider } from './providers/GitOpsDeploymentProvider';
import { scmCredentialsResolver } from './providers/scmCredentials';
import { RecorderDeploymentProvider } from './providers/RecorderDeploymentProvider';
import { DeploymentProvider } from './providers/types';
import { DatabasePromotionStore } from './store';

/** Builds the promotion core from the plugin's services. */
export async function createPromotionService(options: {
  config: PromotionConfig;
  database: DatabaseService;
  catalog: CatalogService;
  evidence: EvidenceService;
  auth: AuthService;
  discovery: DiscoveryService;
  logger: LoggerService;
  scorecards?: ScorecardsService;
  /** SCM integrations (credentials for an http(s) GitOps repository). */
  integrations?: ScmIntegrationRegistry;
  provider?: DeploymentProvider;
  evidenceLog?: EvidenceLogApi;
  clock?: () => Date;
}) {
  const { config } = options;
  const store = await DatabasePromotionStore.create({
    database: options.database,
  });
  const provider =
    options.provider ??
    (config.provider === 'gitops'
      ? new GitOpsDeploymentProvider(
          config.gitops!,
          options.logger,
          options.integrations
            ? scmCredentialsResolver(options.integrations)
            : undefined,
        )
      : new RecorderDeploymentProvider());
  const evidence = new PromotionEvidence(
    options.evidence,
    options.evidenceLog ??
      new HttpEvidenceLogApi(
        options.discovery,
        options.auth,
        config.evidenceVerifierKey,
      ),
  );
  const service = new DefaultPromotionService({
    store,
    evidence,
    catalog: options.catalog,
    auth: options.auth,
    config,
    provider,
    logger: options.logger,
    scorecards: options.scorecards,
    clock: options.clock,
  });
  return { service, store, provider, evidence, config };
}
