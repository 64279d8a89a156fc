import type {
  EvidenceBundle,
  EvidenceEnvelope,
  HeadProof,
} from '@assay/plugin-evidence-common';

export type { EvidenceBundle, EvidenceEnvelope, HeadProof };

/**
 * Retention facts the backend attaches to every stored record.
 *
 * @public
 */
export interface RecordRetention {
  years: number;
  expiresAt: string;
  mode: 'governance' | 'compliance';
  legalHold: boolean;
}

/**
 * One record as served by `GET /v1/entities/.../records` and `GET /v1/records/:hash`.
 * `canonical` is the exact RFC 8785 text whose SHA-256 is `hash`; the viewer
 * verifies `canonical`, never `envelope`.
 *
 * @public
 */
export interface StoredRecord {
  envelope: EvidenceEnvelope;
  hash: string;
  leafIndex: number;
  canonical: string;
  payloadPurged: boolean;
  retention: RecordRetention;
}

/** @public */
export interface RecordsPage {
  items: StoredRecord[];
  nextCursor?: string;
  totalCount: number;
}

/** @public */
export interface RecordsQuery {
  categories?: string[];
  /** ISO timestamp, inclusive */
  since?: string;
  /** ISO timestamp, inclusive */
  until?: string;
  /** free text matched against the record's subject (commit, version, run id...) */
  subject?: string;
  cursor?: string;
  /** 1..500, default 50 */
  limit?: number;
  order?: 'asc' | 'desc';
}

/** @public */
export interface CategorySummary {
  category: string;
  count: number;
  /** from the newest record's verified canonical bytes; absent if they do not verify */
  latestRecordedAt?: string;
  latestSummary: Record<string, unknown>;
  /** why the newest record of this category could not be trusted */
  integrityProblem?: string;
}

/** @public */
export interface MissingCategory {
  category: string;
  /** `unverified`: the newest record's stored bytes do not verify */
  reason: 'never' | 'stale' | 'unverified';
  lastRecordedAt?: string;
  maxAgeDays: number;
  problem?: string;
}

/** @public */
export interface LegalHoldInfo {
  reason: string;
  setBy: string;
  setAt: string;
}

/** @public */
export interface EvidenceSummary {
  entityRef: string;
  complianceMode: 'sandbox' | 'compliance' | null;
  recordCount: number;
  head: { seq: number; hash: string; leafIndex: number } | null;
  categories: CategorySummary[];
  requiredCategories: string[];
  missing: MissingCategory[];
  legalHold: LegalHoldInfo | null;
  retention: {
    mode: 'governance' | 'compliance';
    defaultYears: number;
    rules: Array<{ category: string; years: number }>;
  };
}

/** @public */
export interface PublicKeyInfo {
  origin: string;
  /** C2SP signed-note verifier key (`<name>+<hash>+<base64 key>`) */
  verifierKey: string;
  algorithm: 'ed25519';
}

/** @public */
export interface InclusionProofResponse {
  leafIndex: number;
  treeSize: number;
  /** base64 */
  rootHash: string;
  /** base64, bottom-up */
  hashes: string[];
}

/** @public */
export interface ConsistencyProofResponse {
  from: number;
  to: number;
  rootHash: string;
  hashes: string[];
}

/**
 * A problem found by the server's integrity audit task.
 *
 * @public
 */
export interface AuditFinding {
  id: number;
  foundAt: string;
  kind: string;
  leafIndex: number | null;
  entityRef: string | null;
  message: string;
}

/**
 * `GET /v1/audit`: the integrity audit's progress and newest findings.
 *
 * @public
 */
export interface AuditStatus {
  treeSize: number;
  cursor: number;
  passStartedAt: string | null;
  lastCompletedAt: string | null;
  lastCompletedSize: number | null;
  passes: number;
  /** findings the caller may see (about no entity, or one whose evidence they may read) */
  findingCount: number;
  findings: AuditFinding[];
}

/** @public */
export interface ServerVerifyResult {
  ok: boolean;
  checked: number;
  firstBad?: { seq: number; hash: string; reason: string };
}

/**
 * What a returning verifier needs since the head it remembered, in one
 * response (`GET …/increment`): the latest signed checkpoint, the records
 * from the re-check window before the remembered head up to the newest one
 * that checkpoint covers, and the proofs. Nothing in it is trusted: the
 * browser verifies every piece as with the separate routes.
 *
 * @public
 */
export interface IncrementResponse {
  checkpoint: string;
  treeSize: number;
  /** false when more new records remain than one response carries */
  complete: boolean;
  records: Array<{ leafIndex: number; hash: string; canonical: string }>;
  /** base64, from the remembered tree size to `treeSize` */
  consistency: string[] | null;
  /** of the last record returned, at `treeSize` */
  inclusion: { leafIndex: number; hashes: string[] } | null;
  headProof: HeadProof | null;
}
