import type { EvidenceEnvelope } from '@assay/plugin-evidence-common';

/** Gate evaluation mode: sandbox turns failures into warnings; compliance blocks. @public */
export type PromotionMode = 'sandbox' | 'compliance';

/** The evidence record of one category the release cites, as read from the log. @public */
export interface GateEvidence {
  envelope: Pick<
    EvidenceEnvelope,
    'category' | 'summary' | 'producedAt' | 'recordedAt' | 'producer'
  > &
    Partial<Pick<EvidenceEnvelope, 'entityRef' | 'seq' | 'subject'>>;
  /** Record hash. */
  hash: string;
  /** Hash, chain and inclusion under the current signed checkpoint verified. */
  verified: boolean;
}

/** An approval of a promotion, bound to a release hash. @public */
export interface PromotionApproval {
  /** Entity ref of the approving user. */
  approver: string;
  /** Hash of the release record approved. */
  releaseHash: string;
  approvedAt: string;
  /** When the approval lapses (else approvedAt + policy.approvals.maxAgeHours). */
  expiresAt?: string;
  /** Hash of the approval's evidence record, if recorded. */
  hash?: string;
}

/** Promotion gate policy (every field has a default). @public */
export interface PromotionPolicy {
  /** Categories that must be present, fresh and verified (default tests, sast, sbom, coverage, load-test, signature). */
  requiredEvidence?: string[];
  /** Evidence older than this fails the freshness rule (default 30 days). */
  maxEvidenceAgeDays?: number;
  /** Minimum line coverage in percent (default 70). */
  minCoveragePct?: number;
  /** SBOM vulnerability severities that block (default critical, high). */
  blockingSeverities?: Array<'critical' | 'high' | 'medium' | 'low'>;
  /** SARIF levels that make SAST unclean (default error, warning). */
  sastBlockingLevels?: Array<'error' | 'warning' | 'note'>;
  /** Maximum load-test p95 regression vs the previous release, percent (default 10). */
  maxP95RegressionPct?: number;
  /** Lowest acceptable scorecard level (default none: gate skipped). */
  minScorecardLevel?: string | null;
  approvals?: {
    /** Approvals required in compliance mode (default 1). */
    required?: number;
    /** Approvals required in sandbox mode (default 0). */
    sandboxRequired?: number;
    /** Approval lifetime when it carries no expiresAt (default 72 h). */
    maxAgeHours?: number;
  };
}

/** A release being promoted (its `release` evidence record). @public */
export interface ReleaseRef {
  version: string;
  /** Hash of the `release` evidence record. */
  hash: string;
  /** Who produced the release (user or service principal ref). */
  producer: string;
  /** What ships with it (the signature gate checks the image digest). */
  artifacts?: ReleaseArtifact[];
}

/** Input of {@link evaluateGates}. @public */
export interface EvaluateGatesInput {
  policy: PromotionPolicy;
  mode: PromotionMode;
  /**
   * The record the release cites per category, read by its hash (a
   * category the release does not cite is absent or null and fails closed).
   */
  evidence: Partial<Record<string, GateEvidence | null>>;
  release: ReleaseRef;
  /** Entity ref of the user asking for the promotion. */
  requester: string;
  /** The release running in the target environment now, with its load test. */
  previousRelease?: {
    version: string;
    hash: string;
    loadTest?: GateEvidence | null;
  } | null;
  approvals: PromotionApproval[];
  /** The entity's scorecard level, when the scorecards plugin is present. */
  scorecard?: {
    level: string | null;
    /** Level names, lowest first. */
    levels: string[];
    hash?: string | null;
  } | null;
  now: string | Date;
  /**
   * The promotion path: whether the release runs in the environment before
   * the target (absent for the first environment and for rollbacks).
   */
  path?: {
    previousEnvironment: string;
    deployedThere: boolean;
    deployedVersion?: string | null;
  } | null;
}

/** One gate's outcome. @public */
export type GateStatus = 'pass' | 'fail' | 'warn';

/** Result of one gate: its rule, inputs, the hashes it read, and why. @public */
export interface GateResult {
  id: string;
  title: string;
  status: GateStatus;
  /** The rule in words. */
  rule: string;
  /** What was found, with the numbers. */
  detail: string;
  inputs: Record<string, string | number | boolean | null>;
  /** Hashes of the evidence records the gate read. */
  evidence: string[];
}

/** Output of {@link evaluateGates}. @public */
export interface GateEvaluation {
  mode: PromotionMode;
  /** True when no gate fails (warnings never block). */
  allowed: boolean;
  gates: GateResult[];
  /** Every evidence hash read, for the decision record's `inputs`. */
  inputs: string[];
  summary: string;
}

/** What ships with a release (referenced by digest, never copied). @public */
export interface ReleaseArtifact {
  name: string;
  kind: 'image' | 'dashboard' | 'alert-rules' | 'config' | 'other';
  /** `sha256:<hex>` (OCI digests included). */
  digest: string;
}

/**
 * Payload of an immutable `release` evidence record: which evidence it rests
 * on (by record hash) and what it ships (by digest).
 * @public
 */
export interface ReleaseRecord {
  kind: 'assay.release/v1';
  entityRef: string;
  version: string;
  /** The evidence records the release rests on (newest per category when cut). */
  evidence: Array<{ category: string; hash: string; seq?: number }>;
  artifacts: ReleaseArtifact[];
  /** Who cut the release (entity ref). */
  producer: string;
  createdAt: string;
}

/** Status of a promotion or rollback. Active: awaiting-approval, running. @public */
export type PromotionStatus =
  | 'awaiting-approval'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'blocked'
  | 'rolled-back'
  | 'cancelled';

/** Statuses during which a promotion holds its entity + environment. @public */
export const ACTIVE_PROMOTION_STATUSES: readonly PromotionStatus[] = [
  'awaiting-approval',
  'running',
];

/** `summary.kind` of the evidence records the promotion backend writes. @public */
export type PromotionEvidenceKind =
  | 'release'
  | 'gate-decision'
  | 'promotion'
  | 'approval'
  | 'rollback'
  | 'plan-step';

/** A release as the API returns it (its `release` evidence record, referenced). @public */
export interface Release {
  /** Hash of the `release` evidence record (the release's identity). */
  hash: string;
  entityRef: string;
  version: string;
  producer: string;
  createdAt: string;
  /** Evidence the release rests on, by record hash (newest per category when cut). */
  evidence: ReleaseRecord['evidence'];
  artifacts: ReleaseArtifact[];
  /** Seeded demo release. */
  demo?: boolean;
}

/** The release running in an environment. @public */
export interface DeployedRelease {
  entityRef: string;
  environment: string;
  version: string;
  releaseHash: string;
  deployedAt: string;
  /** The promotion (or rollback) that put it there. */
  promotionId: string | null;
  /** What the deployment provider reports (commit, recorder ref). */
  deploymentRef: string | null;
}

/** An approval of a promotion as the API returns it. @public */
export interface PromotionApprovalView {
  approver: string;
  approvedAt: string;
  expiresAt: string;
  /** Hash of the approval's evidence record. */
  hash: string | null;
  /** The release hash the approval is bound to. */
  releaseHash?: string;
  comment?: string | null;
}

/** A promotion or rollback of one entity into one environment. @public */
export interface Promotion {
  id: string;
  entityRef: string;
  environment: string;
  kind: 'promotion' | 'rollback';
  version: string;
  releaseHash: string;
  status: PromotionStatus;
  requestedBy: string;
  requestedAt: string;
  finishedAt?: string | null;
  mode: PromotionMode;
  evaluation: GateEvaluation;
  approvals: PromotionApprovalView[];
  approvalsRequired: number;
  /** Evidence records written for this promotion (gate decisions, approvals, final). */
  evidenceHashes: string[];
  /** Release createdAt → landed, for succeeded promotions. */
  leadTimeSeconds?: number | null;
  /** The release that ran in the environment before (rollback target of a failure). */
  previousReleaseHash?: string | null;
  planId?: string | null;
  error?: string | null;
  /** Seeded demo promotion. */
  demo?: boolean;
}

/** One environment of an entity's promotion path. @public */
export interface PromotionEnvironment {
  name: string;
  /** Approvals required in compliance mode. */
  approvalsRequired: number;
  /** The production step may run as a canary. */
  canary: boolean;
  /**
   * Compliance mode here whatever the entity's `assay.dev/compliance-mode`
   * annotation says (the entity's owner edits its annotations; a protected
   * environment such as prod is not theirs to relax).
   */
  enforceCompliance?: boolean;
}

/** Promotion KPIs of one key (entity ref, team ref or `overall`). @public */
export interface PromotionKpi {
  key: string;
  /** Finished promotions (succeeded, failed, blocked, rolled-back). */
  promotions: number;
  succeeded: number;
  /** succeeded / promotions (null without promotions). */
  successRate: number | null;
  leadTimeSecondsMedian: number | null;
  leadTimeSecondsP90: number | null;
}
