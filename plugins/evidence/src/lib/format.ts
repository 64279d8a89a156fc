import type { EvidenceSubject } from '@assay/plugin-evidence-common';

const dateTime = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

const valid = (d: Date) => !Number.isNaN(d.getTime());

export function formatDateTime(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return valid(d) ? dateTime.format(d) : iso;
}

export function formatDate(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return valid(d) ? dateOnly.format(d) : iso;
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['week', 7 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];

/** "3 days ago", "in 2 years" */
export function formatRelative(
  iso: string | undefined,
  now = Date.now(),
): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const seconds = Math.round((t - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) {
      return relative.format(Math.round(seconds / size), unit);
    }
  }
  return 'just now';
}

export const shortHash = (hash: string | null | undefined, n = 12) =>
  hash ? hash.replace(/^sha256:/, '').slice(0, n) : '—';

/** "v1.4.2 · 3f2a1bc · run-0412 · staging" */
export function formatSubject(subject: EvidenceSubject | undefined): string {
  if (!subject) return '';
  const parts: string[] = [];
  if (subject.version) parts.push(`v${subject.version.replace(/^v/, '')}`);
  if (subject.commit) parts.push(subject.commit.slice(0, 7));
  if (subject.featureSha)
    parts.push(`feature ${subject.featureSha.slice(0, 7)}`);
  if (subject.runId) parts.push(subject.runId);
  if (subject.environment) parts.push(subject.environment);
  return parts.join(' · ');
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return `${v.toFixed(1)} ${units[i]}`;
}

/** "user:default/jane" → "jane"; other principals unchanged */
export const formatProducer = (producer: string | undefined) =>
  producer ? producer.replace(/^user:default\//, '') : '—';

export const formatCount = (n: number) => n.toLocaleString('en-US');
