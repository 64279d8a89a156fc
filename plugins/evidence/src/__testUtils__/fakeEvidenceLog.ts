import {
  canonicalJson,
  consistencyProof,
  EvidenceEnvelope,
  formatCheckpoint,
  generateSignerKey,
  HeadsTree,
  inclusionProof,
  leafHash,
  merkleRoot,
  sha256Hex,
  signNote,
  toBase64,
  utf8Encode,
  verifierKeyFromSignerKey,
} from '@assay/plugin-evidence-common';
import { http, HttpResponse } from 'msw';
import {
  AuditStatus,
  EvidenceSummary,
  RecordsPage,
  StoredRecord,
} from '../api/types';

export const BASE_URL = 'http://localhost:7007/api/evidence';
export const ORIGIN = 'assay.test/evidence';
export const ENTITY_REF = 'component:default/service-a';

export interface RecordSpec {
  category: string;
  summary?: EvidenceEnvelope['summary'];
  subject?: EvidenceEnvelope['subject'];
  artifacts?: EvidenceEnvelope['artifacts'];
  payloadDigest?: string | null;
  payloadPurged?: boolean;
}

const day = 86_400_000;
const T0 = Date.parse('2025-01-01T00:00:00.000Z');

/**
 * A real, miniature evidence log: canonical RFC 8785 envelopes chained by
 * SHA-256, an RFC 6962 tree over them (interleaved with another entity's
 * leaves), and Ed25519-signed C2SP checkpoints. Tests can tamper with it the
 * way an attacker with database access would.
 */
export class FakeEvidenceLog {
  /** the log's name in its checkpoints and public key */
  readonly origin: string;
  readonly signerKey: string;
  readonly verifierKey: string;
  /** canonical bytes of every leaf in the global log, in order */
  readonly leaves: string[] = [];
  readonly records = new Map<string, StoredRecord[]>();
  /** the tree size the checkpoint endpoint serves (default: all leaves) */
  checkpointSize?: number;
  /** replaces the served checkpoint note (to simulate a forged signature) */
  noteOverride?: string;
  /** what `GET /v1/audit` serves */
  audit: AuditStatus = {
    treeSize: 0,
    cursor: 0,
    passStartedAt: null,
    lastCompletedAt: null,
    lastCompletedSize: null,
    passes: 0,
    findingCount: 0,
    findings: [],
  };
  /** sign the heads extension into checkpoints (false: a log from before heads) */
  bindHeads = true;
  /** serve no `/increment` (an older backend): the separate routes are used */
  noIncrement = false;
  /** every record ever appended, per entity: what the log's heads commit to */
  private readonly committed = new Map<
    string,
    Array<{ seq: number; hash: string; leafIndex: number }>
  >();

  constructor(origin: string = ORIGIN) {
    this.origin = origin;
    this.signerKey = generateSignerKey(origin);
    this.verifierKey = verifierKeyFromSignerKey(this.signerKey);
  }

  append(entityRef: string, spec: RecordSpec): StoredRecord {
    const chain = this.records.get(entityRef) ?? [];
    const seq = chain.length + 1;
    const at = new Date(T0 + this.leaves.length * day).toISOString();
    const envelope: EvidenceEnvelope = {
      v: 1,
      entityRef,
      seq,
      category: spec.category,
      ...(spec.subject ? { subject: spec.subject } : {}),
      summary: spec.summary ?? {},
      payloadDigest: spec.payloadDigest ?? null,
      artifacts: spec.artifacts ?? [],
      producer: 'user:default/ci-bot',
      producedAt: at,
      recordedAt: at,
      previousHash: chain.length ? chain[chain.length - 1].hash : null,
    };
    const canonical = canonicalJson(envelope);
    const record: StoredRecord = {
      envelope,
      canonical,
      hash: sha256Hex(canonical),
      leafIndex: this.leaves.length,
      payloadPurged: spec.payloadPurged ?? false,
      retention: {
        years: 3,
        expiresAt: new Date(Date.parse(at) + 3 * 365 * day).toISOString(),
        mode: 'governance',
        legalHold: false,
      },
    };
    this.leaves.push(canonical);
    this.committed.set(entityRef, [
      ...(this.committed.get(entityRef) ?? []),
      { seq, hash: record.hash, leafIndex: record.leafIndex },
    ]);
    chain.push(record);
    this.records.set(entityRef, chain);
    return record;
  }

  chain(entityRef = ENTITY_REF): StoredRecord[] {
    return this.records.get(entityRef) ?? [];
  }

  /** Rewrites a stored record's canonical text in place, as a DB tamper would. */
  tamper(
    seq: number,
    edit: (canonical: string) => string,
    entityRef = ENTITY_REF,
  ) {
    const r = this.chain(entityRef)[seq - 1];
    r.canonical = edit(r.canonical);
    r.envelope = JSON.parse(r.canonical);
    this.leaves[r.leafIndex] = r.canonical;
    return r;
  }

  /** Deletes an entity's newest record from what is served, as a DB delete would. */
  deleteNewest(entityRef = ENTITY_REF): StoredRecord {
    return this.chain(entityRef).pop()!;
  }

  /** The heads tree at `size`, from every record ever appended. */
  headsTree(size: number): HeadsTree {
    const heads = [];
    for (const [entityRef, rs] of this.committed) {
      const last = rs.filter(r => r.leafIndex < size).pop();
      if (last) heads.push({ entityRef, seq: last.seq, hash: last.hash });
    }
    return new HeadsTree(heads);
  }

  private leafHashes(size: number) {
    return this.leaves.slice(0, size).map(c => leafHash(utf8Encode(c)));
  }

  private lookup(hashes: Uint8Array[]) {
    return (level: number, index: number) =>
      merkleRoot(hashes.slice(index * 2 ** level, (index + 1) * 2 ** level));
  }

  root(size: number): Uint8Array {
    return merkleRoot(this.leafHashes(size));
  }

  checkpointNote(size = this.checkpointSize ?? this.leaves.length): string {
    return signNote(
      formatCheckpoint({
        origin: this.origin,
        treeSize: size,
        rootHash: this.root(size),
        extensions: this.bindHeads ? [this.headsTree(size).extension()] : [],
      }),
      this.signerKey,
    );
  }

  inclusion(leafIndex: number, treeSize: number) {
    const hashes = this.leafHashes(treeSize);
    return {
      leafIndex,
      treeSize,
      rootHash: toBase64(merkleRoot(hashes)),
      hashes: inclusionProof(leafIndex, treeSize, this.lookup(hashes)).map(
        toBase64,
      ),
    };
  }

  consistency(from: number, to: number) {
    const hashes = this.leafHashes(to);
    return {
      from,
      to,
      rootHash: toBase64(merkleRoot(hashes)),
      hashes: consistencyProof(from, to, this.lookup(hashes)).map(toBase64),
    };
  }

  summary(
    entityRef = ENTITY_REF,
    overrides: Partial<EvidenceSummary> = {},
  ): EvidenceSummary {
    const chain = this.chain(entityRef);
    const byCategory = new Map<string, StoredRecord[]>();
    chain.forEach(r =>
      byCategory.set(r.envelope.category, [
        ...(byCategory.get(r.envelope.category) ?? []),
        r,
      ]),
    );
    const head = chain[chain.length - 1];
    return {
      entityRef,
      complianceMode: 'compliance',
      recordCount: chain.length,
      head: head
        ? { seq: head.envelope.seq, hash: head.hash, leafIndex: head.leafIndex }
        : null,
      categories: [...byCategory].map(([category, rs]) => ({
        category,
        count: rs.length,
        latestRecordedAt: rs[rs.length - 1].envelope.recordedAt,
        latestSummary: rs[rs.length - 1].envelope.summary,
      })),
      requiredCategories: ['tests', 'sast', 'sbom'],
      missing: [],
      legalHold: null,
      retention: {
        mode: 'governance',
        defaultYears: 3,
        rules: [{ category: 'compliance', years: 7 }],
      },
      ...overrides,
    };
  }

  /** The offline verification bundle the backend serves for an entity. */
  bundle(entityRef = ENTITY_REF) {
    const size = this.checkpointSize ?? this.leaves.length;
    return {
      version: 1 as const,
      entityRef,
      origin: this.origin,
      publicKey: this.verifierKey,
      checkpoint: this.checkpointNote(size),
      records: this.chain(entityRef).map(r => ({
        leafIndex: r.leafIndex,
        hash: r.hash,
        canonical: r.canonical,
        inclusionProof: this.inclusion(r.leafIndex, size).hashes,
      })),
      ...(this.bindHeads
        ? { headProof: this.headsTree(size).proof(entityRef, size) }
        : {}),
    };
  }

  /** msw v2 handlers serving this log under {@link BASE_URL}. */
  handlers(options: { summary?: () => EvidenceSummary } = {}) {
    const entityPath = `${BASE_URL}/v1/entities/:kind/:namespace/:name`;
    const refOf = (p: Record<string, string | readonly string[] | undefined>) =>
      `${p.kind}:${p.namespace}/${p.name}`;
    return [
      http.get(`${entityPath}/records`, ({ params, request }) => {
        const url = new URL(request.url);
        const q = url.searchParams;
        const order = q.get('order') ?? 'desc';
        const limit = Number(q.get('limit') ?? 50);
        const categories = q.get('category')?.split(',');
        const subject = q.get('subject');
        const cursor = q.get('cursor');
        let items = this.chain(refOf(params)).filter(
          r =>
            (!categories || categories.includes(r.envelope.category)) &&
            (!subject ||
              JSON.stringify(r.envelope.subject ?? {}).includes(subject)),
        );
        const total = items.length;
        if (order === 'desc') items = [...items].reverse();
        if (cursor) {
          const c = Number(cursor);
          items = items.filter(r =>
            order === 'desc' ? r.envelope.seq < c : r.envelope.seq > c,
          );
        }
        const page = items.slice(0, limit);
        const body: RecordsPage = {
          items: page,
          totalCount: total,
          nextCursor:
            page.length === limit && items.length > limit
              ? String(page[page.length - 1].envelope.seq)
              : undefined,
        };
        return HttpResponse.json(body);
      }),
      http.get(`${entityPath}/bundle`, ({ params }) =>
        HttpResponse.json(this.bundle(refOf(params))),
      ),
      http.get(`${entityPath}/head-proof`, ({ params, request }) => {
        const size = Number(new URL(request.url).searchParams.get('treeSize'));
        return HttpResponse.json(
          this.headsTree(size).proof(refOf(params), size),
        );
      }),
      // as the backend's service/increment.ts: checkpoint first, then the
      // records it covers from the re-check window on, then the proofs
      http.get(`${entityPath}/increment`, ({ params, request }) => {
        if (this.noIncrement) return new HttpResponse(null, { status: 404 });
        const q = new URL(request.url).searchParams;
        const after = Number(q.get('after'));
        const from = Number(q.get('treeSize'));
        const window = Number(q.get('window') ?? 0);
        const size = this.checkpointSize ?? this.leaves.length;
        const note = this.noteOverride ?? this.checkpointNote(size);
        const ref = refOf(params);
        const records = this.chain(ref).filter(
          r => r.envelope.seq > after - window && r.leafIndex < size,
        );
        const last = records[records.length - 1];
        const fresh = last && last.envelope.seq > after ? last : undefined;
        return HttpResponse.json({
          checkpoint: note,
          treeSize: size,
          complete: true,
          records: records.map(r => ({
            seq: r.envelope.seq,
            leafIndex: r.leafIndex,
            hash: r.hash,
            canonical: r.canonical,
          })),
          consistency:
            from > 0 && from < size
              ? this.consistency(from, size).hashes
              : null,
          inclusion: fresh
            ? {
                leafIndex: fresh.leafIndex,
                hashes: this.inclusion(fresh.leafIndex, size).hashes,
              }
            : null,
          headProof: this.bindHeads
            ? this.headsTree(size).proof(ref, size)
            : null,
        });
      }),
      http.get(`${entityPath}/summary`, ({ params }) =>
        HttpResponse.json(options.summary?.() ?? this.summary(refOf(params))),
      ),
      http.get(`${BASE_URL}/v1/records/:hash`, ({ params }) => {
        for (const chain of this.records.values()) {
          const r = chain.find(x => x.hash === params.hash);
          if (r) return HttpResponse.json(r);
        }
        return HttpResponse.json(
          {
            error: { name: 'NotFoundError', message: 'no such record' },
            response: { statusCode: 404 },
          },
          { status: 404 },
        );
      }),
      http.get(`${BASE_URL}/v1/checkpoint`, () =>
        HttpResponse.text(this.noteOverride ?? this.checkpointNote()),
      ),
      http.get(`${BASE_URL}/v1/audit`, () =>
        HttpResponse.json({ ...this.audit, treeSize: this.leaves.length }),
      ),
      http.get(`${BASE_URL}/v1/public-key`, () =>
        HttpResponse.json({
          origin: this.origin,
          verifierKey: this.verifierKey,
          algorithm: 'ed25519',
        }),
      ),
      http.get(`${BASE_URL}/v1/proofs/inclusion`, ({ request }) => {
        const q = new URL(request.url).searchParams;
        return HttpResponse.json(
          this.inclusion(Number(q.get('leafIndex')), Number(q.get('treeSize'))),
        );
      }),
      http.get(`${BASE_URL}/v1/proofs/consistency`, ({ request }) => {
        const q = new URL(request.url).searchParams;
        return HttpResponse.json(
          this.consistency(Number(q.get('from')), Number(q.get('to'))),
        );
      }),
    ];
  }
}

/** Backstage-style error response. */
export function errorResponse(status: number, name: string, message: string) {
  return HttpResponse.json(
    {
      error: { name, message },
      request: { method: 'GET', url: '/' },
      response: { statusCode: status },
    },
    { status },
  );
}

/** A demo-like log: service-a's records interleaved with another entity's. */
export function demoLog(origin: string = ORIGIN): FakeEvidenceLog {
  const log = new FakeEvidenceLog(origin);
  const other = 'component:default/service-b';
  log.append(other, {
    category: 'tests',
    summary: { tests: 10, failures: 0, errors: 0, skipped: 0 },
  });
  log.append(ENTITY_REF, {
    category: 'onboarding',
    summary: { demo: true, mode: 'compliance' },
    subject: { runId: 'run-0001' },
  });
  log.append(ENTITY_REF, {
    category: 'tests',
    summary: { tests: 412, failures: 0, errors: 0, skipped: 3 },
    subject: { runId: 'run-0412', commit: '3f2a1bc9d0e' },
  });
  log.append(other, {
    category: 'sast',
    summary: { error: 0, warning: 1, note: 0 },
  });
  log.append(ENTITY_REF, {
    category: 'coverage',
    summary: { linePct: 83.1 },
    subject: { runId: 'run-0412' },
  });
  log.append(ENTITY_REF, {
    category: 'sbom',
    summary: { components: 48, critical: 0, high: 2, medium: 3, low: 0 },
    subject: { version: '1.4.2' },
    artifacts: [
      {
        name: 'sbom.cdx.json',
        digest: `sha256:${'a'.repeat(64)}`,
        size: 2048,
        mediaType: 'application/vnd.cyclonedx+json',
      },
    ],
    payloadPurged: true,
  });
  log.append(ENTITY_REF, {
    category: 'sast',
    summary: { error: 0, warning: 2, note: 3 },
  });
  log.append(ENTITY_REF, {
    category: 'load-test',
    summary: { p95Ms: 182.4, errorRate: 0.0012 },
    subject: { environment: 'staging' },
  });
  return log;
}
