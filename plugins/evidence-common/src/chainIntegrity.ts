import { toHex } from './bytes';
import {
  ChainRecord,
  ChainVerification,
  VerifyChainOptions,
  verifyChain,
} from './chain';
import { sha256 } from './hash';

const decoder = new TextDecoder('utf-8', { fatal: false });

const REF_KEY = '"entityRef":"';
const PREV_KEY = '"previousHash":';
const SEQ_KEY = '"seq":';

/** Start of the value after the first `key` at or after `from`, else -1. */
function keyAt(text: string, key: string, from: number): number {
  const at = from < 0 ? -1 : text.indexOf(key, from);
  return at < 0 ? -1 : at + key.length;
}

function digitsAt(text: string, at: number): number {
  let n = 0;
  let i = at;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return i === at ? -1 : n;
}

/** Options of {@link verifyChainIntegrity}. @public */
export type VerifyChainIntegrityOptions = VerifyChainOptions & {
  /**
   * Hex SHA-256 of a string (as UTF-8) or bytes in one call — lets Node pass
   * `data => crypto.hash('sha256', data)` and skip conversions.
   */
  hashHex?: (data: string | Uint8Array) => string;
};

/**
 * Integrity-only check for very long chains (bulk verification of stored
 * bytes, at close to hashing speed): for each record it recomputes the hash of
 * the stored canonical bytes and follows entityRef, previousHash and seq, read
 * at their first occurrence — where RFC 8785 key order puts the envelope's own
 * keys — without parsing the JSON, the way `sha256sum -c` checks bytes without
 * interpreting them. A record that does not link up this way gets the full
 * {@link verifyChain} check, which decides and explains.
 *
 * What it proves: every record's bytes are exactly the ones that were hashed
 * into the chain, and the chain is unbroken. A record altered after it was
 * chained changes its hash and breaks the next record's link, however its
 * keys are arranged — which is why reading a decoy key in a crafted record
 * cannot hide tampering (a rewritten *head* is caught by the signed
 * checkpoint, for this check and the full one alike). What it leaves to
 * {@link verifyChain}: that each record is a well-formed, canonical envelope.
 * The viewer, `/verify`, the CLI and the audit pack use {@link verifyChain}.
 *
 * @public
 */
export function verifyChainIntegrity(
  records: ChainRecord[],
  options: VerifyChainIntegrityOptions = {},
): ChainVerification {
  const { hashHex, ...chainOptions } = options;
  const hash = options.hash ?? sha256;
  let expectedSeq = options.expectedFirstSeq ?? 1;
  let previous: string | null | undefined = options.previousHash;
  if (previous === undefined && expectedSeq === 1) previous = null;
  let entityRef = options.entityRef;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const bytes = typeof r.canonical === 'string' ? undefined : r.canonical;
    const text = bytes ? decoder.decode(bytes) : (r.canonical as string);
    const recomputed = hashHex
      ? hashHex(r.canonical)
      : toHex(hash(bytes ?? new TextEncoder().encode(text)));
    let fast = recomputed === r.hash;
    if (fast) {
      const refAt = keyAt(text, REF_KEY, 0);
      const prevAt = keyAt(text, PREV_KEY, refAt);
      const seqAt = keyAt(text, SEQ_KEY, prevAt);
      if (refAt < 0 || prevAt < 0 || seqAt < 0) {
        fast = false;
      } else {
        entityRef ??= text.slice(refAt, text.indexOf('"', refAt));
        fast =
          text.startsWith(entityRef, refAt) &&
          text.charCodeAt(refAt + entityRef.length) === 34 &&
          digitsAt(text, seqAt) === expectedSeq &&
          (previous === undefined ||
            (previous === null
              ? text.startsWith('null', prevAt)
              : text.charCodeAt(prevAt) === 34 &&
                text.startsWith(previous, prevAt + 1)));
      }
    }
    if (!fast) {
      const one = verifyChain([r], {
        ...chainOptions,
        expectedFirstSeq: expectedSeq,
        previousHash: previous,
        entityRef,
        onProgress: undefined,
      });
      if (!one.ok) return { ok: false, checked: i, firstBad: one.firstBad };
    }
    entityRef ??= (JSON.parse(text) as { entityRef: string }).entityRef;
    previous = r.hash;
    expectedSeq += 1;
    if ((i + 1) % 100_000 === 0) options.onProgress?.(i + 1, records.length);
  }
  options.onProgress?.(records.length, records.length);
  const head = records.length ? records[records.length - 1].hash : null;
  return {
    ok: true,
    checked: records.length,
    headHash: head ?? options.previousHash ?? null,
  };
}
