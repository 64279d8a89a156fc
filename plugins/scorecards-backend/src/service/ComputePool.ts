import {
  isMainThread,
  parentPort,
  Worker,
  workerData,
} from 'node:worker_threads';
import os from 'node:os';
import { NotAllowedError } from '@backstage/errors';
import type { EvidenceRemoteAccess } from '@assay/plugin-evidence-node';
import {
  ComputedResult,
  ComputeSettings,
  EntityTask,
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
type Request = {
  id: number;
  now: string;
  tasks: EntityTask[];
  access?: EvidenceRemoteAccess;
};
type Response =
  | { id: number; results: ComputedResult[] }
  | { id: number; error: string; name: string }
  | { ready: true; id?: undefined };

const isComputeWorker =
  !isMainThread && !!(workerData as Partial<WorkerInit>)?.[WORKER_FLAG];

function runWorker() {
  const computer = new ResultComputer((workerData as WorkerInit).settings);
  parentPort!.on('message', async (m: Request) => {
    let response: Response;
    try {
      response = {
        id: m.id,
        results: await computer.computeTasks(m.tasks, m.now, m.access),
      };
    } catch (e) {
      const error = e as Error;
      response = {
        id: m.id,
        error: String(error?.message ?? e),
        name: String(error?.name ?? 'Error'),
      };
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
  resolve: (r: ComputedResult[]) => void;
  reject: (e: Error) => void;
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
        else p.resolve(m.results);
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

  private call(
    w: Worker,
    now: string,
    tasks: EntityTask[],
    access?: EvidenceRemoteAccess,
  ) {
    return new Promise<ComputedResult[]>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      w.ref();
      w.postMessage({ id, now, tasks, access } satisfies Request);
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
    await Promise.all(
      shards.map(async (s, w) => {
        if (!s.tasks.length) return;
        const results = await this.call(this.workers[w], now, s.tasks, access);
        results.forEach((r, j) => {
          out[s.index[j]] = r;
        });
      }),
    );
    return out;
  }

  async close(): Promise<void> {
    this.failure ??= new ComputeWorkerError('the compute pool was closed');
    await Promise.all(this.workers.map(w => w.terminate()));
  }
}
