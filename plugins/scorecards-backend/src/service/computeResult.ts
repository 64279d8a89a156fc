import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { canonicalOrder } from '@assay/plugin-evidence-common';
import {
  EvidenceAppendRequest,
  EvidenceClient,
  EvidenceRemoteAccess,
  EvidenceService,
} from '@assay/plugin-evidence-node';
import {
  CHAIN_WINDOW,
  CheckDefinition,
  EntityResult,
  entityFacts,
  entityFactsOf,
  entityRefOf,
  evaluateEntity,
  EvidenceInput,
  evidenceFacts,
  expandResult,
  modeOf,
  recordedResult,
  toRef,
  Waiver,
} from '@assay/plugin-scorecards-common';
import { hash as nodeHash } from 'node:crypto';
import { ResultState, StoredResult } from '../store/DatabaseScorecardStore';
import { ResultRows, resultRows } from '../store/rows';

/**
 * node:crypto SHA-256 (the pure JS one in the common package is slower);
 * the one-shot `hash` (no Hash object per call: ~1 µs less per record).
 */
const nativeSha256 = (data: Uint8Array) =>
  new Uint8Array(nodeHash('sha256', data, 'buffer'));
const nativeSha256Text = (text: string) => nodeHash('sha256', text, 'hex');

/** Entities evaluated between two turns of a worker's event loop. */
const COMPUTE_SLICE = 100;

/**
 * Placeholder credentials for {@link latestRecords} in a worker (its reader
 * sends the access token and takes no credentials).
 */
const WORKER_CREDENTIALS = {
  $$type: '@backstage/BackstageCredentials',
  principal: { type: 'service', subject: 'plugin:scorecards' },
} as BackstageCredentials;

/** What evaluation needs besides an entity's own inputs (the same for all). */
export type ComputeSettings = {
  checks: CheckDefinition[];
  /** checkSetDigest(checks): results name their check set by it */
  checksDigest: string;
  maxEvidenceAgeDays: number;
  /** whether compliance-mode results get their evidence record prepared */
  recordCompliance: boolean;
};

/** One entity to evaluate, with everything it is evaluated from. */
export type EntityTask = {
  entity: Entity;
  /**
   * the entity's newest records (the chain window), newest first; when
   * absent, the computer reads them (see {@link ResultComputer.readRecords})
   */
  records?: EvidenceInput[];
  /** approved, unexpired waivers of the entity */
  waivers: Waiver[];
  /** the domain of the entity's system, when it has one */
  domain?: string;
  /** the entity's stored result (what decides whether it is rewritten) */
  previous?: ResultState;
};

/**
 * A computed result as a refresh stores and records it: the rows of the
 * result and today's history point (the result JSON already serialized),
 * the `compliance` record of a compliance-mode result, and what the
 * refresh compares with the stored state. Plain data: it crosses from a
 * worker thread to the main thread as it is.
 */
export type ComputedResult = {
  entityRef: string;
  resultHash: string;
  /** the result hash differs from the stored one (or none is stored) */
  changed: boolean;
  /** the rows to write; undefined when the stored result stays (see {@link unchanged}) */
  rows?: ResultRows;
  /** the record of a changed compliance-mode result, when recording is on */
  compliance?: EvidenceAppendRequest;
  /**
   * set instead of `compliance` when the compute worker holds the record
   * (see `ComputePool.computeHolding`); {@link complianceRecordOfRows}
   * makes the same record again from the rows
   */
  heldCompliance?: true;
};

/**
 * Whether a recomputed result is already stored as it is: same result
 * hash, same catalog etag and domain (the overview columns), and stored
 * today (so today's history point exists). Such a result is not rewritten;
 * its stored `computedAt` stays the first evaluation of the day that gave
 * this result (replaying at that time gives the same result hash).
 */
export function unchanged(
  item: StoredResult,
  p: ResultState | undefined,
  now: string,
): boolean {
  return (
    p !== undefined &&
    p.resultHash === item.result.resultHash &&
    item.etag !== undefined &&
    p.etag === item.etag &&
    p.domain === item.domain &&
    p.computedAt.slice(0, 10) === now.slice(0, 10)
  );
}

/**
 * The `compliance` record of a result: summary for listings; payload the
 * result in its recorded form (`recordedResult`): each check's status, the
 * inputs, the replay input with the check set named by digest
 * (`replay.checksDigest`, served by `GET /v1/check-sets/{digest}`) and the
 * result hash, which commits to the whole result (reasons, fact values,
 * evidence per check) that replay recomputes — ~2.4 kB instead of ~7 kB
 * compact and ~18 kB in full for 25 checks.
 */
export function complianceRecord(
  r: EntityResult,
  checksDigest: string,
): EvidenceAppendRequest {
  // summary and payload in canonical key order (RFC 8785): the evidence
  // backend canonicalizes them without copying (same bytes and digest)
  return {
    entityRef: r.entityRef,
    category: 'compliance',
    summary: {
      actor: 'plugin:scorecards',
      failing: r.checks.filter(c => c.status === 'fail').length,
      inputs: r.inputs.join(','),
      kind: 'scorecard',
      level: r.level,
      mode: r.mode,
      resultHash: r.resultHash,
      score: r.score,
    },
    payload: canonicalOrder({
      actor: 'plugin:scorecards',
      result: recordedResult(r, checksDigest),
    }),
    producedAt: r.computedAt,
    // keys are scoped by entity: the result and the refresh that computed it
    // (a retry of that refresh replays; the same result again later, e.g.
    // A → B → A, is a new record) — ≤ 99 characters whatever the ref's length
    idempotencyKey: `scorecard-${r.resultHash}-${r.computedAt}`,
  };
}

/**
 * The `compliance` record of a stored result, made again from its rows
 * (the compact result expanded with the check set): the same record as
 * {@link complianceRecord} of the result itself, idempotency key included.
 */
export function complianceRecordOfRows(
  rows: ResultRows,
  checks: CheckDefinition[],
  checksDigest: string,
): EvidenceAppendRequest {
  const result = expandResult(JSON.parse(rows.result.result), checks, {
    trusted: true,
  });
  return complianceRecord(result, checksDigest);
}

/**
 * Evaluates entities from their inputs with the pure code in
 * scorecards-common. Keeps the records it verified: a record with the same
 * hash and the same fact-bearing fields is not hashed again (its links are
 * still checked on every read). One per thread that computes (the main
 * thread, each worker).
 */
export class ResultComputer {
  /** hash → the fields facts are read from, of records verified here */
  private readonly verified = new Map<string, string>();

  constructor(private readonly settings: ComputeSettings) {}

  private fingerprint(r: EvidenceInput) {
    const e = r.envelope;
    return `${e.seq}|${e.category}|${e.producedAt}|${JSON.stringify(
      e.summary,
    )}`;
  }

  /** The entity's result and the overview columns stored with it. */
  compute(task: EntityTask, now: string): StoredResult {
    const { entity, domain } = task;
    const records = task.records ?? [];
    const ref = entityRefOf(entity);
    const system =
      typeof entity.spec?.system === 'string'
        ? toRef(entity.spec.system, 'system', entity.metadata.namespace)
        : undefined;
    // The fingerprint is only computed for a hash seen before, and once per
    // record (a cold refresh computes it when storing the verification).
    let lastRecord: unknown;
    let lastFingerprint = '';
    const fingerprintOf = (r: EvidenceInput) => {
      if (r !== lastRecord) {
        lastRecord = r;
        lastFingerprint = this.fingerprint(r);
      }
      return lastFingerprint;
    };
    const catalogFacts = entityFacts(entity, { domain });
    // the catalog facts' values for the replay input, before the evidence
    // facts are added to the same object
    const catalogValues = entityFactsOf(catalogFacts);
    const facts = evidenceFacts(records, {
      hash: nativeSha256,
      hashText: nativeSha256Text,
      verified: r => {
        const known = this.verified.get(r.hash);
        return known !== undefined && known === fingerprintOf(r);
      },
      onVerified: r => {
        const fp = fingerprintOf(r);
        if (this.verified.get(r.hash) === fp) return;
        if (this.verified.size >= 1_000_000) this.verified.clear();
        this.verified.set(r.hash, fp);
      },
      // evidence facts are added to the catalog facts' object (no copy)
      into: catalogFacts,
    });
    const result = evaluateEntity({
      entityRef: ref,
      mode: modeOf(entity),
      checks: this.settings.checks,
      facts,
      waivers: task.waivers,
      maxEvidenceAgeDays: this.settings.maxEvidenceAgeDays,
      now,
      headSeq: records.reduce((m, r) => Math.max(m, r.envelope.seq), 0),
      hash: nativeSha256,
      hashText: nativeSha256Text,
      entityFacts: catalogValues,
    });
    return {
      result,
      kind: entity.kind.toLowerCase(),
      title: entity.metadata.title ?? entity.metadata.name,
      owner: facts['entity.owner']?.value as string | undefined,
      system,
      domain,
      etag: entity.metadata.etag,
    };
  }

  /**
   * What a refresh does with a computed result, given the stored state:
   * the rows to write unless it is {@link unchanged}, and the compliance
   * record of a changed compliance-mode result.
   */
  prepare(
    item: StoredResult,
    task: Pick<EntityTask, 'previous'>,
    now: string = item.result.computedAt,
  ): ComputedResult {
    const r = item.result;
    const changed = task.previous?.resultHash !== r.resultHash;
    return {
      entityRef: r.entityRef,
      resultHash: r.resultHash,
      changed,
      rows: unchanged(item, task.previous, now)
        ? undefined
        : resultRows(item, this.settings.checksDigest),
      compliance:
        changed && this.settings.recordCompliance && r.mode === 'compliance'
          ? complianceRecord(r, this.settings.checksDigest)
          : undefined,
    };
  }

  /** compute + prepare of each task, in order (each with its records). */
  computeAll(tasks: EntityTask[], now: string): ComputedResult[] {
    return tasks.map(t => this.prepare(this.compute(t, now), t, now));
  }

  /**
   * Reads the records of tasks that have none from the evidence API at
   * `access` (one bulk read per 500 entities), into the tasks — what a
   * compute worker does, so that the records never cross threads.
   */
  async readRecords(
    tasks: EntityTask[],
    access?: EvidenceRemoteAccess,
  ): Promise<void> {
    const missing = tasks.filter(t => !t.records);
    if (!missing.length) return;
    if (!access) throw new Error('scorecards: tasks without their records');
    const reader = EvidenceClient.remoteReader(access);
    const records = await latestRecords(
      {
        latestForEntities: (refs, options) =>
          reader.latestForEntities(refs, { window: options.window }),
        list: async () => {
          throw new Error('scorecards: a worker reads in bulk only');
        },
      },
      missing.map(t => entityRefOf(t.entity)),
      WORKER_CREDENTIALS,
    );
    for (const t of missing) t.records = records.get(entityRefOf(t.entity));
  }

  /**
   * computeAll in slices of {@link COMPUTE_SLICE} entities with a turn of
   * the event loop between two, so that a worker goes on reading its next
   * request's evidence (the fetch and its parsing) while it evaluates.
   */
  async computeSliced(
    tasks: EntityTask[],
    now: string,
  ): Promise<ComputedResult[]> {
    const out: ComputedResult[] = [];
    for (let i = 0; i < tasks.length; i += COMPUTE_SLICE) {
      if (i > 0) await new Promise(resolve => setImmediate(resolve));
      out.push(...this.computeAll(tasks.slice(i, i + COMPUTE_SLICE), now));
    }
    return out;
  }
}

/**
 * The newest {@link CHAIN_WINDOW} records of each entity, by ref: in bulk
 * when the evidence service has a bulk read (`latestForEntities`: requests
 * of 500 entities), else one `list` per entity (`concurrency` in flight).
 * An entity whose evidence the plugin may not read fails the refresh. The
 * records are verified when evaluated (hash and links), like any others.
 */
export async function latestRecords(
  evidence: Pick<EvidenceService, 'list' | 'latestForEntities'>,
  refs: string[],
  credentials: BackstageCredentials,
  concurrency = 8,
): Promise<Map<string, EvidenceInput[]>> {
  const records = new Map<string, EvidenceInput[]>();
  if (!refs.length) return records;
  if (evidence.latestForEntities) {
    const items = await evidence.latestForEntities(refs, {
      window: CHAIN_WINDOW,
      credentials,
    });
    for (const item of items) {
      if (!item.readable) {
        throw new NotAllowedError(
          `scorecards may not read the evidence of ${item.entityRef}`,
        );
      }
      records.set(item.entityRef, item.records);
    }
    return records;
  }
  await mapLimit(refs, concurrency, async ref => {
    const { items } = await evidence.list(ref, {
      order: 'desc',
      limit: CHAIN_WINDOW,
      credentials,
    });
    records.set(
      ref,
      items.map(i => ({ envelope: i.envelope, hash: i.hash })),
    );
  });
  return records;
}

/**
 * Compliance results appended to the evidence log at once. The log
 * group-commits concurrent appends (one transaction per batch), so more in
 * flight means fewer transactions: with 8, recording 1,479 results of a
 * cold 3,000-entity refresh on the real backend (SQLite) took 21.9 s, with
 * 32 8.6 s (64: no better).
 */
export const RECORD_IN_FLIGHT = 32;

/**
 * With a batch append (`appendMany`): records per request (the evidence
 * API's maximum) and requests in flight (their records join the log's
 * group commits).
 */
const RECORD_BATCH = 500;
const BATCHES_IN_FLIGHT = 2;

/** Where compliance records are appended (the evidence service or API). */
export type ComplianceTarget = {
  append(request: EvidenceAppendRequest): Promise<unknown>;
  appendMany?(requests: EvidenceAppendRequest[]): Promise<unknown>;
};

/**
 * Appends compliance records: in batches when the target has a batch
 * append, else one by one (`inFlight` at a time). A record that cannot be
 * appended is reported through `warn` and the others go on (a batch stores
 * nothing when one of its records is refused: its records are then
 * appended one by one, so that only that one is lost; idempotency keys make
 * a record stored before a failure a replay). Returns how many were
 * attempted. The main thread and the compute workers both record with it.
 */
export async function recordCompliance(
  target: ComplianceTarget,
  requests: EvidenceAppendRequest[],
  warn: (message: string) => void,
  inFlight: number = RECORD_IN_FLIGHT,
): Promise<number> {
  const one = async (request: EvidenceAppendRequest) => {
    try {
      await target.append(request);
    } catch (e) {
      warn(
        `scorecards: could not record compliance evidence for ${request.entityRef}: ${e}`,
      );
    }
  };
  if (target.appendMany && requests.length > 1) {
    const batches: EvidenceAppendRequest[][] = [];
    for (let i = 0; i < requests.length; i += RECORD_BATCH) {
      batches.push(requests.slice(i, i + RECORD_BATCH));
    }
    await mapLimit(batches, BATCHES_IN_FLIGHT, async batch => {
      try {
        await target.appendMany!(batch);
      } catch (e) {
        warn(
          `scorecards: a batch of ${batch.length} compliance records failed (${e}); appending them one by one`,
        );
        await mapLimit(batch, RECORD_IN_FLIGHT, one);
      }
    });
  } else {
    await mapLimit(requests, inFlight, one);
  }
  return requests.length;
}

/** Runs `fn` over items with at most `n` in flight; results in item order. */
export async function mapLimit<T, R>(
  items: T[],
  n: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}
