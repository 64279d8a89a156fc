import { Facts, FactValue, Rule } from './types';

/**
 * Outcome of a rule: `true` / `false`, or `undefined` when a fact it needs
 * is missing. `reason` says why in words; `facts` are the values read and
 * `evidence` the record hashes they came from.
 *
 * @public
 */
export type RuleOutcome = {
  value: boolean | undefined;
  reason: string;
  facts: Record<string, FactValue>;
  evidence: string[];
  /** Oldest `at` among the evidence facts read (ISO), if any. */
  oldestAt?: string;
};

const DAY_MS = 86_400_000;

function show(v: FactValue): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}

type Leaf = Exclude<Rule, { all: Rule[] } | { any: Rule[] } | { not: Rule }>;

/** A leaf rule compiled once: what it wants, in words, and its test. */
type CompiledLeaf = {
  want: string;
  test: (value: FactValue, now: number) => boolean;
};

const compiledLeaves = new WeakMap<object, CompiledLeaf>();

function compileLeaf(rule: Leaf): CompiledLeaf {
  const r = rule as Record<string, any>;
  if ('exists' in r) {
    const ok = Boolean(r.exists);
    return { want: ok ? 'present' : 'absent', test: () => ok };
  }
  if ('equals' in r) {
    const x = r.equals;
    return { want: `= ${show(x)}`, test: v => v === x };
  }
  if ('notEquals' in r) {
    const x = r.notEquals;
    return { want: `≠ ${show(x)}`, test: v => v !== x };
  }
  if ('in' in r) {
    const xs = r.in as FactValue[];
    return {
      want: `one of ${xs.map(show).join(', ')}`,
      test: v => xs.includes(v),
    };
  }
  if ('matches' in r) {
    const re = new RegExp(r.matches);
    return {
      want: `matching /${r.matches}/`,
      test: v => typeof v === 'string' && re.test(v),
    };
  }
  if ('maxAgeDays' in r) {
    const maxMs = r.maxAgeDays * DAY_MS;
    return {
      want: `at most ${r.maxAgeDays} days old`,
      test: (v, now) => {
        const t = typeof v === 'string' ? Date.parse(v) : NaN;
        return Number.isFinite(t) && now - t <= maxMs;
      },
    };
  }
  const parts: string[] = [];
  const { gt, gte, lt, lte } = r as Record<string, number | undefined>;
  if (gt !== undefined) parts.push(`> ${gt}`);
  if (gte !== undefined) parts.push(`≥ ${gte}`);
  if (lt !== undefined) parts.push(`< ${lt}`);
  if (lte !== undefined) parts.push(`≤ ${lte}`);
  return {
    want: parts.join(' and '),
    test: v =>
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (gt === undefined || v > gt) &&
      (gte === undefined || v >= gte) &&
      (lt === undefined || v < lt) &&
      (lte === undefined || v <= lte),
  };
}

/**
 * A leaf's comparison, compiled on first use and kept with the rule
 * object (check definitions live as long as the configuration).
 */
function compareLeaf(
  rule: Leaf,
  value: FactValue,
  now: number,
): { ok: boolean; want: string } {
  let c = compiledLeaves.get(rule);
  if (!c) {
    c = compileLeaf(rule);
    compiledLeaves.set(rule, c);
  }
  return { ok: c.test(value, now), want: c.want };
}

function merge(into: RuleOutcome, from: RuleOutcome) {
  Object.assign(into.facts, from.facts);
  for (const h of from.evidence) {
    if (!into.evidence.includes(h)) into.evidence.push(h);
  }
  if (from.oldestAt && (!into.oldestAt || from.oldestAt < into.oldestAt)) {
    into.oldestAt = from.oldestAt;
  }
}

/**
 * Evaluates a rule over facts with three-valued logic. Pure: the same rule,
 * facts and `now` always give the same outcome.
 *
 * @public
 */
export function evaluateRule(
  rule: Rule,
  facts: Facts,
  now: number,
): RuleOutcome {
  if ('all' in rule || 'any' in rule) {
    const isAll = 'all' in rule;
    const children = (isAll ? (rule as any).all : (rule as any).any) as Rule[];
    const out: RuleOutcome = {
      value: isAll,
      reason: '',
      facts: {},
      evidence: [],
    };
    const decisive: string[] = [];
    const unknown: string[] = [];
    const others: string[] = [];
    for (const child of children) {
      const r = evaluateRule(child, facts, now);
      merge(out, r);
      if (r.value === !isAll) decisive.push(r.reason);
      else if (r.value === undefined) unknown.push(r.reason);
      else others.push(r.reason);
    }
    if (decisive.length) {
      out.value = !isAll;
      out.reason = decisive.join('; ');
    } else if (unknown.length) {
      out.value = undefined;
      out.reason = unknown.join('; ');
    } else {
      out.reason = others.join(isAll ? '; ' : ' or ');
    }
    return out;
  }
  if ('not' in rule) {
    const r = evaluateRule(rule.not, facts, now);
    return {
      ...r,
      value: r.value === undefined ? undefined : !r.value,
      reason: r.value === undefined ? r.reason : `not (${r.reason})`,
    };
  }
  const fact = facts[rule.fact];
  const present = fact !== undefined && fact.value !== null;
  const out: RuleOutcome = {
    value: undefined,
    reason: '',
    facts: { [rule.fact]: present ? fact.value : null },
    evidence: [...(fact?.evidence ?? [])],
    oldestAt: fact?.at,
  };
  if ('exists' in rule) {
    out.value = present === rule.exists;
    out.reason = `${rule.fact} is ${present ? 'present' : 'missing'}`;
    return out;
  }
  if (!present) {
    out.reason = `${rule.fact} is missing`;
    return out;
  }
  const { ok, want } = compareLeaf(rule, fact.value, now);
  out.value = ok;
  out.reason = `${rule.fact} is ${show(fact.value)} (${
    ok ? 'ok' : 'needs'
  } ${want})`;
  return out;
}

/** Every fact name a rule reads. @public */
export function factsOfRule(rule: Rule): string[] {
  if ('all' in rule) return rule.all.flatMap(factsOfRule);
  if ('any' in rule) return rule.any.flatMap(factsOfRule);
  if ('not' in rule) return factsOfRule(rule.not);
  return [rule.fact];
}
