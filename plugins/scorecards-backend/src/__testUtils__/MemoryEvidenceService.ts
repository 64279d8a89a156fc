import { hash as nodeHash } from 'node:crypto';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { EvidenceEnvelope, recordHash } from '@assay/plugin-evidence-common';
import {
  EvidenceAppendRequest,
  EvidenceAppendResult,
  EvidenceLatestItem,
  EvidenceLatestOptions,
  EvidenceListOptions,
  EvidenceListResult,
  EvidenceService,
  EvidenceStoredRecord,
} from '@assay/plugin-evidence-node';

/** node:crypto SHA-256 (same digest as the pure JS default, faster). */
const nativeSha256 = (data: Uint8Array) =>
  new Uint8Array(nodeHash('sha256', data, 'buffer'));

function principalOf(credentials: BackstageCredentials): string {
  const p = credentials.principal as {
    type: string;
    subject?: string;
    userEntityRef?: string;
  };
  if (p.type === 'service') return `service:${p.subject}`; // as the evidence backend records it
  if (p.type === 'user') return p.userEntityRef ?? 'user';
  return 'none';
}

/**
 * An in-memory evidence store with real hash chains (same envelope, hash
 * and `list` semantics as the evidence backend) for tests and the
 * benchmark. Records the producer principal like the real one does.
 */
export class MemoryEvidenceService implements EvidenceService {
  readonly chains = new Map<string, EvidenceStoredRecord[]>();
  private leaf = 0;
  onAppend?: (r: EvidenceStoredRecord) => void;

  async append(
    request: EvidenceAppendRequest,
    options: { credentials: BackstageCredentials },
  ): Promise<EvidenceAppendResult> {
    return {
      ...this.appendSync(request, principalOf(options.credentials)),
      replayed: false,
    };
  }

  appendSync(
    request: Omit<EvidenceAppendRequest, 'artifacts'>,
    producer = 'service:test',
  ): EvidenceStoredRecord {
    const ref = request.entityRef.toLowerCase();
    const chain = this.chains.get(ref) ?? [];
    const prev = chain[chain.length - 1];
    const now = new Date().toISOString();
    const envelope: EvidenceEnvelope = {
      v: 1,
      entityRef: ref,
      seq: chain.length + 1,
      category: request.category,
      ...(request.subject ? { subject: request.subject } : {}),
      summary: request.summary ?? {},
      payloadDigest: null,
      artifacts: [],
      producer,
      producedAt: request.producedAt ?? now,
      recordedAt: now,
      previousHash: prev ? prev.hash : null,
    };
    const stored: EvidenceStoredRecord = {
      envelope,
      hash: recordHash(envelope, nativeSha256),
      leafIndex: this.leaf++,
      payloadPurged: false,
    };
    chain.push(stored);
    this.chains.set(ref, chain);
    this.onAppend?.(stored);
    return stored;
  }

  /** `POST /v1/latest` semantics: a window of the newest, or newest per category. */
  async latestForEntities(
    entityRefs: string[],
    options: EvidenceLatestOptions & { credentials: BackstageCredentials },
  ): Promise<EvidenceLatestItem[]> {
    return [...new Set(entityRefs.map(r => r.toLowerCase()))].map(ref => {
      const chain = this.chains.get(ref) ?? [];
      const newest = [...chain].reverse();
      let records: EvidenceStoredRecord[];
      if (options.window !== undefined) {
        records = newest.slice(0, options.window);
      } else {
        const seen = new Set<string>();
        records = newest.filter(r => {
          const c = r.envelope.category;
          if (seen.has(c)) return false;
          seen.add(c);
          return !options.categories || options.categories.includes(c);
        });
      }
      return {
        entityRef: ref,
        readable: true,
        records: records.map(r => ({ ...r, seq: r.envelope.seq })),
      };
    });
  }

  async list(
    entityRef: string,
    options: EvidenceListOptions & { credentials: BackstageCredentials },
  ): Promise<EvidenceListResult> {
    let items = this.chains.get(entityRef.toLowerCase()) ?? [];
    if (options.category?.length) {
      items = items.filter(r =>
        options.category!.includes(r.envelope.category),
      );
    }
    if (options.order !== 'asc') items = [...items].reverse();
    return {
      items: items.slice(0, options.limit ?? 50),
      totalCount: items.length,
    };
  }
}
