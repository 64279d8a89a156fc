import crypto from 'node:crypto';
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

const sha256 = (data: Uint8Array): Uint8Array =>
  oneShot
    ? oneShot('sha256', data, 'buffer')
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
};

const RECORDS_OPEN = '"records":[';

/** Splits a byte stream into lines (without the newline). */
async function* lines(
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<Buffer> {
  let carry: Buffer | undefined;
  for await (const chunk of chunks) {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (carry) buf = Buffer.concat([carry, buf]);
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      yield buf.subarray(start, nl);
      start = nl + 1;
    }
    carry = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined;
  }
  if (carry) yield carry;
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
): Promise<StreamedBundle> {
  const it = lines(chunks)[Symbol.asyncIterator]();
  const first = await it.next();
  const firstLine = first.done ? '' : first.value.toString('utf8').trimEnd();
  if (!firstLine.endsWith(RECORDS_OPEN)) {
    // not the streaming layout: read the rest and parse the whole document
    const parts: Buffer[] = first.done ? [] : [first.value];
    for (let n = await it.next(); !n.done; n = await it.next()) {
      parts.push(Buffer.from('\n'), n.value);
    }
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
  let recordCount = 0;
  let closed = false;
  for (let n = await it.next(); !n.done; n = await it.next()) {
    let line = n.value.toString('utf8').trimEnd();
    if (closed) {
      if (line.trim() === '') continue;
      throw new CliError(`${what}: unexpected content after the records`);
    }
    if (line === ']}') {
      closed = true;
      continue;
    }
    if (line.endsWith(',')) line = line.slice(0, -1);
    const record: EvidenceBundleRecord = parseJson(
      line,
      `${what} (record ${recordCount + 1})`,
    );
    guard(() => verifier.add(record));
    onRecord?.(record, recordCount);
    recordCount += 1;
  }
  if (!closed) throw new CliError(`${what} ends before the records do`);
  return { header, recordCount, result: verifier.finish() };
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError((e as Error).message);
  }
}
