/*
 * Wire types of the scorecards backend, as specified in
 * plugins/scorecards-backend/src/schema/openapi.yaml.
 */

/** @public */
export type ScorecardLevel = 'bronze' | 'silver' | 'gold';
/** @public */
export type ScorecardLevelOrNone = 'none' | ScorecardLevel;
/** @public */
export type ScorecardMode = 'sandbox' | 'compliance';
/** @public */
export type CheckCategory =
  | 'security'
  | 'reliability'
  | 'observability'
  | 'delivery'
  | 'ownership';
/** @public */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'unknown' | 'waived';
/** @public */
export type FactValue = string | number | boolean | null;

/** @public */
export interface Remediation {
  text: string;
  url?: string;
}

/** @public */
export type WaiverStatus = 'pending' | 'approved' | 'rejected' | 'expired';

/** @public */
export interface Waiver {
  id: string;
  entityRef: string;
  checkId: string;
  reason: string;
  expiresAt: string;
  status: WaiverStatus;
  requestedBy: string;
  requestedAt: string;
  decidedBy?: string;
  decidedAt?: string;
  evidenceHash?: string;
}

/** @public */
export interface CheckResult {
  id: string;
  title: string;
  description?: string;
  category: CheckCategory;
  level: ScorecardLevel;
  weight: number;
  status: CheckStatus;
  reason: string;
  facts: Record<string, FactValue>;
  evidence: string[];
  waiver?: Waiver;
  remediation: Remediation;
  controls: string[];
}

/** @public */
export interface EntityResult {
  entityRef: string;
  mode: ScorecardMode;
  score: number;
  level: ScorecardLevelOrNone;
  computedAt: string;
  checks: CheckResult[];
  inputs: string[];
  resultHash: string;
}

/** @public */
export interface HistoryPoint {
  day: string;
  score: number;
  level: ScorecardLevelOrNone;
  pass: number;
  fail: number;
  warn: number;
  unknown: number;
  waived: number;
}

/** @public */
export interface LevelCounts {
  none: number;
  bronze: number;
  silver: number;
  gold: number;
}

/** @public */
export interface OverviewRow {
  entityRef: string;
  kind: string;
  title: string;
  owner?: string;
  system?: string;
  domain?: string;
  mode: ScorecardMode;
  score: number;
  level: ScorecardLevelOrNone;
  failing: number;
  failingChecks: string[];
  computedAt: string;
}

/** @public */
export interface Overview {
  items: OverviewRow[];
  totalCount: number;
  offset: number;
  limit: number;
  levels: LevelCounts;
}

/** @public */
export type OverviewOrderBy =
  | 'entityRef'
  | 'owner'
  | 'system'
  | 'kind'
  | 'level'
  | 'score'
  | 'failing'
  | 'computedAt';

/** Filters of the overview and its CSV export. @public */
export interface OverviewFilters {
  q?: string;
  owner?: string;
  system?: string;
  domain?: string;
  kind?: string;
  level?: ScorecardLevelOrNone;
  mode?: ScorecardMode;
  failingCheck?: string;
  orderBy?: OverviewOrderBy;
  order?: 'asc' | 'desc';
}

/** @public */
export interface OverviewQuery extends OverviewFilters {
  offset?: number;
  limit?: number;
}

/** @public */
export type RollupDimension = 'team' | 'system' | 'domain';

/** @public */
export interface Rollup {
  key: string;
  entities: number;
  averageScore: number;
  levels: LevelCounts;
}

/** @public */
export interface TrendPoint {
  day: string;
  entities: number;
  averageScore: number;
  levels: LevelCounts;
}

/** @public */
export interface CheckDefinition {
  id: string;
  title: string;
  description?: string;
  category: CheckCategory;
  level: ScorecardLevel;
  weight: number;
  remediation: Remediation;
  controls: string[];
}

/** @public */
export interface ControlEntity {
  entityRef: string;
  checkId: string;
  status: CheckStatus;
  reason: string;
  evidence: string[];
}

/** @public */
export interface Control {
  control: string;
  framework: string;
  checks: string[];
  evidenced: ControlEntity[];
  notEvidenced: ControlEntity[];
}

/** @public */
export interface WaiverRequest {
  checkId: string;
  reason: string;
  expiresAt: string;
}
