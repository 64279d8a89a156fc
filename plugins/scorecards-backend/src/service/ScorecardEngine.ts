import {
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EvidenceAppendRequest,
  EvidenceService,
} from '@assay/plugin-evidence-node';
import {
  CHAIN_WINDOW,
  CheckDefinition,
  recordedResult,
  EntityResult,
  entityFacts,
  entityFactsOf,
  entityRefOf,
  evaluateEntity,
  EvidenceInput,
  evidenceFacts,
  modeOf,
  toRef,
  Waiver,
} from '@assay/plugin-scorecards-common';
import { hash as nodeHash } from 'node:crypto';
import { ScorecardsConfig } from '../config';
import {
  DatabaseScorecardStore,
  ResultState,
  StoredResult,
} from '../store/DatabaseScorecardStore';

/**
 * node:crypto SHA-256 (the pure JS one in the common package is slower);
 * the one-shot `hash` (no Hash object per call: ~1 µs less per record).
 */
const nativeSha256 = (data: Uint8Array) =>
  new Uint8Array(nodeHash('sha256', data, 'buffer'));
const nativeSha256Text = (text: string) => nodeHash('sha256', text, 'hex');

export type RefreshSummary = {
  entities: number;
  /** results whose hash changed (or that are new) */
  changed: number;
  /** results written: changed ones, and unchanged ones on a new day (history) */
  written: number;
  removed: number;
  /** compliance-mode results recorded as evidence, and the time it took */
  recorded: number;
  recordMs: number;
  durationMs: number;
};

const ENTITY_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.tags',
  'metadata.annotations',
  'metadata.etag',
  'spec.type',
  'spec.lifecycle',
  'spec.owner',
  'spec.system',
  'spec.domain',
];

/**
 * Whether a recomputed result is already stored as it is: same result
 * hash, same catalog etag and domain (the overview columns), and stored
 * today (so today's history point exists). Such a result is not rewritten;
 * its stored `computedAt` stays the first evaluation of the day that gave
 * this result (replaying at that time gives the same result hash).
 */
function unchanged(
  item: StoredResult,
  previous: Map<string, ResultState>,
  now: string,
): boolean {
  const p = previous.get(item.result.entityRef);
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
 * Compliance results appended to the evidence log at once. The log
 * group-commits concurrent appends (one transaction per batch), so more in
 * flight means fewer transactions: with 8, recording 1,479 results of a
 * cold 3,000-entity refresh on the real backend (SQLite) took 21.9 s, with
 * 32 8.6 s (64: no better).
 */
const RECORD_IN_FLIGHT = 32;

/**
 * With a batch append (`appendMany`): records per request (the evidence
 * API's maximum) and requests in flight (their records join the log's
 * group commits).
 */
const RECORD_BATCH = 500;
const BATCHES_IN_FLIGHT = 2;

/**
 * The `compliance` record of a result: summary for listings; payload the
 * result in its recorded form (`recordedResult`): each check's status (and
 * waiver id), the inputs, the replay input with the check set named by
 * digest (`replay.checksDigest`, served by `GET /v1/check-sets/{digest}`)
 * and the result hash, which commits to everything replay recomputes
 * (reasons, fact values, evidence per check). ~2.4 kB for 25 checks,
 * against ~7 kB compact and ~18 kB in full.
 */
function complianceRecord(
  r: EntityResult,
  checksDigest: string,
): EvidenceAppendRequest {
  return {
    entityRef: r.entityRef,
    category: 'compliance',
    summary: {
      actor: 'plugin:scorecards',
      kind: 'scorecard',
      level: r.level,
      score: r.score,
      mode: r.mode,
      resultHash: r.resultHash,
      failing: r.checks.filter(c => c.status === 'fail').length,
      inputs: r.inputs.join(','),
    },
    payload: {
      actor: 'plugin:scorecards',
      result: recordedResult(r, checksDigest),
    },
    producedAt: r.computedAt,
    // keys are scoped by entity: the result and the refresh that computed it
    // (a retry of that refresh replays; the same result again later, e.g.
    // A → B → A, is a new record) — ≤ 99 characters whatever the ref's length
    idempotencyKey: `scorecard-${r.resultHash}-${r.computedAt}`,
  };
}

/** Runs `fn` over items with at most `n` in flight. */
async function mapLimit<T, R>(
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

/**
 * Computes scorecards: facts from the catalog entity and the newest
 * evidence records (through the evidence service, with the plugin's own
 * credentials), evaluated with the pure code in scorecards-common, stored
 * with daily history; compliance-mode results that changed are recorded as
 * `compliance` evidence citing their inputs.
 */
export class ScorecardEngine {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      evidence: EvidenceService;
      auth: AuthService;
      store: DatabaseScorecardStore;
      config: ScorecardsConfig;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {}

  /**
   * Records verified by this process: hash → the fields facts are read from.
   * A record with the same hash and the same fact-bearing fields is not
   * hashed again (its links are still checked on every read).
   */
  private readonly verified = new Map<string, string>();

  private fingerprint(r: {
    envelope: {
      seq: number;
      category: string;
      producedAt: string;
      summary: unknown;
    };
  }) {
    const e = r.envelope;
    return `${e.seq}|${e.category}|${e.producedAt}|${JSON.stringify(
      e.summary,
    )}`;
  }

  private now() {
    return (this.options.now?.() ?? new Date()).toISOString();
  }

  private credentials(): Promise<BackstageCredentials> {
    return this.options.auth.getOwnServiceCredentials();
  }

  private applies(entity: Entity) {
    return this.options.config.kinds.includes(entity.kind.toLowerCase());
  }

  private async domainsBySystem(credentials: BackstageCredentials) {
    const map = new Map<string, string>();
    for await (const page of this.options.catalog.streamEntities(
      {
        filter: { kind: 'system' },
        fields: ['kind', 'metadata.name', 'metadata.namespace', 'spec.domain'],
      },
      { credentials },
    )) {
      for (const s of page) {
        const domain = s.spec?.domain;
        if (typeof domain === 'string') {
          map.set(
            entityRefOf(s),
            toRef(domain, 'domain', s.metadata.namespace),
          );
        }
      }
    }
    return map;
  }

  /**
   * The newest {@link CHAIN_WINDOW} records of each of these entities in
   * bulk (`latestForEntities`: requests of 500 entities), or undefined when
   * the evidence service has no bulk read (then each entity is read with
   * `list`). The records are verified like any others (hash and links).
   */
  private async latestOf(
    refs: string[],
    credentials: BackstageCredentials,
  ): Promise<Map<string, EvidenceInput[]> | undefined> {
    const evidence = this.options.evidence;
    if (!evidence.latestForEntities || !refs.length) return undefined;
    const items = await evidence.latestForEntities(refs, {
      window: CHAIN_WINDOW,
      credentials,
    });
    const out = new Map<string, EvidenceInput[]>();
    for (const item of items) {
      if (!item.readable) {
        throw new NotAllowedError(
          `scorecards may not read the evidence of ${item.entityRef}`,
        );
      }
      out.set(item.entityRef, item.records);
    }
    return out;
  }

  private async compute(
    entity: Entity,
    ctx: {
      credentials: BackstageCredentials;
      domains: Map<string, string>;
      /** approved, unexpired waivers by entity ref */
      waivers: Map<string, Waiver[]>;
      now: string;
      /** records read in bulk, by entity ref (else read here) */
      evidence?: Map<string, EvidenceInput[]>;
    },
  ): Promise<StoredResult> {
    const ref = entityRefOf(entity);
    let records = ctx.evidence?.get(ref);
    if (!records) {
      const { items } = await this.options.evidence.list(ref, {
        order: 'desc',
        limit: CHAIN_WINDOW,
        credentials: ctx.credentials,
      });
      records = items.map(i => ({ envelope: i.envelope, hash: i.hash }));
    }
    const system =
      typeof entity.spec?.system === 'string'
        ? toRef(entity.spec.system, 'system', entity.metadata.namespace)
        : undefined;
    const domain = system ? ctx.domains.get(system) : undefined;
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
      checks: this.options.config.checks,
      facts,
      waivers: ctx.waivers.get(ref) ?? [],
      maxEvidenceAgeDays: this.options.config.maxEvidenceAgeDays,
      now: ctx.now,
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

  /** Records changed compliance-mode results as `compliance` evidence. */
  private async record(
    items: StoredResult[],
    previous: Map<string, { resultHash: string }>,
    credentials: BackstageCredentials,
  ): Promise<number> {
    if (!this.options.config.recordCompliance) return 0;
    const changed = items.filter(
      i =>
        i.result.mode === 'compliance' &&
        previous.get(i.result.entityRef)?.resultHash !== i.result.resultHash,
    );
    const evidence = this.options.evidence;
    // the check sets the records name are stored (saveResults did) and served
    const digests = new Map<CheckDefinition[], string>();
    for (const { result } of changed) {
      const checks = result.replay.checks;
      if (!digests.has(checks))
        digests.set(checks, await this.options.store.saveCheckSet(checks));
    }
    const requests = changed.map(({ result: r }) =>
      complianceRecord(r, digests.get(r.replay.checks)!),
    );
    const one = async (request: EvidenceAppendRequest) => {
      try {
        await evidence.append(request, { credentials });
      } catch (e) {
        this.options.logger.warn(
          `scorecards: could not record compliance evidence for ${request.entityRef}: ${e}`,
        );
      }
    };
    if (evidence.appendMany && requests.length > 1) {
      const batches: EvidenceAppendRequest[][] = [];
      for (let i = 0; i < requests.length; i += RECORD_BATCH) {
        batches.push(requests.slice(i, i + RECORD_BATCH));
      }
      await mapLimit(batches, BATCHES_IN_FLIGHT, async batch => {
        try {
          await evidence.appendMany!(batch, { credentials });
        } catch (e) {
          // a batch stores nothing when one record is refused: append its
          // records one by one so that only that one is lost (idempotency
          // keys make a record stored before a failure a replay)
          this.options.logger.warn(
            `scorecards: a batch of ${batch.length} compliance records failed (${e}); appending them one by one`,
          );
          await mapLimit(batch, RECORD_IN_FLIGHT, one);
        }
      });
    } else {
      await mapLimit(
        requests,
        Math.max(RECORD_IN_FLIGHT, this.options.config.concurrency),
        one,
      );
    }
    return changed.length;
  }

  /** Recomputes one entity; undefined when it is not in the catalog. */
  async refreshEntity(entityRef: string): Promise<EntityResult | undefined> {
    const credentials = await this.credentials();
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity || !this.applies(entity)) return undefined;
    const now = this.now();
    const ref = entityRefOf(entity);
    const [domains, waivers, previous] = await Promise.all([
      this.domainsBySystem(credentials),
      this.options.store.activeWaivers(ref, now),
      this.options.store.getResult(ref),
    ]);
    const item = await this.compute(entity, {
      credentials,
      domains,
      waivers: new Map([[ref, waivers]]),
      now,
    });
    await this.options.store.saveResults([item]);
    await this.record(
      [item],
      new Map(previous ? [[ref, { resultHash: previous.resultHash }]] : []),
      credentials,
    );
    return item.result;
  }

  /**
   * Recomputes entities of the configured kinds. With `onlyChanged`, only
   * those whose catalog etag changed or that have no result yet (the
   * catalog change scan). Results of entities gone from the catalog are
   * deleted.
   */
  async refreshAll(
    options: { onlyChanged?: boolean } = {},
  ): Promise<RefreshSummary> {
    const started = Date.now();
    const credentials = await this.credentials();
    const now = this.now();
    const [domains, previous, approved] = await Promise.all([
      this.domainsBySystem(credentials),
      this.options.store.listStates(),
      this.options.store.allActiveWaivers(now),
    ]);
    const waivers = new Map<string, Waiver[]>();
    for (const w of approved) {
      waivers.set(w.entityRef, [...(waivers.get(w.entityRef) ?? []), w]);
    }
    const seen = new Set<string>();
    let entities = 0;
    let changed = 0;
    let written = 0;
    let recorded = 0;
    let recordMs = 0;
    for await (const page of this.options.catalog.streamEntities(
      {
        filter: { kind: this.options.config.kinds },
        fields: ENTITY_FIELDS,
        pageSize: 1000,
      },
      { credentials },
    )) {
      const todo = page.filter(e => {
        const ref = entityRefOf(e);
        seen.add(ref);
        if (!options.onlyChanged) return true;
        const p = previous.get(ref);
        return !p || (e.metadata.etag && p.etag !== e.metadata.etag);
      });
      entities += page.length;
      const evidence = await this.latestOf(todo.map(entityRefOf), credentials);
      const items = await mapLimit(todo, this.options.config.concurrency, e =>
        this.compute(e, { credentials, domains, waivers, now, evidence }),
      );
      const toSave = items.filter(i => !unchanged(i, previous, now));
      await this.options.store.saveResults(toSave);
      written += toSave.length;
      changed += items.filter(
        i =>
          previous.get(i.result.entityRef)?.resultHash !== i.result.resultHash,
      ).length;
      const recordStart = Date.now();
      recorded += await this.record(items, previous, credentials);
      recordMs += Date.now() - recordStart;
    }
    const removed = [...previous.keys()].filter(r => !seen.has(r));
    await this.options.store.deleteResults(removed);
    return {
      entities,
      changed,
      written,
      removed: removed.length,
      recorded,
      recordMs,
      durationMs: Date.now() - started,
    };
  }

  /** Retention of daily history (the global cleanup task). */
  async cleanup(): Promise<number> {
    const days = this.options.config.historyRetentionDays;
    const before = new Date(
      Date.parse(this.now()) - days * 86_400_000,
    ).toISOString();
    return this.options.store.deleteHistoryBefore(before.slice(0, 10));
  }
}
