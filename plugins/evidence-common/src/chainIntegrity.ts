import { toHex } from './bytes';
import {
  ChainRecord,
  ChainVerification,
  VerifyChainOptions,
  verifyChain,
} from './chain';
import { sha256 } from './hash';

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Start of the value of the first `key` at or after `from`, else -1.
 *
 * Why the first occurrence is the envelope's own key: a JSON string cannot
 * contain an unescaped `"key":`, so every match is a real object key; in
 * RFC 8785 form top-level keys are sorted (artifacts, category, entityRef,
 * payloadDigest, previousHash, producedAt, producer, recordedAt, seq,
 * subject, summary, v), and the only objects before `seq` are artifacts with
 * the fixed keys digest, mediaType, name, size. Free-form keys (summary) come
 * after all three keys read here. Anything unexpected falls back to the full
 * check, and a forged record cannot gain anything from a decoy key: its own
 * hash still has to match the next record's link and its Merkle leaf.
 */
function keyAt(text: string, key: string, from = 0): number {
  const at = text.indexOf(key, from);
  return at >= 0 ? at + key.length : -1;
}

/** A quoted value without escapes starting at `at`, or undefined. */
function quoted(text: string, at: number): string | undefined {
  if (text.charCodeAt(at) !== 34) return undefined;
  const end = text.indexOf('"', at + 1);
  if (end < 0) return undefined;
  const value = text.slice(at + 1, end);
  return value.includes('\\') ? undefined : value;
}

function digits(text: string, at: number): number {
  let n = 0;
  let i = at;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return i === at ? -1 : n;
}

/** Whether the value at `at` is exactly `expected` (null or a hex string). */
function valueIs(text: string, at: number, expected: string | null): boolean {
  if (expected === null) return text.startsWith('null', at);
  return (
    text.charCodeAt(at) === 34 &&
    text.startsWith(expected, at + 1) &&
    text.charCodeAt(at + 1 + expected.length) === 34
  );
}

/**
 * Fast integrity check for very long chains (the backend's and CLI's bulk
 * path): hashes each record's stored bytes and follows seq, entityRef and
 * previousHash read from the canonical bytes with a string scan instead of a
 * JSON parse. Whenever a record does not match on that fast path, it goes
 * through the full {@link verifyChain} check, which decides and explains.
 * It proves the bytes are exactly those that were chained; use
 * {@link verifyChain} to also validate canonical form and the envelope schema.
 *
 * @public
 */
export function verifyChainIntegrity(
  records: ChainRecord[],
  options: VerifyChainOptions & {
    /**
     * Hex SHA-256 of a string (as UTF-8) or bytes in one call — lets Node
     * pass `data => crypto.hash('sha256', data)` and skip conversions.
     */
    hashHex?: (data: string | Uint8Array) => string;
  } = {},
): ChainVerification {
  const hash = options.hash ?? sha256;
  let expectedSeq = options.expectedFirstSeq ?? 1;
  let previous: string | null | undefined =
    options.previousHash !== undefined
      ? options.previousHash
      : expectedSeq === 1
      ? null
      : undefined;
  let entityRef = options.entityRef;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const bytes = typeof r.canonical === 'string' ? undefined : r.canonical;
    const text = bytes ? decoder.decode(bytes) : (r.canonical as string);
    const refAt = keyAt(text, '"entityRef":');
    const prevAt = keyAt(text, '"previousHash":', refAt);
    const seqAt = keyAt(text, '"seq":', prevAt);
    const recomputed = options.hashHex
      ? options.hashHex(r.canonical)
      : toHex(hash(bytes ?? new TextEncoder().encode(text)));
    const ref =
      refAt >= 0 && entityRef === undefined ? quoted(text, refAt) : entityRef;
    const fast =
      seqAt >= 0 &&
      prevAt >= 0 &&
      refAt >= 0 &&
      ref !== undefined &&
      recomputed === r.hash &&
      digits(text, seqAt) === expectedSeq &&
      valueIs(text, refAt, ref) &&
      (previous === undefined || valueIs(text, prevAt, previous));
    if (!fast) {
      // let the full checker explain (or accept) this record in context
      const { hashHex: _unused, ...rest } = options;
      const one = verifyChain([r], {
        ...rest,
        expectedFirstSeq: expectedSeq,
        previousHash: previous,
        entityRef,
        onProgress: undefined,
      });
      if (!one.ok) return { ok: false, checked: i, firstBad: one.firstBad };
    }
    entityRef ??= ref ?? (JSON.parse(text).entityRef as string);
    previous = r.hash;
    expectedSeq += 1;
    if ((i + 1) % 100_000 === 0) options.onProgress?.(i + 1, records.length);
  }
  options.onProgress?.(records.length, records.length);
  return {
    ok: true,
    checked: records.length,
    headHash: records.length
      ? records[records.length - 1].hash
      : options.previousHash ?? null,
  };
}
