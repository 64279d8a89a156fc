import { GateStatus, PromotionStatus } from '../api/promotionTypes';

export const PROMOTION_STATUS_LABELS: Record<PromotionStatus, string> = {
  'awaiting-approval': 'Awaiting approval',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  blocked: 'Blocked',
  'rolled-back': 'Rolled back',
  cancelled: 'Cancelled',
};

/** Label of any promotion, plan or plan item status ("rolled-back" → "Rolled back"). */
export function statusLabel(status: string | null | undefined): string {
  if (!status) return '–';
  const known = (PROMOTION_STATUS_LABELS as Record<string, string>)[status];
  if (known) return known;
  const words = status.replace(/[-_]/g, ' ');
  return words.charAt(0).toLocaleUpperCase('en-US') + words.slice(1);
}

/** Statuses in which the backend still moves a promotion or a plan: poll them. */
export const ACTIVE_PROMOTION_STATUSES = ['running', 'awaiting-approval'];

export type Tone = 'good' | 'warn' | 'bad' | 'busy' | 'neutral';

/** How a status feels: green, amber, red, blue or grey. */
export function toneOf(status: string | null | undefined): Tone {
  switch (status) {
    case 'succeeded':
    case 'pass':
    case 'passed':
    case 'deployed':
      return 'good';
    case 'warn':
    case 'awaiting-approval':
      return 'warn';
    case 'failed':
    case 'fail':
    case 'blocked':
    case 'rolled-back':
    case 'aborted':
    case 'cancelled':
      return 'bad';
    case 'running':
      return 'busy';
    default:
      return 'neutral';
  }
}

export const GATE_STATUS_LABELS: Record<GateStatus, string> = {
  pass: 'pass',
  warn: 'warning',
  fail: 'fail',
};
