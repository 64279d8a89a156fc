import { CanaryRunStatus, MetricClassification } from '../api/types';

/** A number for people: up to 4 significant digits, no exponent for everyday sizes. */
export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '−∞';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 0.001 || abs >= 1e7)) return n.toExponential(2);
  return Number(n.toPrecision(4)).toLocaleString('en-US', {
    maximumFractionDigits: 6,
  });
}

export function formatInterval(ci: Array<number | null> | null | undefined) {
  if (!ci || ci.length < 2) return '–';
  return `[${formatNumber(ci[0])}, ${formatNumber(ci[1])}]`;
}

export const STATUS_LABELS: Record<CanaryRunStatus, string> = {
  running: 'Running',
  paused: 'Paused',
  succeeded: 'Succeeded',
  rolled_back: 'Rolled back',
  aborted: 'Aborted',
};

export const CLASSIFICATION_LABELS: Record<MetricClassification, string> = {
  Pass: 'Pass',
  High: 'High',
  Low: 'Low',
  Nodata: 'No data',
  NodataFailMetric: 'No data (fails)',
  Error: 'Error',
};

/**
 * Short, readable summary of a sample summary object ({ n, mean, p50, max, … }),
 * values with their unit; `count` is left out when `n` says the same.
 */
export function formatSample(
  sample: Record<string, unknown> | null | undefined,
  unit?: string,
) {
  if (!sample) return '–';
  const order = ['n', 'count', 'mean', 'p50', 'p95', 'p99', 'min', 'max'];
  const keys = [
    ...order.filter(k => k in sample),
    ...Object.keys(sample).filter(k => !order.includes(k)),
  ].filter(k => !(k === 'count' && sample.n === sample.count));
  const counts = ['n', 'count'];
  return keys
    .map(k => {
      const v = sample[k];
      if (typeof v !== 'number') return `${k} ${String(v)}`;
      return `${k} ${formatNumber(v)}${
        unit && !counts.includes(k) ? ` ${unit}` : ''
      }`;
    })
    .join(', ');
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString('en-GB', {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZone: 'UTC',
    timeZoneName: 'short',
  });
}

/** "user:default/guest" → "guest" */
export function shortRef(ref: string | null | undefined): string {
  if (!ref) return '–';
  const slash = ref.lastIndexOf('/');
  return slash >= 0 ? ref.slice(slash + 1) : ref;
}

export const shortHash = (hash: string) => hash.slice(0, 12);

/** 3725 → "1 h 2 min"; 42 → "42 s"; null → "–". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds))
    return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    const rest = minutes % 60;
    return rest ? `${hours} h ${rest} min` : `${hours} h`;
  }
  const days = Math.floor(hours / 24);
  const restHours = hours % 24;
  return restHours ? `${days} d ${restHours} h` : `${days} d`;
}

/** 0.875 → "87.5%"; null → "–". */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '–';
  return `${Number((rate * 100).toFixed(1))}%`;
}
