import { toHex } from './bytes';
import {
  ChainRecord,
  ChainVerification,
  VerifyChainOptions,
  verifyChain,
} from './chain';
import { sha256 } from './hash';

const decoder = new TextDecoder('utf-8', { fatal: false });

// A JSON string body without control characters (escapes allowed).
const CH = '[^"\\\\\\u0000-\\u001f]';
const STR = `${CH}*(?:\\\\.${CH}*)*`;
const HEX64 = '[0-9a-f]{64}';
const ARTIFACT = `\\{"digest":"sha256:${HEX64}","mediaType":"${STR}","name":"${STR}","size":(?:0|[1-9][0-9]*)\\}`;

const SUBJECT_KEY = '"(?:commit|environment|featureSha|runId|version)"';
const SCALAR = `(?:"${STR}"|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:e[+-]?[0-9]+)?|true|false|null)`;
const FACT = `"${STR}":${SCALAR}`;

/**
 * The whole envelope in its RFC 8785 layout, anchored at both ends: every
 * top-level key in its sorted place, the artifacts in their exact shape, a
 * flat subject and summary of scalars, and `"v":1}` at the very end — so no
 * decoy or repeated key can stand in for the envelope's own.
 */
const ENVELOPE_LAYOUT = new RegExp(
  `^\\{"artifacts":\\[(?:${ARTIFACT}(?:,${ARTIFACT})*)?\\],` +
    `"category":"[a-z0-9]+(?:-[a-z0-9]+)*",` +
    `"entityRef":"[^"\\\\\\u0000-\\u001f]+",` +
    `"payloadDigest":(?:null|"sha256:${HEX64}"),` +
    `"previousHash":(?:null|"${HEX64}"),` +
    `"producedAt":"${STR}","producer":"${STR}","recordedAt":"${STR}",` +
    `"seq":[1-9][0-9]{0,14},` +
    `(?:"subject":\\{${SUBJECT_KEY}:"${STR}"(?:,${SUBJECT_KEY}:"${STR}")*\\},)?` +
    `"summary":\\{(?:${FACT}(?:,${FACT})*)?\\},"v":1\\}$`,
);

const REF_KEY = '"entityRef":"';
const PREV_KEY = '"previousHash":';
const SEQ_KEY = '"seq":';

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
 * Fast integrity check for very long chains (bulk verification in the
 * backend and CLI). For each record it recomputes the hash of the stored
 * bytes and follows entityRef, seq and previousHash, read with one pattern
 * anchored at both ends that matches the envelope's canonical layout (so decoy
 * or repeated keys cannot be mistaken for the envelope's own). Any record that
 * does not match goes through the full {@link verifyChain} check, which
 * decides and explains. Not checked on the fast path: that number and string
 * escapes inside `subject`/`summary` are in their canonical spelling and that
 * their keys are sorted and unique — they never influence the links; the
 * viewer, `/verify`, the CLI and the audit pack use {@link verifyChain}.
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
    // (RegExp#test allocates nothing.) Once the layout matched, the first
    // occurrence of each key is the envelope's own (see ENVELOPE_LAYOUT).
    const layout = ENVELOPE_LAYOUT.test(text);
    const recomputed = hashHex
      ? hashHex(r.canonical)
      : toHex(hash(bytes ?? new TextEncoder().encode(text)));
    let fast = layout && recomputed === r.hash;
    if (fast) {
      const refAt = text.indexOf(REF_KEY) + REF_KEY.length;
      entityRef ??= text.slice(refAt, text.indexOf('"', refAt));
      const prevAt = text.indexOf(PREV_KEY, refAt) + PREV_KEY.length;
      const seqAt = text.indexOf(SEQ_KEY, prevAt) + SEQ_KEY.length;
      fast =
        text.startsWith(entityRef, refAt) &&
        text.charCodeAt(refAt + entityRef.length) === 34 &&
        digitsAt(text, seqAt) === expectedSeq &&
        (previous === undefined ||
          (previous === null
            ? text.startsWith('null', prevAt)
            : text.charCodeAt(prevAt) === 34 && text.startsWith(previous, prevAt + 1)));
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
