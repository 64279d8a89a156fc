import { Worker } from 'node:worker_threads';
import type {
  ChainVerification,
  StoredChainRecord,
  VerifyChainOptions,
} from '@assay/plugin-evidence-common';
import { verifyStoredChain } from '@assay/plugin-evidence-common';
import { nativeSha256, nativeSha256Hex } from '../store/nodeHash';

/** A record for the verifier: its chain data and its stored leaf hash. */
export type VerifyItem = StoredChainRecord;

export type VerifyJob = {
  records: VerifyItem[];
  options: Pick<
    VerifyChainOptions,
    'expectedFirstSeq' | 'previousHash' | 'entityRef'
  >;
};

// Runs in the worker thread. Plain JS: it loads evidence-common itself —
// from TypeScript source in development and tests (through the Backstage
// CLI's require hook) or from the built package in production.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
if (workerData.transform) require(workerData.transform);
const { verifyStoredChain } = require(workerData.common);
const oneShot = crypto.hash;
const hash = {
  hash: d => oneShot ? oneShot('sha256', d, 'buffer') : crypto.createHash('sha256').update(d).digest(),
  hashHex: d => oneShot ? oneShot('sha256', d) : crypto.createHash('sha256').update(d).digest('hex'),
};
parentPort.on('message', ({ id, job }) => {
  try {
    const result = verifyStoredChain(job.records, { ...job.options, ...hash });
    parentPort.postMessage({ id, result });
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.stack) || e) });
  }
});
`;

function resolveOptional(id: string): string | undefined {
  try {
    return require.resolve(id);
  } catch {
    return undefined;
  }
}

/**
 * One long-lived worker thread that verifies batches off the event loop.
 * If it cannot start (or dies), batches run in-process instead, yielding to
 * the event loop between chunks of 200 records.
 */
export class VerifyWorker {
  private worker?: Worker;
  private broken = false;
  private nextId = 0;
  private pending = new Map<
    number,
    { resolve: (r: ChainVerification) => void; reject: (e: Error) => void }
  >();

  private ranInThread = false;

  constructor(private readonly onError: (message: string) => void) {}

  /** Whether batches have been verified in the worker thread. */
  get threaded(): boolean {
    return this.ranInThread;
  }

  private start(): Worker | undefined {
    if (this.broken) return undefined;
    if (this.worker) return this.worker;
    try {
      const common = require.resolve('@assay/plugin-evidence-common');
      const transform = /\.tsx?$/.test(common)
        ? resolveOptional('@backstage/cli/config/nodeTransform.cjs')
        : undefined;
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { common, transform },
      });
      worker.unref();
      worker.on('message', ({ id, result, error }) => {
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        if (error) p.reject(new Error(error));
        else {
          this.ranInThread = true;
          p.resolve(result);
        }
      });
      const fail = (e: Error) => {
        this.onError(
          `evidence: verification worker failed, verifying in-process: ${e.message}`,
        );
        this.broken = true;
        this.worker = undefined;
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      };
      worker.on('error', fail);
      worker.on('exit', code => {
        if (this.worker === worker && code !== 0) {
          fail(new Error(`exited with code ${code}`));
        }
        if (this.worker === worker) this.worker = undefined;
      });
      this.worker = worker;
      return worker;
    } catch (e) {
      this.onError(
        `evidence: cannot start the verification worker, verifying in-process: ${e}`,
      );
      this.broken = true;
      return undefined;
    }
  }

  /** Verifies a batch in the worker thread (or in-process as a fallback). */
  async verify(job: VerifyJob): Promise<ChainVerification> {
    const worker = this.start();
    if (worker) {
      try {
        return await new Promise<ChainVerification>((resolve, reject) => {
          const id = this.nextId++;
          this.pending.set(id, { resolve, reject });
          worker.ref(); // keep the process up while a batch is in flight
          worker.postMessage({ id, job });
        }).finally(() => {
          if (!this.pending.size) this.worker?.unref();
        });
      } catch (e) {
        if (!this.broken) throw e;
        // the worker died: fall through to in-process
      }
    }
    return this.verifyInProcess(job);
  }

  private async verifyInProcess(job: VerifyJob): Promise<ChainVerification> {
    const CHUNK = 200;
    let checked = 0;
    let previousHash = job.options.previousHash;
    let expectedFirstSeq = job.options.expectedFirstSeq ?? 1;
    let headHash: string | null = previousHash ?? null;
    for (let i = 0; i < job.records.length; i += CHUNK) {
      const records = job.records.slice(i, i + CHUNK);
      const result = verifyStoredChain(records, {
        ...job.options,
        expectedFirstSeq,
        previousHash,
        hash: nativeSha256,
        hashHex: nativeSha256Hex,
      });
      if (!result.ok) return { ...result, checked: checked + result.checked };
      checked += records.length;
      headHash = result.headHash;
      previousHash = result.headHash;
      expectedFirstSeq += records.length;
      await new Promise(resolve => setImmediate(resolve));
    }
    return { ok: true, checked, headHash };
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
