import type { DeployedRelease, Release } from '@assay/plugin-delivery-common';

/** What a deployment provider is asked to do. */
export interface DeploymentRequest {
  entityRef: string;
  environment: string;
  /** The release to run (its artifacts: image, dashboards, alert rules). */
  release: Release;
  /** What runs there now. */
  previous: DeployedRelease | null;
  /** The acting user (commit author of a GitOps change). */
  actor: string;
  kind: 'promotion' | 'rollback';
  promotionId: string;
}

export interface DeploymentResult {
  /** A reference to what was done (commit sha, recorder ref). */
  ref: string;
  detail: string;
}

/**
 * Puts a release into an environment. Built-in: the recorder (demo) and
 * GitOps (writes the digests into the environment's file in a git
 * repository; Argo CD / Flux deploy it).
 */
export interface DeploymentProvider {
  readonly name: string;
  deploy(request: DeploymentRequest): Promise<DeploymentResult>;
}
