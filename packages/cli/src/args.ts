import { CliError } from './context';

/** Commander collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Splits `key=value` pairs (the value may contain `=`). */
export function parsePairs(
  pairs: string[],
  option: string,
): Array<[string, string]> {
  return pairs.map(pair => {
    const i = pair.indexOf('=');
    if (i <= 0)
      throw new CliError(
        `${option} expects key=value, got ${JSON.stringify(pair)}`,
      );
    return [pair.slice(0, i), pair.slice(i + 1)];
  });
}

/**
 * A summary value: `true`, `false`, `null` and numbers become those types;
 * anything else stays a string. A number is taken only when it reads back
 * exactly as typed (`42`, `0.5`, `-3`), so `1.10`, `1e3`, `007` or an integer
 * beyond 2^53 stay strings instead of silently becoming another value.
 */
export function summaryValue(raw: string): string | number | boolean | null {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === 'null') return null;
  if (
    /^-?(0|[1-9]\d*)(\.\d+)?$/.test(raw) &&
    Number.isFinite(Number(raw)) &&
    String(Number(raw)) === raw
  ) {
    return Number(raw);
  }
  return raw;
}
