import { z } from 'zod';
import type { AppendRequestBody } from './prepare';

/*
 * A hand-written check of `appendRequestSchema` for the bodies producers
 * actually send: zod spends ~50 µs a record on it (the summary union and the
 * datetime regular expression, which zod compiles anew on every parse), a
 * quarter of a second of the main thread for a 5,000-record refresh. It only
 * ever says yes when zod would, with the value zod would produce (fresh
 * objects, keys in schema order, payload by reference); anything it is not
 * sure of is left to zod, which also writes the error naming the field.
 * fastAppendRequest.test.ts checks both against zod.
 */

type Obj = Record<string, unknown>;

/**
 * The regular expression zod's `z.string().datetime({ offset: true })` tests
 * (zod's own builder with the options that check has), compiled once.
 */
const DATETIME = z.datetimeRegex({
  precision: null,
  offset: true,
  local: false,
});

const TOP_KEYS: ReadonlySet<string> = new Set([
  'entityRef',
  'category',
  'subject',
  'summary',
  'payload',
  'producedAt',
  'artifacts',
]);
const SUBJECT_KEYS = [
  'commit',
  'version',
  'featureSha',
  'runId',
  'environment',
] as const;
const SUBJECT_KEY_SET: ReadonlySet<string> = new Set(SUBJECT_KEYS);
const ARTIFACT_KEYS: ReadonlySet<string> = new Set([
  'name',
  'mediaType',
  'format',
  'contentBase64',
]);

/** A JSON-like object: no class instance, Map, Date, array or promise. */
function isPlain(v: unknown): v is Obj {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * `.strict()`: every key zod looks at is known — zod walks `for…in`, so
 * inherited enumerable keys count too (none in JSON bodies; an in-process
 * caller with a polluted Object.prototype gets zod's refusal, not ours).
 */
function onlyKeys(o: Obj, keys: ReadonlySet<string>): boolean {
  // eslint-disable-next-line guard-for-in
  for (const k in o) if (!keys.has(k)) return false;
  return true;
}

/** `z.string().min(1).max(max)`; zod counts UTF-16 code units too. */
const str = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length >= 1 && v.length <= max;

/**
 * Sets the optional key `k` of `to` to `parse(from[k])`, zod's output for it;
 * false when zod might disagree (`parse` returns undefined). zod reads
 * `from[k]` and keeps a key that is present with the value undefined (never
 * so in JSON): such bodies are left to zod.
 */
function optional(
  from: Obj,
  to: Obj,
  k: string,
  parse: (v: unknown) => unknown,
): boolean {
  const v = from[k];
  if (v === undefined) return !(k in from);
  const parsed = parse(v);
  if (parsed === undefined) return false;
  to[k] = parsed;
  return true;
}

/** zod's output for `str(max)`: the string itself */
const string = (max: number) => (v: unknown) => str(v, max) ? v : undefined;
const string256 = string(256);
const string255 = string(255);
const string32 = string(32);

function subject(v: unknown): Obj | undefined {
  if (!isPlain(v) || !onlyKeys(v, SUBJECT_KEY_SET)) return undefined;
  const out: Obj = {};
  for (const k of SUBJECT_KEYS) {
    if (!optional(v, out, k, string256)) return undefined;
  }
  return out;
}

/** `fact`: a string of ≤ 1024 code units, a finite number, boolean or null */
function isFact(f: unknown): boolean {
  if (typeof f === 'string') return f.length <= 1024;
  if (typeof f === 'number') return Number.isFinite(f); // NaN neither
  return typeof f === 'boolean' || f === null;
}

/**
 * `z.record(fact)`: zod walks the keys with for…in (inherited ones too) and
 * drops a `__proto__` key; both are left to zod.
 */
function summary(v: unknown): Obj | undefined {
  if (!isPlain(v)) return undefined;
  const out: Obj = {};
  for (const k in v) {
    if (k !== '__proto__' && Object.prototype.hasOwnProperty.call(v, k)) {
      const f = v[k];
      if (!isFact(f)) return undefined;
      out[k] = f;
    } else return undefined;
  }
  return out;
}

function artifacts(v: unknown): Obj[] | undefined {
  if (!Array.isArray(v) || v.length > 32) return undefined;
  const out: Obj[] = [];
  for (let i = 0; i < v.length; i++) {
    const a: unknown = v[i];
    if (!isPlain(a) || !onlyKeys(a, ARTIFACT_KEYS) || !str(a.name, 255)) {
      return undefined;
    }
    const o: Obj = { name: a.name };
    if (
      !optional(a, o, 'mediaType', string255) ||
      !optional(a, o, 'format', string32) ||
      typeof a.contentBase64 !== 'string'
    ) {
      return undefined;
    }
    o.contentBase64 = a.contentBase64;
    out.push(o);
  }
  return out;
}

const datetime = (v: unknown) =>
  typeof v === 'string' && DATETIME.test(v) ? v : undefined;
/** z.unknown(): the value itself (never undefined here) */
const asIs = (v: unknown) => v;

/**
 * What `appendRequestSchema.parse(body)` returns, when certain zod accepts
 * `body`; otherwise undefined (run zod for the verdict and the message).
 */
export function fastAppendRequest(
  body: unknown,
): AppendRequestBody | undefined {
  if (!isPlain(body) || !onlyKeys(body, TOP_KEYS)) return undefined;
  const { entityRef, category } = body;
  if (!str(entityRef, 255) || !str(category, 64)) return undefined;
  // keys in the schema's order, as zod builds its output
  const out: Obj = { entityRef, category };
  if (
    !optional(body, out, 'subject', subject) ||
    !optional(body, out, 'summary', summary) ||
    !optional(body, out, 'payload', asIs) ||
    !optional(body, out, 'producedAt', datetime) ||
    !optional(body, out, 'artifacts', artifacts)
  ) {
    return undefined;
  }
  return out as AppendRequestBody;
}
