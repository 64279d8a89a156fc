import { InputError } from '@backstage/errors';
import { Config } from '@backstage/config';

/** Caps on what one append may carry (`evidence.limits`). */
export interface InputLimits {
  /** canonical envelope bytes (summary, subject, artifact list, ...) */
  maxEnvelopeBytes: number;
  /** keys in `summary` (hand-written and parsed facts together) */
  maxSummaryKeys: number;
  /** artifacts attached to one record */
  maxArtifacts: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = {
  maxEnvelopeBytes: 64 * 1024,
  maxSummaryKeys: 64,
  maxArtifacts: 32,
};

export function readInputLimits(config: Config): InputLimits {
  const c = config.getOptionalConfig('evidence.limits');
  const read = (key: keyof InputLimits) => {
    const v = c?.getOptionalNumber(key) ?? DEFAULT_INPUT_LIMITS[key];
    if (!Number.isSafeInteger(v) || v < 1) {
      throw new Error(`evidence.limits.${key} must be a positive integer`);
    }
    return v;
  };
  return {
    maxEnvelopeBytes: read('maxEnvelopeBytes'),
    maxSummaryKeys: read('maxSummaryKeys'),
    maxArtifacts: read('maxArtifacts'),
  };
}

/**
 * RFC 6838 `type/subtype` (restricted-name characters), optionally with
 * `; name=value` parameters; never CR, LF or other control characters.
 */
const RESTRICTED_NAME = '[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}';
const MEDIA_TYPE = new RegExp(
  `^${RESTRICTED_NAME}/${RESTRICTED_NAME}(?:[ \\t]*;[ \\t]*[A-Za-z0-9!#$&^_.+-]{1,127}=(?:[A-Za-z0-9!#$&^_.+-]{1,127}|"[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]{0,127}"))*$`,
);

export function isMediaType(s: string): boolean {
  return s.length <= 255 && MEDIA_TYPE.test(s);
}

const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Deepest nesting accepted in a request body (payloads included). */
export const MAX_JSON_DEPTH = 64;

const describe = (path: ReadonlyArray<string | number>) =>
  path.length ? path.join('.') : 'body';

/**
 * Whether `s` has no lone surrogate: the engine's `isWellFormed` (native,
 * Node 20+) when there is one, else the regular expression.
 */
export const wellFormed: (s: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed ===
  'function'
    ? s => (s as unknown as { isWellFormed(): boolean }).isWellFormed()
    : s => !LONE_SURROGATE.test(s);

/**
 * I-JSON (RFC 7493) for request bodies: no lone surrogates in strings or
 * keys, no `__proto__` keys (JavaScript objects would drop them silently),
 * and bounded nesting. Throws an InputError naming the field.
 */
export function assertIJson(value: unknown, path: string[] = []): void {
  // one path stack for the whole walk (pushed and popped), joined into a
  // field name only for an error
  walkIJson(value, [...path]);
}

function walkIJson(value: unknown, path: Array<string | number>): void {
  if (path.length > MAX_JSON_DEPTH) {
    throw new InputError(
      `${describe(path)}: nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
  if (typeof value === 'string') {
    if (!wellFormed(value)) {
      throw new InputError(
        `${describe(
          path,
        )}: contains a lone surrogate (not valid Unicode, RFC 7493 I-JSON)`,
      );
    }
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      walkIJson(value[i], path);
      path.pop();
    }
    return;
  }
  for (const key of Object.keys(value)) {
    if (key === '__proto__') {
      throw new InputError(
        `${describe([...path, key])}: the key __proto__ is not accepted`,
      );
    }
    if (!wellFormed(key)) {
      throw new InputError(
        `${describe(
          path,
        )}: a key contains a lone surrogate (not valid Unicode, RFC 7493 I-JSON)`,
      );
    }
    path.push(key);
    walkIJson((value as Record<string, unknown>)[key], path);
    path.pop();
  }
}

/**
 * A non-negative integer query parameter that a database can store
 * (≤ 2^53 - 1); anything else is an InputError naming the parameter.
 */
export function safeIntParam(name: string, v: unknown): number {
  if (typeof v !== 'string' || !/^\d{1,16}$/.test(v)) {
    throw new InputError(
      `${name}: required, a non-negative integer of at most ${Number.MAX_SAFE_INTEGER}`,
    );
  }
  const n = Number(v);
  if (!Number.isSafeInteger(n)) {
    throw new InputError(
      `${name}: at most ${Number.MAX_SAFE_INTEGER}, got ${v}`,
    );
  }
  return n;
}
