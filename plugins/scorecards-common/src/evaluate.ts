import {
  HashFn,
  sha256,
  toHex,
  utf8Encode,
} from '@assay/plugin-evidence-common';
import { evaluateRule } from './rules';
import {
  CheckDefinition,
  CheckResult,
  CheckStatus,
  EntityResult,
  Facts,
  FactValue,
  LEVELS,
  LevelOrNone,
  Mode,
  Waiver,
} from './types';

const DAY_MS = 86_400_000;

/** @public */
export type EvaluateEntityOptions = {
  entityRef: string;
  mode: Mode;
  checks: CheckDefinition[];
  facts: Facts;
  waivers: Waiver[];
  /** Default freshness for evidence (days) when a check sets none. */
  maxEvidenceAgeDays: number;
  /** Evaluation time (ISO); part of the result so it replays exactly. */
  now: string;
  /** Seq of the newest evidence record read (0 when none). */
  headSeq?: number;
  /** SHA-256 implementation (default: the pure JS one). */
  hash?: HashFn;
  /**
   * Hex SHA-256 of a string's UTF-8 bytes, when the caller has a faster
   * one than `hash` over encoded bytes (node:crypto in the backend).
   */
  hashText?: (text: string) => string;
  /**
   * The catalog facts' values (`entityFactsOf` of the catalog facts), when
   * the caller has them before adding the evidence facts; else read from
   * `facts`. Kept in the replay input.
   */
  entityFacts?: Record<string, FactValue>;
};

function factString(facts: Facts, name: string): string | undefined {
  const v = facts[name]?.value;
  return v === undefined || v === null ? undefined : String(v);
}

/**
 * Whether a check applies to the entity described by the facts
 * (`entity.kind`, `entity.type`, `entity.lifecycle`, `entity.tags`,
 * `entity.owner`). Comparison is case-insensitive.
 *
 * @public
 */
export function checkApplies(check: CheckDefinition, facts: Facts): boolean {
  const a = check.appliesTo;
  if (!a) return true;
  const one = (list: string[] | undefined, name: string) => {
    if (!list || list.length === 0) return true;
    const v = factString(facts, name)?.toLowerCase();
    return v !== undefined && list.some(x => x.toLowerCase() === v);
  };
  const tags = (factString(facts, 'entity.tags') ?? '')
    .split(',')
    .filter(Boolean);
  const tagsOk =
    !a.tags?.length || a.tags.some(t => tags.includes(t.toLowerCase()));
  return (
    one(a.kind, 'entity.kind') &&
    one(a.type, 'entity.type') &&
    one(a.lifecycle, 'entity.lifecycle') &&
    one(a.owner, 'entity.owner') &&
    tagsOk
  );
}

/** The waiver that counts for a check at `now`, if any. @public */
export function activeWaiver(
  waivers: Waiver[],
  checkId: string,
  now: string,
): Waiver | undefined {
  return waivers
    .filter(
      w =>
        w.checkId === checkId && w.status === 'approved' && w.expiresAt > now,
    )
    .sort((x, y) => (x.expiresAt < y.expiresAt ? 1 : -1))[0];
}

/**
 * One check's result. Mode semantics: in `compliance` a false rule, a
 * missing fact or stale evidence fails; in `sandbox` a false rule or stale
 * evidence warns and a missing fact is unknown. An approved, unexpired
 * waiver turns anything but a pass into `waived`.
 *
 * @public
 */
export function evaluateCheck(
  check: CheckDefinition,
  options: Omit<EvaluateEntityOptions, 'checks' | 'entityRef'>,
): CheckResult {
  return checkAt(check, options, Date.parse(options.now), Date.parse);
}

/** evaluateCheck with `now` parsed once per entity and a parse cache. */
function checkAt(
  check: CheckDefinition,
  options: Omit<EvaluateEntityOptions, 'checks' | 'entityRef'>,
  nowMs: number,
  parse: (iso: string) => number,
): CheckResult {
  const outcome = evaluateRule(check.rule, options.facts, nowMs);
  const maxAge = check.maxAgeDays ?? options.maxEvidenceAgeDays;
  const stale =
    outcome.oldestAt !== undefined &&
    nowMs - parse(outcome.oldestAt) > maxAge * DAY_MS;
  const compliance = options.mode === 'compliance';
  let status: CheckStatus;
  let reason: string;
  if (outcome.value === undefined) {
    status = compliance ? 'fail' : 'unknown';
    reason = outcome.reason;
  } else if (!outcome.value) {
    status = compliance ? 'fail' : 'warn';
    reason = outcome.reason;
  } else if (stale) {
    status = compliance ? 'fail' : 'warn';
    reason = `evidence is stale: produced ${outcome.oldestAt}, older than ${maxAge} days (${outcome.reason})`;
  } else {
    status = 'pass';
    reason = outcome.reason;
  }
  const result: CheckResult = {
    id: check.id,
    title: check.title,
    ...(check.description ? { description: check.description } : {}),
    category: check.category,
    level: check.level,
    weight: check.weight,
    status,
    reason,
    facts: outcome.facts,
    evidence: [...outcome.evidence].sort(),
    remediation: check.remediation,
    controls: check.controls,
  };
  if (status !== 'pass') {
    const waiver = activeWaiver(options.waivers, check.id, options.now);
    if (waiver) {
      result.status = 'waived';
      result.reason = `waived by ${waiver.decidedBy} until ${waiver.expiresAt}: ${waiver.reason} (underlying ${status}: ${reason})`;
      result.waiver = waiver;
    }
  }
  return result;
}

const counts = (s: CheckStatus) => s === 'pass' || s === 'waived';

/**
 * Highest level whose checks (and every lower level's) all pass or are
 * waived. A level without checks is never reached by itself.
 *
 * @public
 */
export function levelOf(checks: Pick<CheckResult, 'level' | 'status'>[]) {
  let reached: LevelOrNone = 'none';
  for (const level of LEVELS) {
    const at = checks.filter(c => c.level === level);
    if (at.some(c => !counts(c.status))) break;
    if (at.length) reached = level;
  }
  return reached;
}

/** Weighted share of passing or waived checks, 0–100, one decimal. @public */
export function scoreOf(checks: Pick<CheckResult, 'weight' | 'status'>[]) {
  let total = 0;
  let ok = 0;
  for (const c of checks) {
    total += c.weight;
    if (counts(c.status)) ok += c.weight;
  }
  return total === 0 ? 100 : Math.round((ok / total) * 1000) / 10;
}

/**
 * Hex SHA-256 of the RFC 8785 canonical form (sorted-key JSON, see
 * `sortedJson`) of what a result says (not `computedAt`, not the replay
 * input): equal hashes mean equal results.
 *
 * @public
 */
export function resultHashOf(
  r: Pick<EntityResult, 'entityRef' | 'mode' | 'score' | 'level' | 'inputs'> & {
    checks: CheckResult[];
  },
  hash: HashFn = sha256,
  hashText?: (text: string) => string,
): string {
  // The object below is built with its keys in sorted order, which is what
  // sortedJson produces from the same data unsorted (see
  // resultHashOfDefinition in the tests): one native JSON.stringify, no
  // generic key sorting of every nested object.
  const sortedFacts = (facts: Record<string, FactValue>) => {
    const keys = Object.keys(facts);
    if (keys.length < 2) return facts;
    const out: Record<string, FactValue> = {};
    for (const k of keys.sort()) out[k] = facts[k];
    return out;
  };
  const canonical = {
    checks: r.checks.map(c => ({
      evidence: c.evidence,
      facts: sortedFacts(c.facts),
      id: c.id,
      level: c.level,
      reason: c.reason,
      status: c.status,
      waiver: c.waiver?.id ?? null,
      weight: c.weight,
    })),
    entityRef: r.entityRef,
    inputs: r.inputs,
    level: r.level,
    mode: r.mode,
    score: r.score,
  };
  const text = JSON.stringify(canonical);
  return hashText ? hashText(text) : toHex(hash(utf8Encode(text)));
}

/** Catalog facts only (those not read from evidence), as plain values. @public */
export function entityFactsOf(facts: Facts): Record<string, FactValue> {
  const out: Record<string, FactValue> = {};
  for (const k of Object.keys(facts)) {
    if (k.startsWith('entity.')) out[k] = facts[k].value;
  }
  return out;
}

/**
 * Evaluates every applicable check for one entity. Pure.
 *
 * @public
 */
export function evaluateEntity(options: EvaluateEntityOptions): EntityResult {
  const nowMs = Date.parse(options.now);
  const parsed = new Map<string, number>();
  const parse = (iso: string) => {
    let t = parsed.get(iso);
    if (t === undefined) {
      t = Date.parse(iso);
      parsed.set(iso, t);
    }
    return t;
  };
  const checks = options.checks
    .filter(c => checkApplies(c, options.facts))
    .map(c => checkAt(c, options, nowMs, parse));
  const inputs = [...new Set(checks.flatMap(c => c.evidence))].sort();
  const base = {
    entityRef: options.entityRef,
    mode: options.mode,
    score: scoreOf(checks),
    level: levelOf(checks),
    inputs,
    checks,
  };
  const used = new Set(checks.map(c => c.waiver?.id).filter(Boolean));
  return {
    ...base,
    computedAt: options.now,
    resultHash: resultHashOf(base, options.hash, options.hashText),
    replay: {
      entityFacts: options.entityFacts ?? entityFactsOf(options.facts),
      checks: options.checks,
      waivers: options.waivers.filter(w => used.has(w.id)),
      maxEvidenceAgeDays: options.maxEvidenceAgeDays,
      evaluatedAt: options.now,
      headSeq: options.headSeq ?? 0,
    },
  };
}
