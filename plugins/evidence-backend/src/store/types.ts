import type {
  EvidenceEnvelope,
  EvidenceSubject,
} from '@assay/plugin-evidence-common';

export interface BlobInput {
  digest: string;
  size: number;
  mediaType: string;
  content: Buffer;
}

/** A validated append, ready for the log (seq, links and times are added by the store). */
export interface PreparedAppend {
  entityRef: string;
  category: string;
  subject?: EvidenceSubject;
  summary: EvidenceEnvelope['summary'];
  payloadDigest: string | null;
  artifacts: EvidenceEnvelope['artifacts'];
  producer: string;
  producedAt: string;
  idempotencyKey?: string;
  blobs: BlobInput[];
  /** retention expiry per blob ref, computed from config by the caller */
  expiresAt: string;
}

export interface RecordRow {
  leafIndex: number;
  entityRef: string;
  seq: number;
  category: string;
  hash: string;
  canonical: string;
  recordedAt: string;
}

export interface AppendOutcome {
  row: RecordRow;
  replayed: boolean;
  /** whether the entity was under legal hold when the append committed (read in its transaction) */
  legalHold?: boolean;
}

export interface ListQuery {
  categories?: string[];
  since?: string;
  until?: string;
  subject?: string;
  afterSeq?: number;
  limit: number;
  order: 'asc' | 'desc';
}

export interface LegalHold {
  entityRef: string;
  reason: string;
  setBy: string;
  setAt: string;
}
