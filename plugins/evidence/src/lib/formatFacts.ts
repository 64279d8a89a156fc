/**
 * Turns a record's `summary` facts into one human line per category, e.g.
 * "412 tests, 0 failed" or "SBOM: 0 critical, 2 high". Unknown categories and
 * unexpected shapes fall back to a generic "key value" listing, so a producer
 * adding facts never breaks the viewer.
 */

export type FactsTone = 'ok' | 'warning' | 'error' | 'neutral';

export interface FormattedFacts {
  text: string;
  tone: FactsTone;
}

type Facts = Record<string, unknown>;
type Formatter = (facts: Facts) => FormattedFacts | undefined;

const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

const fmt = (n: number, maxFractionDigits = 1) =>
  n.toLocaleString('en-US', { maximumFractionDigits: maxFractionDigits });

/** 'error' when any of `errors` is positive, else 'warning' when any of `warnings` is, else 'ok'. */
const severity = (errors: number, warnings: number): FactsTone => {
  if (errors > 0) return 'error';
  return warnings > 0 ? 'warning' : 'ok';
};

const plural = (n: number, word: string, pluralWord = `${word}s`) =>
  `${fmt(n)} ${n === 1 ? word : pluralWord}`;

const formatters: Record<string, Formatter> = {
  tests: f => {
    const tests = num(f.tests);
    if (tests === undefined) return undefined;
    const failures = num(f.failures) ?? num(f.failed) ?? 0;
    const errors = num(f.errors) ?? 0;
    const skipped = num(f.skipped) ?? 0;
    const parts = [plural(tests, 'test'), `${fmt(failures)} failed`];
    if (errors > 0) parts.push(plural(errors, 'error'));
    if (skipped > 0) parts.push(`${fmt(skipped)} skipped`);
    return {
      text: parts.join(', '),
      tone: failures + errors > 0 ? 'error' : 'ok',
    };
  },
  coverage: f => {
    const pct = num(f.linePct) ?? num(f.lineCoverage) ?? num(f.pct);
    if (pct === undefined) return undefined;
    const branch = num(f.branchPct);
    return {
      text: `coverage ${pct.toFixed(1)}%${
        branch !== undefined ? ` (branches ${branch.toFixed(1)}%)` : ''
      }`,
      tone: 'neutral',
    };
  },
  sbom: f => {
    const critical = num(f.critical);
    const high = num(f.high);
    if (critical === undefined && high === undefined) return undefined;
    const components = num(f.components);
    return {
      text: `SBOM: ${fmt(critical ?? 0)} critical, ${fmt(high ?? 0)} high${
        components !== undefined ? ` · ${plural(components, 'component')}` : ''
      }`,
      tone: severity(critical ?? 0, high ?? 0),
    };
  },
  sast: f => {
    const error = num(f.error);
    const warning = num(f.warning);
    const note = num(f.note);
    if (error === undefined && warning === undefined && note === undefined) {
      return undefined;
    }
    const parts = [
      plural(error ?? 0, 'error'),
      plural(warning ?? 0, 'warning'),
    ];
    if (note !== undefined) parts.push(plural(note, 'note'));
    return {
      text: `SAST: ${parts.join(', ')}`,
      tone: severity(error ?? 0, warning ?? 0),
    };
  },
  'load-test': f => {
    const p95 = num(f.p95Ms);
    const errorRate = num(f.errorRate);
    if (p95 === undefined && errorRate === undefined) return undefined;
    const parts: string[] = [];
    if (p95 !== undefined) parts.push(`p95 ${fmt(p95)} ms`);
    if (errorRate !== undefined) {
      // k6 reports a fraction; tolerate producers that already send a percentage
      const pct = errorRate <= 1 ? errorRate * 100 : errorRate;
      parts.push(`${pct.toFixed(2)}% errors`);
    }
    const thresholdsFailed = num(f.thresholdsFailed) ?? 0;
    if (thresholdsFailed > 0) {
      parts.push(`${plural(thresholdsFailed, 'threshold')} failed`);
    }
    return {
      text: parts.join(', '),
      tone: thresholdsFailed > 0 ? 'error' : 'neutral',
    };
  },
};

const HIDDEN_KEYS = new Set(['demo']);
const MAX_GENERIC_FACTS = 4;

function formatValue(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? fmt(v, 2) : undefined;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return v.length > 48 ? `${v.slice(0, 47)}…` : v;
  return undefined; // nested objects, arrays and null are left to the detail view
}

/** Generic "key value · key value" listing of the scalar facts. */
export function formatGenericFacts(facts: Facts): string {
  return Object.entries(facts)
    .filter(([k]) => !HIDDEN_KEYS.has(k))
    .map(([k, v]) => {
      const value = formatValue(v);
      return value === undefined ? undefined : `${k} ${value}`;
    })
    .filter((s): s is string => Boolean(s))
    .slice(0, MAX_GENERIC_FACTS)
    .join(' · ');
}

/** One line describing a record's facts. Never throws. */
export function formatFacts(
  category: string,
  summary: unknown,
): FormattedFacts {
  const facts: Facts =
    summary && typeof summary === 'object' && !Array.isArray(summary)
      ? (summary as Facts)
      : {};
  const specific = formatters[category]?.(facts);
  if (specific) return specific;
  return { text: formatGenericFacts(facts), tone: 'neutral' };
}

/** True when the facts mark the record as demo data. */
export function isDemoFacts(summary: unknown): boolean {
  return Boolean(
    summary && typeof summary === 'object' && (summary as Facts).demo === true,
  );
}
