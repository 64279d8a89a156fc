import {
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EvidenceAppendRequest,
  EvidenceService,
} from '@assay/plugin-evidence-node';
import {
  checkSetDigest,
  entityRefOf,
  EntityResult,
  toRef,
  Waiver,
} from '@assay/plugin-scorecards-common';
import { ScorecardsConfig } from '../config';
import {
  DatabaseScorecardStore,
  ResultState,
} from '../store/DatabaseScorecardStore';
import { ResultRows, resultRows } from '../store/rows';
import { ComputePool, ComputeWorkerError } from './ComputePool';
import {
  ComputedResult,
  ComputeSettings,
  EntityTask,
  latestRecords,
  mapLimit,
  ResultComputer,
} from './computeResult';

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
  /** worker threads that evaluated pages of the entities (0: all on the main thread) */
  workers: number;
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

/** How long the compute workers may take to load at startup. */
const WORKER_START_TIMEOUT_MS = 120_000;

/** Catalog pages (of 1,000 entities) being evaluated at a time in a full refresh. */
const PAGES_AHEAD = 2;

/**
 * Computes scorecards: facts from the catalog entity and the newest
 * evidence records (through the evidence service, with the plugin's own
 * credentials), evaluated with the pure code in scorecards-common, stored
 * with daily history; compliance-mode results that changed are recorded as
 * `compliance` evidence citing their inputs.
 */
export class ScorecardEngine {
  private readonly settings: ComputeSettings;
  /** evaluates on the main thread: one-entity refreshes, and without workers */
  private readonly computer: ResultComputer;
  private pool?: ComputePool;
  /** set when the compute workers failed: full refreshes compute here */
  private poolFailed = false;
  /** set by close(): no more compute workers */
  private closed = false;

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
  ) {
    const config = options.config;
    this.settings = {
      checks: config.checks,
      checksDigest: checkSetDigest(config.checks),
      maxEvidenceAgeDays: config.maxEvidenceAgeDays,
      recordCompliance: config.recordCompliance,
    };
    this.computer = new ResultComputer(this.settings);
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
   * What each entity is evaluated from, but its records (read when it is
   * evaluated, see {@link ScorecardEngine.computeAll}): its waivers, its
   * system's domain and the stored state of its result.
   */
  private tasksOf(
    entities: Entity[],
    ctx: {
      domains: Map<string, string>;
      /** approved, unexpired waivers by entity ref */
      waivers: Map<string, Waiver[]>;
      /** the stored state of each entity's result */
      previous: Map<string, ResultState>;
    },
  ): EntityTask[] {
    return entities.map(entity => {
      const ref = entityRefOf(entity);
      const system =
        typeof entity.spec?.system === 'string'
          ? toRef(entity.spec.system, 'system', entity.metadata.namespace)
          : undefined;
      return {
        entity,
        waivers: ctx.waivers.get(ref) ?? [],
        domain: system ? ctx.domains.get(system) : undefined,
        previous: ctx.previous.get(ref),
      };
    });
  }

  /**
   * Whether full refreshes evaluate on compute workers: there are some
   * (`refresh.workers`), they have not failed, the engine is not closed,
   * and the evidence service can be reached from them (`remoteAccess`: the
   * HTTP client `packages/backend` uses).
   */
  private usesWorkers(): boolean {
    return (
      this.options.config.workers > 0 &&
      !this.poolFailed &&
      !this.closed &&
      this.options.evidence.remoteAccess !== undefined
    );
  }

  /** The compute workers, started when missing; undefined when they could not be. */
  private workerPool(): ComputePool | undefined {
    if (!this.pool) {
      try {
        this.pool = new ComputePool(this.options.config.workers, this.settings);
      } catch (e) {
        this.poolFailed = true;
        this.options.logger.warn(
          `scorecards: compute workers did not start, full refreshes compute on the main thread: ${e}`,
        );
      }
    }
    return this.pool;
  }

  /**
   * Stops using `pool` after it failed (once, whichever page found out
   * first): later pages and refreshes compute on this thread.
   */
  private poolFailedWith(pool: ComputePool, e: unknown, what: string) {
    if (this.pool !== pool) return; // already stopped (another page, close)
    this.poolFailed = true;
    this.pool = undefined;
    void pool.close();
    if (!this.closed) {
      this.options.logger.warn(
        `scorecards: compute workers ${what}, computing on the main thread from now on: ${e}`,
      );
    }
  }

  /**
   * Evaluates the tasks: on the compute workers when {@link usesWorkers},
   * each reading its entities' records from the evidence API itself; else,
   * or when the workers failed (a warning is logged once), on this thread,
   * after reading the records in bulk through the evidence service.
   */
  private async computeAll(
    tasks: EntityTask[],
    now: string,
    credentials: BackstageCredentials,
    stats: { workers: number } = { workers: 0 },
  ): Promise<ComputedResult[]> {
    if (!tasks.length) return [];
    const evidence = this.options.evidence;
    if (this.usesWorkers()) {
      const access = await evidence.remoteAccess!({ credentials });
      // (again: the workers may have failed or been closed meanwhile)
      const pool = this.usesWorkers() ? this.workerPool() : undefined;
      if (pool) {
        try {
          const results = await pool.compute(tasks, now, access);
          stats.workers = pool.size;
          return results;
        } catch (e) {
          // an error the worker reported (e.g. a refused read) fails the
          // refresh as it would here
          if (!(e instanceof ComputeWorkerError)) throw e;
          this.poolFailedWith(pool, e, 'failed');
        }
      }
    }
    const records = await latestRecords(
      evidence,
      tasks.map(t => entityRefOf(t.entity)),
      credentials,
      this.options.config.concurrency,
    );
    return this.computer.computeAll(
      tasks.map(t => ({
        ...t,
        records: t.records ?? records.get(entityRefOf(t.entity)) ?? [],
      })),
      now,
    );
  }

  /**
   * Starts the compute workers of full refreshes (backend startup) when
   * they will be used ({@link usesWorkers}) and waits until they have
   * loaded, so that the first refresh does not. Workers that fail to start
   * or do not load within {@link WORKER_START_TIMEOUT_MS} are logged, and
   * refreshes compute on this thread; the backend starts either way.
   */
  async start(): Promise<void> {
    if (!this.usesWorkers()) return;
    const pool = this.workerPool();
    if (!pool) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        pool.ready(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new ComputeWorkerError(
                  `not loaded after ${WORKER_START_TIMEOUT_MS / 1000} s`,
                ),
              ),
            WORKER_START_TIMEOUT_MS,
          );
          timer.unref?.();
        }),
      ]);
    } catch (e) {
      this.poolFailedWith(pool, e, 'did not start');
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops the compute workers (plugin shutdown); a refresh still running
   * finishes on this thread.
   */
  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }

  /**
   * Records changed compliance-mode results as `compliance` evidence (the
   * computer prepared a record for each of them).
   */
  private async record(
    items: ComputedResult[],
    credentials: BackstageCredentials,
  ): Promise<number> {
    if (!this.options.config.recordCompliance) return 0;
    const requests: EvidenceAppendRequest[] = [];
    for (const i of items) if (i.compliance) requests.push(i.compliance);
    const evidence = this.options.evidence;
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
    return requests.length;
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
    const [task] = this.tasksOf([entity], {
      domains,
      waivers: new Map([[ref, waivers]]),
      // no state: the result is written (a one-entity refresh is asked for)
      previous: new Map(),
    });
    task.records =
      (
        await latestRecords(
          this.options.evidence,
          [ref],
          credentials,
          this.options.config.concurrency,
        )
      ).get(ref) ?? [];
    const item = this.computer.compute(task, now);
    // the rows (always written) and the record, prepared once
    const prepared = this.computer.prepare(item, {
      previous: previous && {
        resultHash: previous.resultHash,
        computedAt: previous.computedAt,
      },
    });
    await this.options.store.saveCheckSet(this.settings.checks);
    await this.options.store.saveRows([
      prepared.rows ?? resultRows(item, this.settings.checksDigest),
    ]);
    await this.record([prepared], credentials);
    return item.result;
  }

  /**
   * Recomputes entities of the configured kinds. With `onlyChanged`, only
   * those whose catalog etag changed or that have no result yet (the
   * catalog change scan). Results of entities gone from the catalog are
   * deleted.
   *
   * One catalog page at a time: its evidence is read, its entities are
   * evaluated (on the compute workers when there are), and while the next
   * page is read and evaluated this one's results are stored and its
   * changed compliance results recorded.
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
      // the check set the results name by digest, stored once
      this.options.store.saveCheckSet(this.settings.checks),
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
    const stats = { workers: 0 };
    const storeAndRecord = async (items: ComputedResult[]) => {
      const rows: ResultRows[] = [];
      for (const i of items) if (i.rows) rows.push(i.rows);
      await this.options.store.saveRows(rows);
      written += rows.length;
      const recordStart = Date.now();
      recorded += await this.record(items, credentials);
      recordMs += Date.now() - recordStart;
    };
    const pages = this.options.catalog
      .streamEntities(
        {
          filter: { kind: this.options.config.kinds },
          fields: ENTITY_FIELDS,
          pageSize: 1000,
        },
        { credentials },
      )
      [Symbol.asyncIterator]();
    /** the next catalog page's tasks (undefined after the last page) */
    const readPage = async (): Promise<EntityTask[] | undefined> => {
      const next = await pages.next();
      if (next.done) return undefined;
      const page = next.value;
      const todo = page.filter(e => {
        const ref = entityRefOf(e);
        seen.add(ref);
        if (!options.onlyChanged) return true;
        const p = previous.get(ref);
        return !p || (e.metadata.etag && p.etag !== e.metadata.etag);
      });
      entities += page.length;
      return this.tasksOf(todo, { domains, waivers, previous });
    };
    // A pipeline: PAGES_AHEAD pages are being evaluated at a time (on the
    // compute workers when there are: a worker reads the next page's
    // evidence while it evaluates this one, and this thread serves that
    // read when the evidence backend runs here), and while they are, the
    // previous page's results are stored and recorded. Promises not awaited
    // at once get a no-op catch (they are awaited later, so a failure still
    // fails the refresh).
    const background = <T>(promise: Promise<T>) => {
      promise.catch(() => {});
      return promise;
    };
    const computing: Promise<ComputedResult[]>[] = [];
    let storing: Promise<void> | undefined;
    let more = true;
    try {
      for (;;) {
        while (more && computing.length < PAGES_AHEAD) {
          const tasks = await readPage();
          if (!tasks) more = false;
          else
            computing.push(
              background(this.computeAll(tasks, now, credentials, stats)),
            );
        }
        const next = computing.shift();
        if (!next) break;
        const items = await next;
        for (const i of items) if (i.changed) changed += 1;
        if (storing) await storing;
        storing = background(storeAndRecord(items));
      }
      if (storing) await storing;
    } finally {
      // what is still running when the refresh fails finishes first
      await Promise.allSettled([...computing, storing]);
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
      workers: stats.workers,
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
