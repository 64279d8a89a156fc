import { createApiRef } from '@backstage/core-plugin-api';
import {
  AuditStatus,
  ConsistencyProofResponse,
  EvidenceBundle,
  EvidenceSummary,
  HeadProof,
  IncrementResponse,
  InclusionProofResponse,
  PublicKeyInfo,
  RecordsPage,
  RecordsQuery,
  ServerVerifyResult,
  StoredRecord,
} from './types';

/**
 * Read access to the Assay evidence store (`/api/evidence`).
 * Entity refs are full string refs, e.g. `component:default/service-a`.
 *
 * @public
 */
export interface EvidenceApi {
  listRecords(entityRef: string, query?: RecordsQuery): Promise<RecordsPage>;
  getSummary(entityRef: string): Promise<EvidenceSummary>;
  getRecord(hash: string): Promise<StoredRecord>;
  /** Raw artifact bytes; rejects with a 410 `ResponseError` when retention purged them. */
  getArtifact(hash: string, digest: string): Promise<Blob>;
  /** The latest signed checkpoint (a C2SP signed note). */
  getCheckpoint(): Promise<string>;
  getPublicKey(): Promise<PublicKeyInfo>;
  getInclusionProof(options: {
    leafIndex: number;
    treeSize: number;
  }): Promise<InclusionProofResponse>;
  getConsistencyProof(options: {
    from: number;
    to: number;
  }): Promise<ConsistencyProofResponse>;
  getBundle(entityRef: string): Promise<EvidenceBundle>;
  /** The server's integrity audit task: progress and findings. */
  getAudit(): Promise<AuditStatus>;
  /** The entity's leaf in the heads tree the checkpoint at `treeSize` signs. */
  getHeadProof(entityRef: string, treeSize: number): Promise<HeadProof>;
  /**
   * A returning verifier's increment in one request (records after the seq
   * `after` with `window` before it, the latest checkpoint, the proofs from
   * tree size `treeSize`). Optional: without it, the separate routes are used.
   */
  getIncrement?(
    entityRef: string,
    query: { after: number; treeSize: number; window: number },
  ): Promise<IncrementResponse>;
  /** The server's own verification; informative only, the UI verifies in the browser. */
  verifyOnServer(entityRef: string): Promise<ServerVerifyResult>;
  /** Sets a legal hold (permission `evidence.retention.manage`). */
  setLegalHold(entityRef: string, reason: string): Promise<void>;
  /** Releases the legal hold (permission `evidence.retention.manage`). */
  releaseLegalHold(entityRef: string): Promise<void>;
  /**
   * Purges the entity's payloads before their retention expires, recorded as
   * a `compliance` record (permission `evidence.retention.bypass`,
   * governance mode only).
   */
  purgeEarly(
    entityRef: string,
    options: { reason: string; categories?: string[] },
  ): Promise<{ records: number; blobs: number; recordHash: string }>;
}

/** @public */
export const evidenceApiRef = createApiRef<EvidenceApi>({
  id: 'plugin.evidence.service',
});
