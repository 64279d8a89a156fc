import {
  compactResult,
  EntityResult,
  levelRank,
} from '@assay/plugin-scorecards-common';
import type { StoredResult } from './DatabaseScorecardStore';

/** A `scorecard_results` row. */
export type ResultRow = {
  entity_ref: string;
  kind: string;
  title: string;
  owner: string | null;
  system: string | null;
  domain: string | null;
  mode: string;
  score: number;
  level: string;
  level_rank: number;
  failing: number;
  failing_checks: string;
  computed_at: string;
  result_hash: string;
  entity_etag: string | null;
  /** the compact result's JSON (see compactResult) */
  result: string;
};

/** A `scorecard_history` row: the day's point of an entity. */
export type HistoryRow = {
  entity_ref: string;
  day: string;
  owner: string | null;
  score: number;
  level: string;
  pass: number;
  fail: number;
  warn: number;
  unknown: number;
  waived: number;
};

/** The rows a result is stored as. */
export type ResultRows = { result: ResultRow; history: HistoryRow };

function statusCounts(r: EntityResult) {
  const c = { pass: 0, fail: 0, warn: 0, unknown: 0, waived: 0 };
  for (const check of r.checks) c[check.status] += 1;
  return c;
}

/**
 * The rows of a result (pure; no database): the result row with its
 * overview columns and the compact result's JSON — the check set named by
 * `checksDigest`, each check without its definition's text — and today's
 * history point.
 */
export function resultRows(
  { result: r, ...m }: StoredResult,
  checksDigest: string,
): ResultRows {
  let failing = 0;
  let failingChecks = ',';
  for (const c of r.checks) {
    if (c.status !== 'pass' && c.status !== 'waived') {
      failing += 1;
      failingChecks += `${c.id},`;
    }
  }
  return {
    result: {
      entity_ref: r.entityRef,
      kind: m.kind,
      title: m.title,
      owner: m.owner ?? null,
      system: m.system ?? null,
      domain: m.domain ?? null,
      mode: r.mode,
      score: r.score,
      level: r.level,
      level_rank: levelRank(r.level),
      failing,
      failing_checks: failingChecks,
      computed_at: r.computedAt,
      result_hash: r.resultHash,
      entity_etag: m.etag ?? null,
      result: JSON.stringify(compactResult(r, checksDigest)),
    },
    history: {
      entity_ref: r.entityRef,
      day: r.computedAt.slice(0, 10),
      owner: m.owner ?? null,
      score: r.score,
      level: r.level,
      ...statusCounts(r),
    },
  };
}
