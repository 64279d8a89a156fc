import { datetimeRegex } from 'zod';
import { isValidCategoryName } from './categories';
import { normalizeEntityRef } from './entityRef';

/**
 * A strict, hand-written recognizer of the one canonical (RFC 8785) layout of
 * a version-1 evidence envelope. It is the fast path of `verifyChain`: it
 * answers "this text is exactly canonicalJson(env) of an envelope that passes
 * evidenceEnvelopeSchema" without JSON.parse, re-serialization or zod.
 *
 * It only ever *accepts* text that the full check accepts: anything it does
 * not recognize (a string with an escape, a `__proto__` key, any deviation
 * from the layout) returns undefined and the caller runs the full check,
 * which decides and explains. The differential tests in
 * fastEnvelope.test.ts generate envelopes and mutations and assert both
 * paths agree. KEEP IN SYNC with evidenceEnvelopeSchema (envelope.ts): a rule
 * added there must be added here, or the field must make this return
 * undefined.
 *
 * Layout (keys in UTF-16 order, no whitespace):
 * `{"artifacts":[{"digest":…,"mediaType":…,"name":…,"size":…},…],
 * "category":…,"entityRef":…,"payloadDigest":…,"previousHash":…,
 * "producedAt":…,"producer":…,"recordedAt":…,"seq":…,["subject":{…},]
 * "summary":{…},"v":1}`
 */

/** The chain-relevant fields of a recognized envelope. */
export type FastEnvelopeFields = {
  seq: number;
  entityRef: string;
  previousHash: string | null;
};

// zod's own datetime regex with the options evidenceEnvelopeSchema uses
// (`z.string().datetime({ offset: true })`), so both paths agree exactly.
const ISO_TIME = datetimeRegex({ precision: null, offset: true, local: false });
const UINT = /(?:0|[1-9][0-9]{0,15})/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const SUBJECT_KEYS = new Set([
  'commit',
  'environment',
  'featureSha',
  'runId',
  'version',
]);

/** Whether text[a, b) is a digit run (charCode 48–57). */
function digits(t: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Two digits at i as a number. */
const two = (t: string, i: number) =>
  (t.charCodeAt(i) - 48) * 10 + t.charCodeAt(i + 1) - 48;

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction]Z` with a day of month ≤ 28 (valid in every
 * month): a strict subset of what ISO_TIME accepts, checked without the
 * regex. Anything else is left to ISO_TIME.
 */
function quickIsoTime(t: string, a: number, b: number): boolean {
  if (b - a < 20 || t.charCodeAt(b - 1) !== 90 /* Z */) return false;
  if (
    !digits(t, a, a + 4) ||
    t.charCodeAt(a + 4) !== 45 ||
    !digits(t, a + 5, a + 7) ||
    t.charCodeAt(a + 7) !== 45 ||
    !digits(t, a + 8, a + 10) ||
    t.charCodeAt(a + 10) !== 84 /* T */ ||
    !digits(t, a + 11, a + 13) ||
    t.charCodeAt(a + 13) !== 58 ||
    !digits(t, a + 14, a + 16) ||
    t.charCodeAt(a + 16) !== 58 ||
    !digits(t, a + 17, a + 19)
  ) {
    return false;
  }
  const month = two(t, a + 5);
  const day = two(t, a + 8);
  if (month < 1 || month > 12 || day < 1 || day > 28) return false;
  if (two(t, a + 11) > 23 || two(t, a + 14) > 59 || two(t, a + 17) > 59) {
    return false;
  }
  if (b - a === 20) return true; // ...SSZ
  // .fraction: at least one digit
  return t.charCodeAt(a + 19) === 46 && b - a > 21 && digits(t, a + 20, b - 1);
}

/** A backslash or a control character anywhere: left to the full check. */
// eslint-disable-next-line no-control-regex
const NEEDS_FULL_CHECK = /[\\\u0000-\u001f]/;

class NotRecognized {}
const NOT_RECOGNIZED = new NotRecognized();

const validCategories = new Set<string>();
const validRefs = new Set<string>();

function isNormalizedRef(ref: string): boolean {
  try {
    return normalizeEntityRef(ref) === ref;
  } catch {
    return false;
  }
}

/** Remembers up to 1,000 validated values (categories and refs repeat). */
function cachedCheck(
  cache: Set<string>,
  value: string,
  check: (v: string) => boolean,
): boolean {
  if (cache.has(value)) return true;
  if (!check(value)) return false;
  if (cache.size >= 1000) cache.clear();
  cache.add(value);
  return true;
}

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  fail(): never {
    throw NOT_RECOGNIZED;
  }

  lit(s: string): void {
    if (!this.text.startsWith(s, this.pos)) this.fail();
    this.pos += s.length;
  }

  /**
   * A JSON string needing no escapes; returns its [start, end) range. The
   * caller checked the whole text has no backslash and no control
   * character, so the string ends at the next quote.
   */
  plainString(): [number, number] {
    if (this.text.charCodeAt(this.pos) !== 34) this.fail();
    const end = this.text.indexOf('"', this.pos + 1);
    if (end < 0) this.fail();
    const range: [number, number] = [this.pos + 1, end];
    this.pos = end + 1;
    return range;
  }

  stringValue(): string {
    const [a, b] = this.plainString();
    return this.text.slice(a, b);
  }

  nonEmptyString(): void {
    const [a, b] = this.plainString();
    if (b === a) this.fail();
  }

  /** `"<64 lowercase hex>"` after the opening quote was consumed. */
  hex64(): string {
    const t = this.text;
    const start = this.pos;
    if (t.charCodeAt(start + 64) !== 34) this.fail();
    for (let i = start; i < start + 64; i++) {
      const c = t.charCodeAt(i);
      // 0-9 or a-f
      if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) this.fail();
    }
    this.pos += 65;
    return t.slice(start, start + 64);
  }

  /** A non-negative safe integer in canonical form, at least `min`. */
  uint(min: number): number {
    UINT.lastIndex = this.pos;
    if (!UINT.test(this.text)) this.fail();
    const n = Number(this.text.slice(this.pos, UINT.lastIndex));
    if (!Number.isSafeInteger(n) || n < min) this.fail();
    this.pos = UINT.lastIndex;
    return n;
  }

  /** A finite number exactly as ECMAScript (and so RFC 8785) prints it. */
  number(): void {
    NUMBER.lastIndex = this.pos;
    if (!NUMBER.test(this.text)) this.fail();
    const token = this.text.slice(this.pos, NUMBER.lastIndex);
    const n = Number(token);
    if (!Number.isFinite(n) || String(n) !== token) this.fail();
    this.pos = NUMBER.lastIndex;
  }

  isoTime(): void {
    const [a, b] = this.plainString();
    if (!quickIsoTime(this.text, a, b) && !ISO_TIME.test(this.text.slice(a, b)))
      this.fail();
  }

  peek(): number {
    return this.text.charCodeAt(this.pos);
  }
}

function artifacts(c: Cursor) {
  c.lit('{"artifacts":[');
  if (c.peek() === 93 /* ] */) {
    c.pos += 1;
    return;
  }
  for (;;) {
    c.lit('{"digest":"sha256:');
    c.hex64();
    c.lit(',"mediaType":');
    c.nonEmptyString();
    c.lit(',"name":');
    c.nonEmptyString();
    c.lit(',"size":');
    c.uint(0);
    c.lit('}');
    if (c.peek() === 44 /* , */) {
      c.pos += 1;
      continue;
    }
    c.lit(']');
    return;
  }
}

/** An object's keys in strictly increasing UTF-16 order, values via `value`. */
function sortedObject(
  c: Cursor,
  key: (k: string) => boolean,
  value: () => void,
) {
  c.lit('{');
  if (c.peek() === 125 /* } */) {
    c.pos += 1;
    return;
  }
  let previous: string | undefined;
  for (;;) {
    const k = c.stringValue();
    // `__proto__` is left to the full check (JSON.parse and object spreads
    // treat it specially)
    if (k === '__proto__' || !key(k)) c.fail();
    if (previous !== undefined && !(previous < k)) c.fail();
    previous = k;
    c.lit(':');
    value();
    if (c.peek() === 44) {
      c.pos += 1;
      continue;
    }
    c.lit('}');
    return;
  }
}

function summaryValue(c: Cursor) {
  switch (c.peek()) {
    case 34: // "
      c.plainString();
      return;
    case 116: // t
      c.lit('true');
      return;
    case 102: // f
      c.lit('false');
      return;
    case 110: // n
      c.lit('null');
      return;
    default:
      c.number();
  }
}

/**
 * Recognizes a canonical, schema-valid envelope; undefined when the text is
 * anything else (or merely something this fast path does not handle). A
 * string `text` must be well-formed UTF-16 (the caller checks).
 */
export function recognizeCanonicalEnvelope(
  text: string,
): FastEnvelopeFields | undefined {
  if (NEEDS_FULL_CHECK.test(text)) return undefined;
  const c = new Cursor(text);
  try {
    artifacts(c);
    c.lit(',"category":');
    const category = c.stringValue();
    if (!cachedCheck(validCategories, category, isValidCategoryName)) c.fail();
    c.lit(',"entityRef":');
    const entityRef = c.stringValue();
    if (!cachedCheck(validRefs, entityRef, isNormalizedRef)) c.fail();
    c.lit(',"payloadDigest":');
    if (c.peek() === 110) c.lit('null');
    else {
      c.lit('"sha256:');
      c.hex64();
    }
    c.lit(',"previousHash":');
    let previousHash: string | null = null;
    if (c.peek() === 110) c.lit('null');
    else {
      c.lit('"');
      previousHash = c.hex64();
    }
    c.lit(',"producedAt":');
    c.isoTime();
    c.lit(',"producer":');
    c.nonEmptyString();
    c.lit(',"recordedAt":');
    c.isoTime();
    c.lit(',"seq":');
    const seq = c.uint(1);
    c.lit(',"s');
    if (text.startsWith('ubject":', c.pos)) {
      c.pos += 8;
      sortedObject(
        c,
        k => SUBJECT_KEYS.has(k),
        () => c.plainString(),
      );
      c.lit(',"s');
    }
    c.lit('ummary":');
    sortedObject(
      c,
      () => true,
      () => summaryValue(c),
    );
    c.lit(',"v":1}');
    if (c.pos !== text.length) c.fail();
    if ((seq === 1) !== (previousHash === null)) c.fail();
    return { seq, entityRef, previousHash };
  } catch (e) {
    if (e === NOT_RECOGNIZED) return undefined;
    throw e;
  }
}

/**
 * True only when `text` is exactly the canonical JSON of an envelope that
 * passes `evidenceEnvelopeSchema` (the strict recognizer above; differential
 * tests in fastEnvelope.test.ts). False means "not decided here": run the
 * full check, which decides and names the field. Lets a writer that has just
 * canonicalized an envelope skip the zod parse of the same object.
 *
 * @public
 */
export function isRecognizedCanonicalEnvelope(text: string): boolean {
  const wellFormed = (text as { isWellFormed?: () => boolean }).isWellFormed;
  // a lone surrogate (no UTF-8 form) or an old runtime: the full check decides
  if (!wellFormed || !wellFormed.call(text)) return false;
  return recognizeCanonicalEnvelope(text) !== undefined;
}
