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

function compareLeaf(
  rule: Leaf,
  value: FactValue,
  now: number,
): { ok: boolean; want: string } {
  const r = rule as Record<string, any>;
  if ('exists' in r) {
    return { ok: r.exists, want: r.exists ? 'present' : 'absent' };
  }
  if ('equals' in r)
    return { ok: value === r.equals, want: `= ${show(r.equals)}` };
  if ('notEquals' in r) {
    return { ok: value !== r.notEquals, want: `≠ ${show(r.notEquals)}` };
  }
  if ('in' in r) {
    return {
      ok: (r.in as FactValue[]).includes(value),
      want: `one of ${(r.in as FactValue[]).map(show).join(', ')}`,
    };
  }
  if ('matches' in r) {
    return {
      ok: typeof value === 'string' && new RegExp(r.matches).test(value),
      want: `matching /${r.matches}/`,
    };
  }
  if ('maxAgeDays' in r) {
    const t = typeof value === 'string' ? Date.parse(value) : NaN;
    const ok = Number.isFinite(t) && now - t <= r.maxAgeDays * DAY_MS;
    return { ok, want: `at most ${r.maxAgeDays} days old` };
  }
  const parts: string[] = [];
  let ok = typeof value === 'number' && Number.isFinite(value);
  const n = value as number;
  if (r.gt !== undefined) {
    parts.push(`> ${r.gt}`);
    ok = ok && n > r.gt;
  }
  if (r.gte !== undefined) {
    parts.push(`≥ ${r.gte}`);
    ok = ok && n >= r.gte;
  }
  if (r.lt !== undefined) {
    parts.push(`< ${r.lt}`);
    ok = ok && n < r.lt;
  }
  if (r.lte !== undefined) {
    parts.push(`≤ ${r.lte}`);
    ok = ok && n <= r.lte;
  }
  return { ok, want: parts.join(' and ') };
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
