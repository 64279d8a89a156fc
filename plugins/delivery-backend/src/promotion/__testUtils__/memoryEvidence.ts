import { EvidenceEnvelope, recordHash } from '@assay/plugin-evidence-common';
import type {
  EvidenceAppendRequest,
  EvidenceService,
  EvidenceStoredRecord,
} from '@assay/plugin-evidence-node';
import {
  EvidenceLogApi,
  PromotionEvidence,
  RecordCheck,
} from '../evidenceAccess';

/**
 * An in-memory evidence chain per entity with real envelopes and record
 * hashes (no Merkle log): for unit tests of the promotion service.
 */
export class MemoryEvidence implements EvidenceService {
  readonly records: Array<EvidenceStoredRecord & { principal: string }> = [];
  private byKey = new Map<string, EvidenceStoredRecord>();
  listCalls = 0;

  append(
    request: EvidenceAppendRequest,
    options: { credentials: any },
  ): Promise<any> {
    return Promise.resolve(
      this.appendSync(
        request,
        options.credentials?.principal?.subject ??
          options.credentials?.principal?.userEntityRef ??
          'unknown',
      ),
    );
  }

  appendSync(request: EvidenceAppendRequest, principal = 'user:default/ci') {
    if (request.idempotencyKey && this.byKey.has(request.idempotencyKey)) {
      return { ...this.byKey.get(request.idempotencyKey)!, replayed: true };
    }
    const chain = this.records.filter(
      r => r.envelope.entityRef === request.entityRef,
    );
    const prev = chain[chain.length - 1];
    const now = new Date().toISOString();
    const envelope: EvidenceEnvelope = {
      v: 1,
      entityRef: request.entityRef,
      seq: chain.length + 1,
      category: request.category,
      ...(request.subject ? { subject: request.subject } : {}),
      summary: (request.summary ?? {}) as any,
      payloadDigest: null,
      artifacts: [],
      producer: principal,
      producedAt: request.producedAt ?? now,
      recordedAt: now,
      previousHash: prev ? prev.hash : null,
    };
    const stored = {
      envelope,
      hash: recordHash(envelope),
      leafIndex: this.records.length,
      payloadPurged: false,
      principal,
      payload: request.payload,
    };
    this.records.push(stored);
    if (request.idempotencyKey) this.byKey.set(request.idempotencyKey, stored);
    return { ...stored, replayed: false };
  }

  async list(entityRef: string, options: any) {
    this.listCalls++;
    let items = this.records.filter(
      r =>
        r.envelope.entityRef === entityRef &&
        (!options.category || options.category.includes(r.envelope.category)),
    );
    if (options.order === 'desc') items = [...items].reverse();
    return {
      items: items.slice(0, options.limit ?? 100),
      totalCount: items.length,
    };
  }

  byHash(hash: string) {
    return this.records.find(r => r.hash === hash);
  }
}

/**
 * PromotionEvidence over {@link MemoryEvidence}: records verify unless their
 * hash is in `unverified` (the Merkle proof path has its own tests).
 */
export class TestPromotionEvidence extends PromotionEvidence {
  readonly unverified = new Set<string>();

  constructor(readonly memory: MemoryEvidence) {
    const log: EvidenceLogApi = {
      record: async hash => memory.byHash(hash),
      checkpoint: async () => {
        throw new Error('no log in unit tests');
      },
      inclusion: async () => {
        throw new Error('no log in unit tests');
      },
    };
    super(memory, log);
  }

  async verify(records: EvidenceStoredRecord[]) {
    const out = new Map<string, RecordCheck>();
    for (const r of records) {
      const ok = !this.unverified.has(r.hash);
      out.set(r.hash, {
        ok,
        reason: ok ? 'verified (test)' : 'inclusion proof failed (test)',
      });
    }
    return out;
  }
}
