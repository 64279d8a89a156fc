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
import { ComputePool, ComputeWorkerError, HeldRecords } from './ComputePool';
import {
  ComputedResult,
  complianceRecordOfRows,
  ComputeSettings,
  EntityTask,
  latestRecords,
  RECORD_IN_FLIGHT,
  recordCompliance,
  ResultComputer,
} from './computeResult';

/**
 * A part of a refresh, evaluated: the results, and the compliance records
 * the compute workers hold for them (when evaluated there).
 */
type ComputedPart = { results: ComputedResult[]; held?: HeldRecords };

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

/** How long the compute workers may take to load at startup. */
const WORKER_START_TIMEOUT_MS = 120_000;

/**
 * Parts (catalog pages of 1,000 entities, see FIRST_PART) being evaluated
 * at a time in a full refresh: with compute workers, the worker has the
 * next ones queued while the main thread stores (3 instead of 2: the two
 * threads waited less for each other, wall/CPU 0.62 → 0.59 in four
 * alternating pairs).
 */
const PAGES_AHEAD = 3;

/**
 * The first catalog page is evaluated as two parts, its first
 * FIRST_PART entities and the rest, so that storing and recording start
 * after a quarter of a page instead of a whole one (the main thread is
 * otherwise idle until then on a cold refresh with compute workers); the
 * last page as two halves.
 */
const FIRST_PART = 250;

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
  ): Promise<ComputedPart> {
    if (!tasks.length) return { results: [] };
    const evidence = this.options.evidence;
    if (this.usesWorkers()) {
      const access = await evidence.remoteAccess!({ credentials });
      // (again: the workers may have failed or been closed meanwhile)
      const pool = this.usesWorkers() ? this.workerPool() : undefined;
      if (pool) {
        try {
          // the compliance records stay in the workers, which append them
          // once the results are stored (see storeAndRecord)
          const part = await pool.computeHolding(tasks, now, access);
          stats.workers = pool.size;
          return part;
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
    return {
      results: this.computer.computeAll(
        tasks.map(t => ({
          ...t,
          records: t.records ?? records.get(entityRefOf(t.entity)) ?? [],
        })),
        now,
      ),
    };
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
    return recordCompliance(
      {
        append: request => evidence.append(request, { credentials }),
        appendMany: evidence.appendMany
          ? batch => evidence.appendMany!(batch, { credentials })
          : undefined,
      },
      requests,
      message => this.options.logger.warn(message),
      Math.max(RECORD_IN_FLIGHT, this.options.config.concurrency),
    );
  }

  /**
   * Records the compliance results a compute worker holds for `items`
   * (from the worker's thread, with a fresh evidence access). When the
   * worker cannot (it stopped, the engine was closed, or it no longer holds
   * them), this thread makes the same records again from the rows just
   * stored and appends them (idempotency keys make any the worker appended
   * before a replay): a stored result is never left without its record.
   */
  private async recordHeld(
    held: HeldRecords,
    items: ComputedResult[],
    credentials: BackstageCredentials,
  ): Promise<number> {
    if (!held.count) return 0;
    try {
      const access = await this.options.evidence.remoteAccess!({
        credentials,
      });
      const { recorded, warnings } = await held.record(access);
      for (const w of warnings) this.options.logger.warn(w);
      return recorded;
    } catch (e) {
      if (!this.closed) {
        this.options.logger.warn(
          `scorecards: the compute workers could not record ${held.count} compliance results (${e}); recording them from the main thread`,
        );
      }
      return this.record(
        items.map(i =>
          i.heldCompliance && i.rows
            ? {
                ...i,
                compliance: complianceRecordOfRows(
                  i.rows,
                  this.settings.checks,
                  this.settings.checksDigest,
                ),
              }
            : i,
        ),
        credentials,
      );
    }
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
    const storeAndRecord = async ({ results: items, held }: ComputedPart) => {
      const rows: ResultRows[] = [];
      for (const i of items) if (i.rows) rows.push(i.rows);
      await this.options.store.saveRows(rows);
      written += rows.length;
      const recordStart = Date.now();
      recorded += held
        ? await this.recordHeld(held, items, credentials)
        : await this.record(items, credentials);
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
    const computing: Promise<ComputedPart>[] = [];
    let storing: Promise<void> | undefined;
    let more = true;
    // Parts to evaluate: a catalog page each, but the first page is two
    // parts (its first FIRST_PART entities, then the rest: storing starts
    // sooner) and so is the last (two halves: less is left to store and
    // record once the evaluation is done). The page after the one being
    // handed out is read ahead, to know whether this one is the last.
    const queued: EntityTask[][] = [];
    let ahead: Promise<EntityTask[] | undefined> | undefined;
    let first = true;
    /** the first n tasks now, the others next (pages of 500 or less stay whole) */
    const split = (tasks: EntityTask[], n: number) => {
      if (tasks.length <= 2 * FIRST_PART) return tasks;
      queued.push(tasks.slice(n));
      return tasks.slice(0, n);
    };
    const nextPart = async (): Promise<EntityTask[] | undefined> => {
      const q = queued.shift();
      if (q) return q;
      const tasks = await (ahead ?? readPage());
      if (!tasks) return undefined;
      ahead = background(readPage());
      if (first) {
        first = false;
        return split(tasks, FIRST_PART);
      }
      if ((await ahead) === undefined) {
        return split(tasks, Math.ceil(tasks.length / 2));
      }
      return tasks;
    };
    const fill = async () => {
      while (more && computing.length < PAGES_AHEAD) {
        const tasks = await nextPart();
        if (!tasks) more = false;
        else
          computing.push(
            background(this.computeAll(tasks, now, credentials, stats)),
          );
      }
    };
    try {
      await fill();
      for (;;) {
        const next = computing.shift();
        if (!next) break;
        const part = await next;
        for (const i of part.results) if (i.changed) changed += 1;
        // the next part goes to the workers before this one waits for the
        // previous one's storing (else they would wait for it too)
        await fill();
        if (storing) await storing;
        storing = background(storeAndRecord(part));
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
