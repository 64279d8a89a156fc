import { parseEntityRef } from '@backstage/catalog-model';
import {
  CheckCategory,
  CheckStatus,
  FactValue,
  ScorecardLevelOrNone,
} from '../api/types';

export const LEVELS: ScorecardLevelOrNone[] = [
  'none',
  'bronze',
  'silver',
  'gold',
];

export const LEVEL_COLORS: Record<ScorecardLevelOrNone, string> = {
  none: '#9e9e9e',
  bronze: '#b36b2a',
  silver: '#8a97a6',
  gold: '#c9a227',
};

export const levelLabel = (level: ScorecardLevelOrNone) =>
  level === 'none' ? 'No level' : level[0].toUpperCase() + level.slice(1);

export const levelRank = (level: ScorecardLevelOrNone) => LEVELS.indexOf(level);

export const CATEGORIES: CheckCategory[] = [
  'security',
  'reliability',
  'observability',
  'delivery',
  'ownership',
];

export const categoryLabel = (c: string) => c[0].toUpperCase() + c.slice(1);

export const STATUS_LABELS: Record<CheckStatus, string> = {
  pass: 'Pass',
  fail: 'Fail',
  warn: 'Warn',
  unknown: 'Unknown',
  waived: 'Waived',
};

/** Checks needing attention first. */
export const STATUS_ORDER: CheckStatus[] = [
  'fail',
  'warn',
  'unknown',
  'waived',
  'pass',
];

export function formatScore(score: number): string {
  return Number.isInteger(score) ? String(score) : score.toFixed(1);
}

export function formatFact(value: FactValue): string {
  if (value === null) return 'missing';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : String(+value.toFixed(2));
  }
  return value;
}

export function formatDay(iso: string): string {
  return iso.slice(0, 10);
}

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export const shortHash = (hash: string) => hash.slice(0, 12);

/** `group:default/payments-team` → `payments-team` (namespace kept if not default). */
export function shortRef(ref: string | undefined): string {
  if (!ref) return '—';
  try {
    const { namespace, name } = parseEntityRef(ref);
    return namespace === 'default' ? name : `${namespace}/${name}`;
  } catch {
    return ref;
  }
}
