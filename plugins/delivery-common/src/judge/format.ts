/** Number formatting for the plain-words reasons. */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined) return 'n/a';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (v === 0) return '0';
  // small integers (thresholds, weights, scores) print as themselves
  if (Number.isInteger(v) && v < 1e4 && v > -1e4) return String(v);
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

export function fmtInterval(ci: [number, number]): string {
  return `[${fmt(ci[0])}, ${fmt(ci[1])}]`;
}

export function pct(v: number): string {
  return `${Number((v * 100).toPrecision(4))}%`;
}
