import fs from 'node:fs';
import os from 'node:os';
import {
  isMainThread,
  parentPort,
  Worker,
  workerData,
} from 'node:worker_threads';
import {
  BundleRangeResult,
  createBundleRangeVerifier,
  createBundleStitcher,
  EvidenceBundleHeader,
  MalformedBundleRecordError,
} from '@assay/plugin-evidence-common';
import {
  createRecordLines,
  lineError,
  nativeHash,
  RecordLineError,
  StreamedBundle,
} from './bundleStream';
import { CliError } from './context';

/**
 * Full verification of a bundle file in worker threads: the main thread
 * reads the header and cuts the records into byte ranges at line starts;
 * each worker reads its ranges from the file itself (nothing but offsets and
 * small results cross threads) and checks every record there exactly as the
 * one-thread reader does (createBundleRangeVerifier: canonical form, schema,
 * hash, seq and links within the range, leaf order, inclusion proofs); the
 * main thread joins the ranges in file order (createBundleStitcher: the
 * chain and leaf order across each boundary, the record count, the head
 * binding) and the line layout (`]}` once, then nothing).
 */

const WORKER_FLAG = 'assayVerifyWorker';
const RECORDS_OPEN = '"records":[';
/** default bytes per range (ranges are handed to the workers as they finish) */
const RANGE_BYTES = 16 << 20;

/** Whether this thread is a verification worker (the CLI's entry then does not run a command). */
export const isVerifyWorker =
  !isMainThread && !!(workerData as any)?.[WORKER_FLAG];

type WorkerInit = {
  [WORKER_FLAG]: true;
  file: string;
  entityRef: string;
  checkpoint: { treeSize: number; rootHash: Uint8Array } | null;
  bodyStart: number;
};

type RangeError =
  | { kind: 'json' | 'after'; index: number; detail: string }
  | { kind: 'malformed'; index: number; problem: string }
  | { kind: 'other'; message: string };

/** What a worker posts for one range. */
type RangeReport = {
  id: number;
  result: BundleRangeResult;
  closed: boolean;
  error?: RangeError;
};

/** The lines of bytes [start, end) of a file (a range starts at a line start). */
function* fileLines(fd: number, start: number, end: number): Generator<Buffer> {
  const chunk = 4 << 20;
  let buf = Buffer.allocUnsafe(chunk);
  let carry = 0; // bytes of an unfinished line at the start of buf
  let pos = start;
  while (pos < end) {
    if (carry === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, carry);
      buf = bigger;
    }
    const n = fs.readSync(
      fd,
      buf,
      carry,
      Math.min(buf.length - carry, end - pos),
      pos,
    );
    if (n === 0) break;
    pos += n;
    const filled = carry + n;
    let from = 0;
    for (;;) {
      const nl = buf.indexOf(10, from);
      if (nl < 0 || nl >= filled) break;
      yield buf.subarray(from, nl);
      from = nl + 1;
    }
    carry = filled - from;
    if (carry > 0 && from > 0) buf.copy(buf, 0, from, filled);
  }
  if (carry > 0) yield buf.subarray(0, carry);
}

/** Verifies one range in a worker. */
function verifyRange(
  init: WorkerInit,
  fd: number,
  id: number,
  start: number,
  end: number,
): RangeReport {
  const range = createBundleRangeVerifier({
    ...nativeHash,
    entityRef: init.entityRef,
    checkpoint: init.checkpoint,
    first: start === init.bodyStart,
  });
  const lines = createRecordLines(record => range.add(record));
  let error: RangeError | undefined;
  try {
    for (const raw of fileLines(fd, start, end)) lines.add(raw);
  } catch (e) {
    if (e instanceof RecordLineError) {
      error = { kind: e.kind, index: e.index, detail: e.detail };
    } else if (
      e instanceof TypeError &&
      typeof (e as MalformedBundleRecordError).problem === 'string'
    ) {
      const m = e as MalformedBundleRecordError;
      error = { kind: 'malformed', index: m.index, problem: m.problem };
    } else {
      error = { kind: 'other', message: (e as Error).message };
    }
  }
  return {
    id,
    result: range.finish(),
    closed: lines.closed,
    error,
  };
}

function runWorker() {
  const init = workerData as WorkerInit;
  let fd: number | undefined = fs.openSync(init.file, 'r');
  parentPort!.on(
    'message',
    (job: { id: number; start: number; end: number } | null) => {
      if (!job) {
        // stop (idempotent: the descriptor is closed once)
        if (fd !== undefined) {
          const open = fd;
          fd = undefined;
          fs.closeSync(open);
          parentPort!.close();
        }
        return;
      }
      if (fd === undefined) return;
      parentPort!.postMessage(
        verifyRange(init, fd, job.id, job.start, job.end),
      );
    },
  );
}

if (isVerifyWorker) runWorker();

function spawn(init: WorkerInit): Worker {
  if (/\.[cm]?tsx?$/.test(__filename)) {
    // running from TypeScript source (the monorepo's bin, tests): the worker
    // needs the Backstage CLI's require hook, as the main thread has
    const hook = ['@backstage', 'cli', 'config', 'nodeTransform.cjs'].join('/');
    return new Worker(
      `require(${JSON.stringify(
        require.resolve(hook),
      )});require(${JSON.stringify(__filename)});`,
      { eval: true, workerData: init },
    );
  }
  // built: this file is the CLI (esbuild's one file) or a module of it
  return new Worker(__filename, { workerData: init });
}

/** The default number of verification threads: one per available core. */
export function defaultThreads(): number {
  return (os as any).availableParallelism?.() ?? os.cpus().length ?? 1;
}

function readAt(fd: number, pos: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  const n = fs.readSync(fd, buf, 0, length, pos);
  return buf.subarray(0, n);
}

/** The offset just after the first newline at or after `pos` (or `size`). */
function lineStartAfter(fd: number, from: number, size: number): number {
  let pos = from;
  while (pos < size) {
    const buf = readAt(fd, pos, 1 << 16);
    if (buf.length === 0) break;
    const nl = buf.indexOf(10);
    if (nl >= 0) return pos + nl + 1;
    pos += buf.length;
  }
  return size;
}

/** whitespace only, as String#trim removes it */
const BLANK = /^\s*$/;

/**
 * Whether the bytes of a file from `from` on are all blank by the one-thread rule
 * (every line is empty once trimmed as a JavaScript string: the bytes decode
 * as UTF-8 to whitespace only; an invalid sequence decodes to U+FFFD, which
 * is not blank). Reads to the end of the file (as one thread does) in
 * bounded chunks, so any length is fine.
 */
function blankFileTail(file: string, from: number): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const decoder = new TextDecoder('utf-8');
    const buf = Buffer.allocUnsafe(4 << 20);
    let pos = from;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      if (!BLANK.test(decoder.decode(buf.subarray(0, n), { stream: true }))) {
        return false;
      }
    }
    return BLANK.test(decoder.decode());
  } finally {
    fs.closeSync(fd);
  }
}

function parseJson(text: string, what: string): any {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError((e as Error).message);
  }
}

/** Why the worker threads could not run (the caller verifies on one thread). */
export class WorkerUnavailable extends Error {}

/**
 * Verifies a bundle file in `threads` worker threads. Returns undefined when
 * the file does not have the streamed line layout (the caller reads it the
 * one-thread way, which handles every layout). Throws a CliError as the
 * one-thread reader does, or WorkerUnavailable when a worker fails.
 */
export async function verifyBundleFileThreaded(
  file: string,
  what: string,
  check: (header: EvidenceBundleHeader) => void,
  options: { threads: number; rangeBytes?: number },
): Promise<StreamedBundle | undefined> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let size: number;
  let bodyStart: number;
  let headerLine: string;
  const bounds: number[] = [];
  try {
    size = fs.fstatSync(fd).size;
    bodyStart = lineStartAfter(fd, 0, size);
    const first = readAt(fd, 0, bodyStart);
    if (first[first.length - 1] !== 10) return undefined; // one line only
    headerLine = first.toString('utf8', 0, first.length - 1).trimEnd();
    if (!headerLine.endsWith(RECORDS_OPEN)) return undefined;
    // ranges of whole lines
    const rangeBytes = Math.max(
      1,
      options.rangeBytes ??
        Math.min(
          RANGE_BYTES,
          Math.ceil((size - bodyStart) / Math.max(1, options.threads)),
        ),
    );
    bounds.push(bodyStart);
    while (bounds[bounds.length - 1] < size) {
      const last = bounds[bounds.length - 1];
      bounds.push(lineStartAfter(fd, last + rangeBytes - 1, size));
    }
  } finally {
    fs.closeSync(fd);
  }
  const header = parseJson(`${headerLine}]}`, `${what} (header)`);
  delete header.records;
  check(header);
  const stitcher = guard(() => createBundleStitcher(header, nativeHash));
  const reports = await runRanges(
    {
      [WORKER_FLAG]: true,
      file,
      entityRef: stitcher.entityRef,
      checkpoint: stitcher.checkpoint && {
        treeSize: stitcher.checkpoint.treeSize,
        rootHash: stitcher.checkpoint.rootHash,
      },
      bodyStart,
    },
    bounds,
    options.threads,
  );
  // join the ranges in file order, failing where one pass would
  let closed = false;
  let i = 0;
  for (; i < reports.length && !closed; i++) {
    const report = reports[i];
    const base = stitcher.count;
    const error = report.error;
    if (error && report.closed) {
      // anything the range could not read after its `]}` line
      throw new CliError(`${what}: unexpected content after the records`);
    }
    if (error) {
      if (error.kind === 'json' || error.kind === 'after') {
        throw lineError(
          new RecordLineError(error.kind, error.index, error.detail),
          what,
          base,
        );
      }
      if (error.kind === 'malformed') {
        throw new CliError(
          `malformed evidence bundle: records.${base + error.index}${
            error.problem
          }`,
        );
      }
      throw new CliError(
        error.kind === 'other' ? error.message : 'unreadable record',
      );
    }
    guard(() => stitcher.add(report.result));
    if (report.closed) closed = true;
  }
  if (!closed) throw new CliError(`${what} ends before the records do`);
  // after `]}` only blank lines, as one thread reads them: the ranges after
  // the closing one cannot know they follow the end (and stop at their first
  // unreadable line), so the main thread reads the bytes after the closing
  // range itself
  if (i < reports.length && !blankFileTail(file, bounds[i])) {
    throw new CliError(`${what}: unexpected content after the records`);
  }
  return { header, recordCount: stitcher.count, result: stitcher.finish() };
}

/** Runs the ranges [bounds[i], bounds[i+1]) on a pool of workers; reports in range order. */
function runRanges(
  init: WorkerInit,
  bounds: number[],
  threads: number,
): Promise<RangeReport[]> {
  const total = bounds.length - 1;
  const reports: RangeReport[] = new Array(total);
  const poolSize = Math.max(1, Math.min(threads, total));
  return new Promise((resolve, reject) => {
    if (total === 0) {
      resolve(reports);
      return;
    }
    const workers: Worker[] = [];
    let next = 0;
    let done = 0;
    let failed = false;
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      for (const w of workers) w.terminate();
      reject(new WorkerUnavailable(e.message));
    };
    const busy = new Set<Worker>();
    // each worker is told to stop once (it closes its file descriptor then)
    const stopped = new Set<Worker>();
    const stop = (w: Worker) => {
      if (stopped.has(w)) return;
      stopped.add(w);
      w.postMessage(null);
    };
    const give = (w: Worker) => {
      if (next < total) {
        const id = next++;
        busy.add(w);
        w.postMessage({ id, start: bounds[id], end: bounds[id + 1] });
      } else {
        busy.delete(w);
        stop(w);
      }
    };
    const startOne = (): boolean => {
      let w: Worker;
      try {
        w = spawn(init);
      } catch (e) {
        fail(e as Error);
        return false;
      }
      workers.push(w);
      w.on('message', (report: RangeReport) => {
        if (failed) return;
        reports[report.id] = report;
        done += 1;
        if (done === total) {
          busy.clear();
          for (const x of workers) stop(x);
          resolve(reports);
        } else {
          give(w);
        }
      });
      w.on('error', fail);
      w.on('exit', code => {
        if (busy.has(w) && !failed) {
          fail(new Error(`a verification worker exited with code ${code}`));
        }
      });
      give(w);
      return true;
    };
    for (let i = 0; i < poolSize; i++) {
      if (!startOne()) return;
    }
  });
}
