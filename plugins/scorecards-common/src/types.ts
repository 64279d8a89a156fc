/**
 * Levels, lowest first. An entity reaches a level when every check at and
 * below it passes or is waived.
 *
 * @public
 */
export const LEVELS = ['bronze', 'silver', 'gold'] as const;

/** @public */
export type Level = (typeof LEVELS)[number];

/** Highest level reached; `none` when not even bronze. @public */
export type LevelOrNone = Level | 'none';

/** @public */
export const MODES = ['sandbox', 'compliance'] as const;

/**
 * `sandbox`: failures show as warnings, missing facts as unknown.
 * `compliance`: missing or stale facts fail; promotion gates read this.
 *
 * @public
 */
export type Mode = (typeof MODES)[number];

/** Annotation that selects an entity's mode. @public */
export const COMPLIANCE_MODE_ANNOTATION = 'assay.dev/compliance-mode';

/** @public */
export const CATEGORIES = [
  'security',
  'reliability',
  'observability',
  'delivery',
  'ownership',
] as const;

/** @public */
export type CheckCategory = (typeof CATEGORIES)[number];

/** @public */
export const STATUSES = ['pass', 'fail', 'warn', 'unknown', 'waived'] as const;

/** @public */
export type CheckStatus = (typeof STATUSES)[number];

/** A scalar fact value. @public */
export type FactValue = string | number | boolean | null;

/**
 * One fact and where it came from: `evidence` is the hash of the evidence
 * record it was read from (absent for catalog facts), `at` the time that
 * evidence was produced (for freshness).
 *
 * @public
 */
export type Fact = {
  value: FactValue;
  evidence?: string[];
  at?: string;
};

/** Facts by name, e.g. `entity.owner`, `evidence.coverage.linePct`. @public */
export type Facts = Record<string, Fact>;

/**
 * A rule over facts. Leaves compare one fact; `all` / `any` / `not` compose.
 * Missing facts make a leaf unknown (three-valued logic: `all` is false if
 * any child is false, else unknown if any is unknown; `any` dually).
 *
 * @public
 */
export type Rule =
  | { all: Rule[] }
  | { any: Rule[] }
  | { not: Rule }
  | { fact: string; exists: boolean }
  | { fact: string; equals: string | number | boolean }
  | { fact: string; notEquals: string | number | boolean }
  | { fact: string; in: Array<string | number | boolean> }
  | { fact: string; matches: string }
  | {
      fact: string;
      gt?: number;
      gte?: number;
      lt?: number;
      lte?: number;
    }
  | { fact: string; maxAgeDays: number };

/** @public */
export type Remediation = { text: string; url?: string };

/** Which entities a check applies to (all given lists must match). @public */
export type AppliesTo = {
  kind?: string[];
  type?: string[];
  lifecycle?: string[];
  tags?: string[];
  owner?: string[];
};

/**
 * A check as configured (`scorecards.checks` in app-config).
 *
 * @public
 */
export type CheckDefinition = {
  id: string;
  title: string;
  description?: string;
  category: CheckCategory;
  level: Level;
  weight: number;
  appliesTo?: AppliesTo;
  rule: Rule;
  /**
   * Evidence the rule reads must be at most this old; in compliance mode
   * stale evidence fails, in sandbox it warns. Defaults to the global
   * `scorecards.maxEvidenceAgeDays`.
   */
  maxAgeDays?: number;
  remediation: Remediation;
  /** Framework controls this check evidences, e.g. `SOC2:CC8.1`. */
  controls: string[];
};

/**
 * A waiver: requested with a reason and an expiry, approved by someone
 * other than the requester. Only `approved` waivers not yet expired count.
 *
 * @public
 */
export type Waiver = {
  id: string;
  entityRef: string;
  checkId: string;
  reason: string;
  expiresAt: string;
  status: 'pending' | 'approved' | 'rejected' | 'expired';
  requestedBy: string;
  requestedAt: string;
  decidedBy?: string;
  decidedAt?: string;
  evidenceHash?: string;
};

/** @public */
export type CheckResult = {
  id: string;
  title: string;
  description?: string;
  category: CheckCategory;
  level: Level;
  weight: number;
  status: CheckStatus;
  /** Why, in words. */
  reason: string;
  /** The fact values the rule read. */
  facts: Record<string, FactValue>;
  /** Hashes of the evidence records those facts came from. */
  evidence: string[];
  waiver?: Waiver;
  remediation: Remediation;
  controls: string[];
};

/**
 * What a result was computed from, kept with it so it can be replayed: the
 * catalog facts (evidence facts are re-derived from the cited records),
 * the checks, the waivers that counted and the evaluation time.
 *
 * @public
 */
export type ReplayInput = {
  entityFacts: Record<string, FactValue>;
  checks: CheckDefinition[];
  waivers: Waiver[];
  maxEvidenceAgeDays: number;
  evaluatedAt: string;
  /** Seq of the newest evidence record read (records after it are ignored on replay). */
  headSeq: number;
};

/** @public */
export type EntityResult = {
  entityRef: string;
  mode: Mode;
  score: number;
  level: LevelOrNone;
  computedAt: string;
  checks: CheckResult[];
  /** Hashes of every evidence record the result read. */
  inputs: string[];
  /** Hex SHA-256 of the canonical result (see `resultHashOf`). */
  resultHash: string;
  replay: ReplayInput;
};

/** @public */
export type HistoryPoint = {
  day: string;
  score: number;
  level: LevelOrNone;
  pass: number;
  fail: number;
  warn: number;
  unknown: number;
  waived: number;
};

/** @public */
export type LevelCounts = Record<LevelOrNone, number>;

/** @public */
export type OverviewRow = {
  entityRef: string;
  kind: string;
  title: string;
  owner?: string;
  system?: string;
  domain?: string;
  mode: Mode;
  score: number;
  level: LevelOrNone;
  failing: number;
  failingChecks: string[];
  computedAt: string;
};

/** @public */
export type Overview = {
  items: OverviewRow[];
  totalCount: number;
  offset: number;
  limit: number;
  levels: LevelCounts;
};

/** @public */
export type OverviewQuery = {
  offset?: number;
  limit?: number;
  q?: string;
  owner?: string;
  system?: string;
  domain?: string;
  kind?: string;
  level?: LevelOrNone;
  mode?: Mode;
  failingCheck?: string;
  orderBy?:
    | 'entityRef'
    | 'owner'
    | 'system'
    | 'kind'
    | 'level'
    | 'score'
    | 'failing'
    | 'computedAt';
  order?: 'asc' | 'desc';
};

/** @public */
export type RollupDimension = 'team' | 'system' | 'domain';

/** @public */
export type Rollup = {
  key: string;
  entities: number;
  averageScore: number;
  levels: LevelCounts;
};

/** @public */
export type TrendPoint = {
  day: string;
  entities: number;
  averageScore: number;
  levels: LevelCounts;
};

/** @public */
export type ControlEntity = {
  entityRef: string;
  checkId: string;
  status: CheckStatus;
  reason: string;
  evidence: string[];
};

/** @public */
export type Control = {
  control: string;
  framework: string;
  checks: string[];
  evidenced: ControlEntity[];
  notEvidenced: ControlEntity[];
};

/** Compares levels: -1 for none. @public */
export function levelRank(level: LevelOrNone): number {
  return level === 'none' ? -1 : LEVELS.indexOf(level);
}
