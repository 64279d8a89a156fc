import { Config } from '@backstage/config';
import {
  CheckDefinition,
  DEFAULT_CHECKS,
  parseChecks,
} from '@assay/plugin-scorecards-common';
import { defaultComputeWorkers } from './service/ComputePool';

export type ScorecardsConfig = {
  checks: CheckDefinition[];
  maxEvidenceAgeDays: number;
  kinds: string[];
  refreshFrequencyMinutes: number;
  catalogScanMinutes: number;
  initialDelaySeconds: number;
  concurrency: number;
  historyRetentionDays: number;
  waiverMaxDays: number;
  waiverMaxDaysCompliance: number;
  recordCompliance: boolean;
  /** worker threads a full refresh evaluates entities on (0: the main thread) */
  workers: number;
};

/**
 * `refresh.workers`: a whole number from 0 to 64; by default one per core
 * but one (the main thread's), at most 4 — 1 on 2 cores, 0 on one.
 */
function workersOf(v: number | undefined): number {
  if (v === undefined) return defaultComputeWorkers();
  if (!Number.isInteger(v) || v < 0 || v > 64)
    throw new Error(
      `scorecards.refresh.workers: must be a whole number from 0 to 64, got ${v}`,
    );
  return v;
}

/**
 * Reads `scorecards.*`. Invalid checks throw, naming the check and field,
 * so the backend does not start with a broken scorecard.
 */
export function readScorecardsConfig(root: Config): ScorecardsConfig {
  const c = root.getOptionalConfig('scorecards');
  const raw = c?.getOptional('checks');
  const checks = raw === undefined ? DEFAULT_CHECKS : parseChecks(raw);
  const extra = c?.getOptional('additionalChecks');
  const all =
    extra === undefined
      ? checks
      : parseChecks([...checks, ...(extra as unknown[])]);
  const num = (key: string, def: number) => {
    const v = c?.getOptionalNumber(key) ?? def;
    if (!(v > 0))
      throw new Error(`scorecards.${key}: must be a positive number`);
    return v;
  };
  const waiverMaxDays = num('waivers.maxDays', 180);
  return {
    checks: all,
    maxEvidenceAgeDays: num('maxEvidenceAgeDays', 30),
    kinds: (c?.getOptionalStringArray('kinds') ?? ['Component']).map(k =>
      k.toLowerCase(),
    ),
    refreshFrequencyMinutes: num('refresh.frequencyMinutes', 60),
    catalogScanMinutes: num('refresh.catalogScanMinutes', 2),
    initialDelaySeconds: num('refresh.initialDelaySeconds', 20),
    concurrency: Math.floor(num('refresh.concurrency', 8)),
    historyRetentionDays: num('history.retentionDays', 365),
    waiverMaxDays,
    waiverMaxDaysCompliance: Math.min(
      waiverMaxDays,
      num('waivers.maxDaysCompliance', 30),
    ),
    recordCompliance: c?.getOptionalBoolean('recordCompliance') ?? true,
    workers: workersOf(c?.getOptionalNumber('refresh.workers')),
  };
}
