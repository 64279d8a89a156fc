import { createHash } from 'node:crypto';
import type { Requirement } from '../config';
import type { RecordRow } from '../store/types';

/** A category's newest record, as its verified canonical bytes state it. */
export interface VerifiedCategory {
  category: string;
  count: number;
  /** from the canonical bytes; absent when they do not verify */
  latestRecordedAt?: string;
  latestSummary: Record<string, unknown>;
  /** why the newest record of this category could not be trusted */
  integrityProblem?: string;
}

export type Gap = {
  category: string;
  reason: 'never' | 'stale' | 'unverified';
  lastRecordedAt?: string;
  maxAgeDays: number;
  /** for `unverified`: what did not verify */
  problem?: string;
};

/**
 * Reads each category's newest record from its canonical bytes, never from
 * the `category` / `recorded_at` columns the rows were found by: the bytes
 * must hash to the stored hash and state the same entity, seq and category.
 * A row that does not is reported (`integrityProblem`) and never satisfies a
 * requirement.
 */
export function verifiedCategories(
  entityRef: string,
  stats: Array<{ category: string; count: number; latest: RecordRow }>,
): VerifiedCategory[] {
  return stats.map(s => {
    const r = s.latest;
    const fail = (why: string): VerifiedCategory => ({
      category: s.category,
      count: s.count,
      latestSummary: {},
      integrityProblem: `record #${r.seq} (${r.hash}): ${why}`,
    });
    const actual = createHash('sha256')
      .update(Buffer.from(r.canonical, 'utf8'))
      .digest('hex');
    if (actual !== r.hash) {
      return fail(`its canonical bytes hash to ${actual}`);
    }
    let env: any;
    try {
      env = JSON.parse(r.canonical);
    } catch {
      return fail('its canonical bytes are not JSON');
    }
    for (const [what, stored, signed] of [
      ['entity', entityRef, env?.entityRef],
      ['seq', r.seq, env?.seq],
      ['category', s.category, env?.category],
    ] as const) {
      if (stored !== signed) {
        return fail(
          `stored as ${what} ${JSON.stringify(
            stored,
          )} but its canonical bytes say ${JSON.stringify(signed)}`,
        );
      }
    }
    if (typeof env.recordedAt !== 'string' || !Date.parse(env.recordedAt)) {
      return fail('its canonical bytes have no valid recordedAt');
    }
    return {
      category: s.category,
      count: s.count,
      latestRecordedAt: env.recordedAt,
      latestSummary: env.summary ?? {},
    };
  });
}

/** "What's missing", from verified categories only. */
export function missingCategories(
  required: Requirement[],
  categories: VerifiedCategory[],
  now: number,
): Gap[] {
  return required.flatMap((r): Gap[] => {
    const c = categories.find(x => x.category === r.category);
    if (!c) {
      return [
        { category: r.category, reason: 'never', maxAgeDays: r.maxAgeDays },
      ];
    }
    if (c.integrityProblem || !c.latestRecordedAt) {
      return [
        {
          category: r.category,
          reason: 'unverified',
          maxAgeDays: r.maxAgeDays,
          problem: c.integrityProblem,
        },
      ];
    }
    const age = (now - Date.parse(c.latestRecordedAt)) / 86_400_000;
    return age > r.maxAgeDays
      ? [
          {
            category: r.category,
            reason: 'stale',
            lastRecordedAt: c.latestRecordedAt,
            maxAgeDays: r.maxAgeDays,
          },
        ]
      : [];
  });
}
