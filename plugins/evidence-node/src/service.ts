import {
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { EvidenceClient } from './client';
import type {
  EvidenceEnvelope,
  EvidenceSubject,
} from '@assay/plugin-evidence-common';

/**
 * An artifact attached to an append. `content` is the raw bytes; the store
 * hashes it (sha256), stores it content-addressed and, for known formats,
 * parses it into summary facts.
 *
 * @public
 */
export interface EvidenceArtifactInput {
  name: string;
  mediaType?: string;
  /** Optional format hint: cyclonedx, sarif, junit, lcov, cobertura, k6 */
  format?: string;
  content: Buffer;
}

/** @public */
export interface EvidenceAppendRequest {
  entityRef: string;
  category: string;
  subject?: EvidenceSubject;
  /** Extra summary facts; merged with the facts parsed from artifacts. */
  summary?: Record<string, string | number | boolean | null>;
  /** Any JSON payload; stored content-addressed, digest in `payloadDigest`. */
  payload?: unknown;
  artifacts?: EvidenceArtifactInput[];
  producedAt?: string;
  /** Makes retries safe: the same key returns the record stored first. */
  idempotencyKey?: string;
}

/** @public */
export interface EvidenceStoredRecord {
  envelope: EvidenceEnvelope;
  /** hex SHA-256 of the RFC 8785 canonical envelope */
  hash: string;
  leafIndex: number;
  /** true when the payload/artifacts were purged by retention */
  payloadPurged: boolean;
}

/** @public */
export interface EvidenceAppendResult extends EvidenceStoredRecord {
  /** true when an earlier append with the same idempotency key was returned */
  replayed: boolean;
}

/** @public */
export interface EvidenceListOptions {
  category?: string[];
  since?: string;
  until?: string;
  /** free text matched against subject commit, version, featureSha, runId */
  subject?: string;
  cursor?: string;
  limit?: number;
  order?: 'asc' | 'desc';
}

/** @public */
export interface EvidenceListResult {
  items: EvidenceStoredRecord[];
  nextCursor?: string;
  totalCount: number;
}

/** @public */
export interface EvidenceLatestOptions {
  /**
   * The newest record of each of these categories (every category if
   * omitted). Not together with `window`.
   */
  categories?: string[];
  /** Instead: the newest `window` records of any category (1–200). */
  window?: number;
}

/** A record of a bulk read: a stored record with its seq. @public */
export interface EvidenceLatestRecord extends EvidenceStoredRecord {
  seq: number;
}

/** One entity's answer to a bulk read. @public */
export interface EvidenceLatestItem {
  /** normalized (lower case: kind, namespace and name) */
  entityRef: string;
  /** false: the caller may not read this entity's evidence (no records given) */
  readable: boolean;
  /** newest first */
  records: EvidenceLatestRecord[];
}

/**
 * In-process access to the evidence store.
 *
 * `credentials` identify the producer (the principal recorded in
 * `producer`) and are checked against the evidence permissions.
 *
 * @public
 */
export interface EvidenceService {
  append(
    request: EvidenceAppendRequest,
    options: { credentials: BackstageCredentials },
  ): Promise<EvidenceAppendResult>;
  list(
    entityRef: string,
    options: EvidenceListOptions & { credentials: BackstageCredentials },
  ): Promise<EvidenceListResult>;
  /**
   * The newest records of many entities (`POST /v1/latest`, in requests of
   * up to 500 entities): per entity the newest record of each category, or
   * its newest `window` records. Every entity is authorized; one the
   * caller may not read comes back `readable: false` without records.
   * Optional: without it, callers read entity by entity with `list`.
   */
  latestForEntities?(
    entityRefs: string[],
    options: EvidenceLatestOptions & { credentials: BackstageCredentials },
  ): Promise<EvidenceLatestItem[]>;
  /**
   * Appends many records (`POST /v1/records/batch`, in requests of up to
   * 500): each gets every check of {@link EvidenceService.append}, every
   * record of a request is validated before any is stored (a bad one fails
   * that request, naming `records.N.<field>`, and stores none of it).
   * Results in the order of `requests`. Optional: without it, callers append
   * one by one.
   */
  appendMany?(
    requests: EvidenceAppendRequest[],
    options: { credentials: BackstageCredentials },
  ): Promise<EvidenceAppendResult[]>;
  /**
   * How another thread of the caller's process reaches the same evidence
   * API: its base URL and a service token issued on behalf of
   * `credentials` (short-lived; ask again for each unit of work). A worker
   * thread reads evidence with `EvidenceClient.remoteReader(access)` and
   * appends with `EvidenceClient.remoteWriter(access)`.
   * Optional: an evidence service without an HTTP API (e.g. in memory) has
   * none, and its callers read in their own thread.
   */
  remoteAccess?(options: {
    credentials: BackstageCredentials;
  }): Promise<EvidenceRemoteAccess>;
}

/**
 * The evidence API's base URL and a service token for it (see
 * {@link EvidenceService.remoteAccess}). Plain data: it can be posted to a
 * worker thread.
 *
 * @public
 */
export interface EvidenceRemoteAccess {
  baseUrl: string;
  token: string;
}

/**
 * The bulk read of {@link EvidenceService.latestForEntities} over the
 * evidence API with the token of an {@link EvidenceRemoteAccess}
 * (`EvidenceClient.remoteReader`): no credentials parameter, it reads as
 * the principal the token was issued on behalf of.
 *
 * @public
 */
export interface EvidenceRemoteReader {
  latestForEntities(
    entityRefs: string[],
    options?: EvidenceLatestOptions,
  ): Promise<EvidenceLatestItem[]>;
}

/**
 * Appends over the evidence API with the token of an
 * {@link EvidenceRemoteAccess} (`EvidenceClient.remoteWriter`), as
 * {@link EvidenceService.append} and {@link EvidenceService.appendMany}
 * do: no credentials parameter, it appends as the principal the token was
 * issued on behalf of (e.g. a worker thread recording what it computed).
 *
 * @public
 */
export interface EvidenceRemoteWriter {
  append(request: EvidenceAppendRequest): Promise<EvidenceAppendResult>;
  appendMany(
    requests: EvidenceAppendRequest[],
  ): Promise<EvidenceAppendResult[]>;
}

/**
 * Service ref for the evidence store. Provided by `@assay/plugin-evidence-backend`.
 *
 * @public
 */
export const evidenceServiceRef = createServiceRef<EvidenceService>({
  id: 'assay.evidence',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { discovery: coreServices.discovery, auth: coreServices.auth },
      factory: ({ discovery, auth }) =>
        EvidenceClient.create({ discovery, auth }),
    }),
});
