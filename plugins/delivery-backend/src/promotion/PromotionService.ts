import type {
  DeployedRelease,
  GateEvaluation,
  Promotion,
  PromotionEnvironment,
  PromotionMode,
  Release,
} from '@assay/plugin-delivery-common';

/** A release hash, or `latest` for the entity's newest release. */
export type ReleaseSelector = string | 'latest';

/** The gate preview of a promotion (a dry-run: nothing is stored). */
export interface PromotionPreview {
  evaluation: GateEvaluation;
  release: Release;
  approvalsRequired: number;
  mode: PromotionMode;
  /** The release running in the environment now. */
  deployed: DeployedRelease | null;
}

/**
 * The promotion core other parts of the delivery backend build on (the
 * coordinated orchestration of `src/orchestration` calls it per service).
 *
 * `actor` is the acting user's entity ref (or a service principal).
 * Errors: NotFoundError (unknown entity, release, environment), InputError
 * (bad environment / release for the entity), ConflictError (a promotion is
 * already active for entity + environment), NotAllowedError (separation of
 * duties).
 */
export interface PromotionService {
  /** Environments of the entity (annotation or config) and its mode. */
  environments(
    entityRef: string,
  ): Promise<{ mode: PromotionMode; environments: PromotionEnvironment[] }>;
  /** Gate preview of promoting a release to an environment. Stores nothing. */
  preview(
    entityRef: string,
    environment: string,
    releaseHash: ReleaseSelector,
    actor: string,
  ): Promise<PromotionPreview>;
  /**
   * Starts a promotion and runs it to completion (`succeeded` / `failed`),
   * or stops at `awaiting-approval` or `blocked` (compliance mode, a gate
   * fails). Every step is recorded as `promotion` evidence.
   */
  promote(
    entityRef: string,
    environment: string,
    releaseHash: ReleaseSelector,
    actor: string,
    opts?: { planId?: string },
  ): Promise<Promotion>;
  get(id: string): Promise<Promotion | undefined>;
  /**
   * Rolls the environment back to an earlier release: re-runs the gates
   * against today's policy, records the result, restores the release's
   * artifacts (image, dashboards, alert rules).
   */
  rollback(
    entityRef: string,
    environment: string,
    toReleaseHash: string,
    actor: string,
    opts?: { planId?: string; reason?: string },
  ): Promise<Promotion>;
  deployedRelease(
    entityRef: string,
    environment: string,
  ): Promise<DeployedRelease | null>;
  /** Cancels a promotion awaiting approval (ConflictError otherwise). */
  cancel(id: string, actor: string, reason?: string): Promise<Promotion>;
}
