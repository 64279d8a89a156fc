import crypto from 'node:crypto';
import fs from 'node:fs';
import {
  BundleVerification,
  createBundleVerifier,
  EvidenceBundleHeader,
  EvidenceBundleRecord,
  verifyBundle,
} from '@assay/plugin-evidence-common';
import { CliError } from './context';

const oneShot = (crypto as any).hash as
  | ((alg: string, data: string | Uint8Array, enc?: string) => any)
  | undefined;

// crypto.hash with a 'buffer' output allocates an ArrayBuffer per call
// (several times the cost of hashing a record): hex or base64 output, decoded
// where bytes are needed
const sha256 = (data: Uint8Array): Uint8Array =>
  oneShot
    ? Buffer.from(oneShot('sha256', data, 'hex'), 'hex')
    : crypto.createHash('sha256').update(data).digest();

// One UTF-8 encoding per record, shared by its record hash and its leaf
// hash: `0x00 ‖ bytes` is written once into a reused buffer.
let scratch = Buffer.allocUnsafe(1 << 16);
let encodedText: string | undefined;
let encodedLength = 0;
function encode(text: string): Buffer {
  if (text !== encodedText) {
    const max = 1 + text.length * 3;
    if (scratch.length < max) scratch = Buffer.allocUnsafe(max);
    scratch[0] = 0;
    encodedLength = 1 + scratch.write(text, 1, 'utf8');
    encodedText = text;
  }
  return scratch;
}

const nodeScratch = Buffer.alloc(65);
nodeScratch[0] = 1;

/** Native SHA-256 for the verifier (the portable one is several times slower). */
export const nativeHash = {
  hash: sha256,
  hashHex: (data: string | Uint8Array): string => {
    if (typeof data === 'string' && oneShot) {
      return oneShot('sha256', encode(data).subarray(1, encodedLength), 'hex');
    }
    return oneShot
      ? oneShot('sha256', data)
      : crypto.createHash('sha256').update(data).digest('hex');
  },
  /** RFC 6962 leaf hash, SHA-256(0x00 ‖ UTF-8 bytes) */
  leafHashOf: (canonical: string): Uint8Array =>
    sha256(encode(canonical).subarray(0, encodedLength)),
  /** the same, as base64 */
  leafHashBase64Of: (canonical: string): string => {
    const bytes = encode(canonical).subarray(0, encodedLength);
    return oneShot
      ? oneShot('sha256', bytes, 'base64')
      : crypto.createHash('sha256').update(bytes).digest('base64');
  },
  /** RFC 6962 node hash over canonical base64 hashes */
  nodeHashBase64: (left: string, right: string): string => {
    nodeScratch.write(left, 1, 32, 'base64');
    nodeScratch.write(right, 33, 32, 'base64');
    return oneShot
      ? oneShot('sha256', nodeScratch, 'base64')
      : crypto.createHash('sha256').update(nodeScratch).digest('base64');
  },
};

const RECORDS_OPEN = '"records":[';

/**
 * The largest bundle read as one JSON document when it does not have the
 * streamed line layout (parsing it whole takes several times its size in
 * memory; beyond this a file of, e.g., only newlines would abort the process
 * out of memory instead of failing).
 */
export const WHOLE_DOCUMENT_MAX_BYTES = 256 << 20;

/** the prefix of a file searched for the header line */
const HEADER_PREFIX_BYTES = 16 << 20;

function wholeDocumentTooLarge(what: string, maxWhole: number): CliError {
  return new CliError(
    `${what} does not start with a bundle header line (the layout the backend's /bundle writes: the header, then one record per line) and is larger than ${maxWhole} bytes (${
      maxWhole / 2 ** 20
    } MiB), the most read as one JSON document; export it with the backend's /bundle`,
  );
}

/**
 * Refuses a bundle file up front that would be parsed as one JSON document
 * (no header line within its first 16 MiB) and is larger than the cap, before
 * reading it line by line (millions of short lines are slow to split).
 */
export function checkWholeDocumentFile(
  file: string,
  maxWhole: number = WHOLE_DOCUMENT_MAX_BYTES,
): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return; // reported by the reader
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size <= maxWhole) return;
    const buf = Buffer.allocUnsafe(Math.min(size, HEADER_PREFIX_BYTES));
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const nl = buf.subarray(0, n).indexOf(10);
    if (
      nl < 0 ||
      !buf.toString('utf8', 0, nl).trimEnd().endsWith(RECORDS_OPEN)
    ) {
      throw wholeDocumentTooLarge(file, maxWhole);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The lines of a byte stream, a chunk's worth at a time (one await per
 * chunk, not per line).
 */
async function* lineBatches(
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<Buffer[]> {
  let carry: Buffer | undefined;
  for await (const chunk of chunks) {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (carry) buf = Buffer.concat([carry, buf]);
    const out: Buffer[] = [];
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      out.push(buf.subarray(start, nl));
      start = nl + 1;
    }
    carry = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined;
    if (out.length) yield out;
  }
  if (carry) yield [carry];
}

/** A record line that cannot be read (`index`: its record number in the lines read, from 0). */
export class RecordLineError extends Error {
  constructor(
    readonly kind: 'json' | 'after',
    readonly index: number,
    readonly detail: string,
  ) {
    super(kind === 'json' ? `record ${index + 1}: ${detail}` : detail);
  }
}

/** The CLI's message for a RecordLineError of a range starting at record `base`. */
export function lineError(
  e: RecordLineError,
  what: string,
  base: number,
): CliError {
  return e.kind === 'json'
    ? new CliError(
        `${what} (record ${base + e.index + 1}) is not valid JSON: ${e.detail}`,
      )
    : new CliError(`${what}: unexpected content after the records`);
}

function parseLine(text: string, index: number): any {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RecordLineError('json', index, (e as Error).message);
  }
}

/**
 * The record lines after a streamed bundle's header (shared by the
 * one-thread reader and the worker threads' ranges): one record per line,
 * with a trailing comma but the last, then `]}`, then nothing but blank
 * lines. `consume` gets each record (it may throw); `count` counts the
 * records it accepted.
 */
export function createRecordLines(
  consume: (record: EvidenceBundleRecord) => void,
) {
  let count = 0;
  let closed = false;
  return {
    /** records consumed */
    get count() {
      return count;
    },
    /** whether the `]}` line was read */
    get closed() {
      return closed;
    },
    /** Reads one line (without its newline); throws a RecordLineError. */
    add(raw: Buffer) {
      // one record per line, with a trailing comma but the last: JSON.parse
      // of the line (natively faster than any reading of it in JavaScript)
      let end = raw.length;
      while (end > 0 && (raw[end - 1] === 13 || raw[end - 1] === 32)) end--;
      if (raw[end - 1] === 44 /* , */) end--;
      if (!closed && end > 0 && raw[0] === 123 /* { */) {
        consume(parseLine(raw.toString('utf8', 0, end), count));
        count += 1;
        return;
      }
      if (closed) {
        // after `]}` only blank lines; a line too long to decode is not one
        let blank = false;
        try {
          blank = raw.toString('utf8').trim() === '';
        } catch {
          blank = false;
        }
        if (blank) return;
        throw new RecordLineError('after', count, 'after');
      }
      const line = raw.toString('utf8').trim();
      if (line === ']}') {
        closed = true;
        return;
      }
      // anything else: as JSON.parse reads it (and names what is wrong)
      consume(parseLine(line.endsWith(',') ? line.slice(0, -1) : line, count));
      count += 1;
    },
  };
}

/** What a streamed verification saw. */
export interface StreamedBundle {
  header: EvidenceBundleHeader;
  recordCount: number;
  result: BundleVerification;
}

function parseJson(text: string, what: string): any {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Verifies a bundle from a byte stream without holding it in memory when it
 * has the line layout the backend's `/bundle` streams (the header, then one
 * record per line, then `]}`), so a bundle of any size verifies in bounded
 * memory. Any other JSON layout (e.g. pretty-printed) is parsed whole.
 * `check` runs on the header before the records (entity, pinned key).
 */
export async function verifyBundleStream(
  chunks: AsyncIterable<Uint8Array>,
  what: string,
  check: (header: EvidenceBundleHeader) => void = () => {},
  onRecord?: (record: EvidenceBundleRecord, index: number) => void,
  options: { wholeDocumentMaxBytes?: number } = {},
): Promise<StreamedBundle> {
  const maxWhole = options.wholeDocumentMaxBytes ?? WHOLE_DOCUMENT_MAX_BYTES;
  const batches = lineBatches(chunks)[Symbol.asyncIterator]();
  let batch: Buffer[] = [];
  let inBatch = 0;
  const nextLine = async (): Promise<Buffer | undefined> => {
    while (inBatch >= batch.length) {
      const n = await batches.next();
      if (n.done) return undefined;
      batch = n.value;
      inBatch = 0;
    }
    return batch[inBatch++];
  };
  const first = await nextLine();
  const firstLine = first ? first.toString('utf8').trimEnd() : '';
  if (!firstLine.endsWith(RECORDS_OPEN)) {
    // not the streaming layout: read the rest and parse the whole document
    const parts: Buffer[] = first ? [first] : [];
    let bytes = first ? first.length : 0;
    const tooLarge = () => wholeDocumentTooLarge(what, maxWhole);
    if (bytes > maxWhole) throw tooLarge();
    // joined a few thousand lines at a time (a file of millions of short
    // lines would otherwise hold millions of buffers)
    const newline = Buffer.from('\n');
    let pending: Buffer[] = [];
    for (let n = await nextLine(); n; n = await nextLine()) {
      bytes += 1 + n.length;
      if (bytes > maxWhole) throw tooLarge();
      pending.push(newline, n);
      if (pending.length >= 8192) {
        parts.push(Buffer.concat(pending));
        pending = [];
      }
    }
    parts.push(...pending);
    let text: string;
    try {
      text = Buffer.concat(parts).toString('utf8');
    } catch (e) {
      throw new CliError(
        `${what} is too large to parse as one JSON document (${
          (e as Error).message
        }); export it with the backend's /bundle, which writes one record per line`,
      );
    }
    const bundle = parseJson(text, what);
    const { records, ...header } = bundle ?? {};
    check(header);
    const result = guard(() =>
      verifyBundle(bundle, nativeHash.hash, nativeHash.hashHex),
    );
    if (Array.isArray(records)) records.forEach((r, i) => onRecord?.(r, i));
    return {
      header,
      recordCount: Array.isArray(records) ? records.length : 0,
      result,
    };
  }
  const header = parseJson(`${firstLine}]}`, `${what} (header)`);
  delete header.records;
  check(header);
  const verifier = guard(() => createBundleVerifier(header, nativeHash));
  const lines = createRecordLines(record => {
    guard(() => verifier.add(record));
    onRecord?.(record, lines.count);
  });
  const add = (raw: Buffer) => {
    try {
      lines.add(raw);
    } catch (e) {
      if (e instanceof RecordLineError) throw lineError(e, what, 0);
      throw e;
    }
  };
  // the rest of the first chunk's lines, then a chunk at a time
  for (; inBatch < batch.length; inBatch++) add(batch[inBatch]);
  for (let n = await batches.next(); !n.done; n = await batches.next()) {
    for (const raw of n.value) add(raw);
  }
  if (!lines.closed) throw new CliError(`${what} ends before the records do`);
  return { header, recordCount: lines.count, result: verifier.finish() };
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError((e as Error).message);
  }
}
