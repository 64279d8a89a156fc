import {
  isMainThread,
  parentPort,
  Worker,
  workerData,
} from 'node:worker_threads';
import os from 'node:os';
import { NotAllowedError } from '@backstage/errors';
import {
  EvidenceAppendRequest,
  EvidenceClient,
  EvidenceRemoteAccess,
} from '@assay/plugin-evidence-node';
import {
  ComputedResult,
  ComputeSettings,
  EntityTask,
  recordCompliance,
  ResultComputer,
} from './computeResult';

/**
 * Worker threads that evaluate entities for a full refresh: the bulk
 * evidence read (over the evidence API, with a token the main thread
 * passes: the records never cross threads), verification of the records'
 * hashes and links, facts, evaluation, the result hash and the rows and
 * records a refresh writes — the CPU-bound part, off the main thread,
 * which meanwhile serves requests (the evidence backend's, when it runs in
 * the same backend), writes results and records compliance evidence. Each
 * worker runs the same {@link ResultComputer} as the main thread; an
 * entity always goes to the same worker, so the records a worker verified
 * are not hashed again on the next refresh.
 */

const WORKER_FLAG = 'assayScorecardsComputeWorker';

type WorkerInit = { [WORKER_FLAG]: true; settings: ComputeSettings };
type Request =
  | {
      id: number;
      now: string;
      tasks: EntityTask[];
      access?: EvidenceRemoteAccess;
      /** keep the compliance records in the worker until asked to record them */
      hold?: boolean;
    }
  | {
      id: number;
      /** append the compliance records held for this compute request */
      record: number;
      /** with this access (fresh: asked for when recording) */
      access: EvidenceRemoteAccess;
    };
type Response =
  | { id: number; results: ComputedResult[]; held?: number }
  | { id: number; recorded: number; warnings: string[] }
  | { id: number; error: string; name: string }
  | { ready: true; id?: undefined };

/**
 * Compute requests whose compliance records a worker keeps until asked to
 * record them: a refresh asks after storing each part (at most the parts
 * in flight, a few); older ones (of a refresh that failed meanwhile) are
 * dropped.
 */
const HELD_REQUESTS = 16;

const isComputeWorker =
  !isMainThread && !!(workerData as Partial<WorkerInit>)?.[WORKER_FLAG];

/** A worker's answer to request `id` that failed with `e` (see {@link reported}). */
function failure(id: number, e: unknown): Response {
  const error = e as Error;
  return {
    id,
    error: String(error?.message ?? e),
    name: String(error?.name ?? 'Error'),
  };
}

function runWorker() {
  const computer = new ResultComputer((workerData as WorkerInit).settings);
  // Requests are evaluated one after the other, in the order they came (the
  // oldest is the one the main thread waits for); their evidence reads run
  // meanwhile, as soon as each request comes.
  let evaluating: Promise<unknown> = Promise.resolve();
  const held = new Map<number, EvidenceAppendRequest[]>();
  /**
   * appends the held records of compute request `id` (recording runs
   * beside evaluation); throws when they are no longer held (the main
   * thread then records them itself)
   */
  const record = async (id: number, access: EvidenceRemoteAccess) => {
    const requests = held.get(id);
    held.delete(id);
    if (!requests) {
      throw new Error(
        `the compliance records of compute request ${id} are no longer held`,
      );
    }
    const warnings: string[] = [];
    const recorded = await recordCompliance(
      EvidenceClient.remoteWriter(access),
      requests,
      w => warnings.push(w),
    );
    return { recorded, warnings };
  };
  parentPort!.on('message', async (m: Request) => {
    let response: Response;
    if ('record' in m) {
      try {
        response = { id: m.id, ...(await record(m.record, m.access)) };
      } catch (e) {
        response = failure(m.id, e);
      }
      parentPort!.postMessage(response);
      return;
    }
    const read = computer.readRecords(m.tasks, m.access);
    read.catch(() => {});
    const turn = evaluating.then(async () => {
      await read;
      return computer.computeSliced(m.tasks, m.now);
    });
    evaluating = turn.catch(() => {});
    try {
      const results = await turn;
      if (m.hold) {
        // the records stay here (they are appended from this thread once
        // the main thread has stored the results): not posted across
        const requests: EvidenceAppendRequest[] = [];
        for (const r of results) {
          if (!r.compliance) continue;
          requests.push(r.compliance);
          r.compliance = undefined;
          r.heldCompliance = true;
        }
        held.set(m.id, requests);
        for (const id of held.keys()) {
          if (held.size <= HELD_REQUESTS) break;
          held.delete(id);
        }
        response = { id: m.id, results, held: requests.length };
      } else {
        response = { id: m.id, results };
      }
    } catch (e) {
      response = failure(m.id, e);
    }
    parentPort!.postMessage(response);
  });
  // loaded (this module and everything it imports): ready for work
  parentPort!.postMessage({ ready: true });
}

if (isComputeWorker) runWorker();

function spawn(init: WorkerInit): Worker {
  if (/\.[cm]?tsx?$/.test(__filename)) {
    // running from TypeScript source (`backstage-cli package start`, tests):
    // the worker needs the Backstage CLI's require hook, as the main thread has
    const hook = ['@backstage', 'cli', 'config', 'nodeTransform.cjs'].join('/');
    return new Worker(
      `require(${JSON.stringify(
        require.resolve(hook),
      )});require(${JSON.stringify(__filename)});`,
      { eval: true, workerData: init },
    );
  }
  // built: this module's own file
  return new Worker(__filename, { workerData: init });
}

/**
 * Default number of compute workers: one core is left to the main thread
 * (it serves requests, reads evidence and writes results during a
 * refresh), at most 4; 0 on one core.
 */
export function defaultComputeWorkers(): number {
  const cores =
    (os as { availableParallelism?: () => number }).availableParallelism?.() ??
    os.cpus().length;
  return Math.max(0, Math.min(4, cores - 1));
}

/** Stable shard of an entity ref (FNV-1a). */
function shardOf(ref: string, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < ref.length; i++) {
    h ^= ref.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % n;
}

type Pending = {
  resolve: (m: Response) => void;
  reject: (e: Error) => void;
};

/**
 * Compliance records of computed results that the workers keep (see
 * {@link ComputePool.computeHolding}) until {@link HeldRecords.record}.
 */
export type HeldRecords = {
  /** how many records are held */
  count: number;
  /**
   * Appends them, each worker its own, from the worker's thread, with
   * `access`. Records that could not be appended are in `warnings`, as on
   * the main thread; rejects when a worker stopped or no longer holds them
   * (their results come with `heldCompliance`: the caller can make them
   * again from the rows, see `complianceRecordOfRows`).
   */
  record(
    access: EvidenceRemoteAccess,
  ): Promise<{ recorded: number; warnings: string[] }>;
};

/** A worker that stopped or failed; the pool computes nothing more. */
export class ComputeWorkerError extends Error {}

/**
 * An error a worker reported for its work (e.g. the evidence API refused a
 * read): the refresh fails as it would on the main thread; the pool stays.
 */
function reported(m: { error: string; name: string }): Error {
  return m.name === 'NotAllowedError'
    ? new NotAllowedError(m.error)
    : new Error(m.error);
}

export class ComputePool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure?: Error;

  /** resolves when every worker has loaded; rejects when one failed first */
  private readonly started: Promise<void>;

  constructor(size: number, settings: ComputeSettings) {
    const init: WorkerInit = { [WORKER_FLAG]: true, settings };
    const loaded: Promise<void>[] = [];
    this.workers = Array.from({ length: size }, () => {
      const w = spawn(init);
      w.unref();
      let onReady!: () => void;
      let onFailed!: (e: Error) => void;
      loaded.push(
        new Promise<void>((resolve, reject) => {
          onReady = resolve;
          onFailed = reject;
        }),
      );
      w.on('message', (m: Response) => {
        if ('ready' in m) {
          onReady();
          return;
        }
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        this.idle();
        if ('error' in m) p.reject(reported(m));
        else p.resolve(m);
      });
      const fail = (e: Error) => {
        this.failure ??= e;
        onFailed(e);
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      };
      w.on('error', (e: Error) =>
        fail(new ComputeWorkerError(`a compute worker failed: ${e.message}`)),
      );
      w.on('exit', code =>
        fail(
          new ComputeWorkerError(
            `a compute worker stopped (exit code ${code})`,
          ),
        ),
      );
      return w;
    });
    this.started = Promise.all(loaded).then(() => undefined);
    this.started.catch(() => {});
  }

  /**
   * Resolves when every worker has loaded its code (a refresh sent earlier
   * waits for that anyway); rejects with a {@link ComputeWorkerError} when
   * a worker failed to start.
   */
  ready(): Promise<void> {
    return this.started;
  }

  get size() {
    return this.workers.length;
  }

  /** Workers keep the process alive only while they have work. */
  private idle() {
    if (this.pending.size === 0) for (const w of this.workers) w.unref();
  }

  private call(w: Worker, request: Request): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      w.ref();
      w.postMessage(request);
    });
  }

  /**
   * Computes the tasks, each entity in its worker, which reads the records
   * of tasks without them from the evidence API at `access`; results in
   * task order. Rejects with a {@link ComputeWorkerError} when a worker
   * fails, with the worker's error when it reports one.
   */
  async compute(
    tasks: EntityTask[],
    now: string,
    access?: EvidenceRemoteAccess,
  ): Promise<ComputedResult[]> {
    return (await this.run(tasks, now, access, false)).results;
  }

  /**
   * {@link ComputePool.compute}, but the compliance records stay in the
   * workers (the results come without them) until `held.record()`: a
   * refresh records them once it has stored the results, and they never
   * cross threads.
   */
  computeHolding(
    tasks: EntityTask[],
    now: string,
    access: EvidenceRemoteAccess,
  ): Promise<{ results: ComputedResult[]; held: HeldRecords }> {
    return this.run(tasks, now, access, true);
  }

  private async run(
    tasks: EntityTask[],
    now: string,
    access: EvidenceRemoteAccess | undefined,
    hold: boolean,
  ): Promise<{ results: ComputedResult[]; held: HeldRecords }> {
    if (this.failure) throw this.failure;
    const n = this.workers.length;
    const shards: { index: number[]; tasks: EntityTask[] }[] = Array.from(
      { length: n },
      () => ({ index: [], tasks: [] }),
    );
    tasks.forEach((t, i) => {
      const ref = `${t.entity.kind}:${
        t.entity.metadata.namespace ?? 'default'
      }/${t.entity.metadata.name}`.toLowerCase();
      const s = shards[n === 1 ? 0 : shardOf(ref, n)];
      s.index.push(i);
      s.tasks.push(t);
    });
    const out = new Array<ComputedResult>(tasks.length);
    /** per worker, the compute request whose records it holds */
    const holding: { worker: Worker; id: number }[] = [];
    let count = 0;
    await Promise.all(
      shards.map(async (s, w) => {
        if (!s.tasks.length) return;
        const id = this.nextId++;
        const m = await this.call(this.workers[w], {
          id,
          now,
          tasks: s.tasks,
          access,
          ...(hold ? { hold } : {}),
        });
        if (!('results' in m)) throw new Error('scorecards: unexpected answer');
        m.results.forEach((r, j) => {
          out[s.index[j]] = r;
        });
        if (m.held) {
          holding.push({ worker: this.workers[w], id });
          count += m.held;
        }
      }),
    );
    return {
      results: out,
      held: {
        count,
        record: async recordAccess => {
          if (this.failure) throw this.failure;
          const answers = await Promise.all(
            holding.map(h =>
              this.call(h.worker, {
                id: this.nextId++,
                record: h.id,
                access: recordAccess,
              }),
            ),
          );
          let recorded = 0;
          const warnings: string[] = [];
          for (const a of answers) {
            if (!('recorded' in a))
              throw new Error('scorecards: unexpected answer');
            recorded += a.recorded;
            warnings.push(...a.warnings);
          }
          return { recorded, warnings };
        },
      },
    };
  }

  async close(): Promise<void> {
    this.failure ??= new ComputeWorkerError('the compute pool was closed');
    await Promise.all(this.workers.map(w => w.terminate()));
  }
}
