import type { EvidenceEnvelope } from '@assay/plugin-evidence-common';

/** Gate evaluation mode: sandbox turns failures into warnings; compliance blocks. @public */
export type PromotionMode = 'sandbox' | 'compliance';

/** The newest evidence record of one category, as read from the store. @public */
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
}

/** Input of {@link evaluateGates}. @public */
export interface EvaluateGatesInput {
  policy: PromotionPolicy;
  mode: PromotionMode;
  /** Newest record per category (missing categories absent or null). */
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
