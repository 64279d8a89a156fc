/** Exact powers of ten 10^0 … 10^22. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * Number(v.toPrecision(4)), without the string round trip where that is
 * safe: for 1e-4 ≤ |v| < 1e6 the four digits are |v|·10^k rounded (k chosen
 * so that this lies in [1000, 10000)); the product is within 1e-12 of the
 * exact value, so away from a tie (fraction 0.5 ± 1e-6) it rounds as the
 * exact value does, and r / 10^k (both exact, one correctly rounded
 * division) is the double nearest to the decimal toPrecision writes. Near a
 * tie, at 10,000 and outside that range: toPrecision itself.
 */
function round4(v: number): number {
  const a = Math.abs(v);
  if (a >= 1e-4 && a < 1e6) {
    let k = 3 - Math.floor(Math.log10(a));
    let s = k >= 0 ? a * POW10[k] : a / POW10[-k];
    if (s < 1000) {
      k++;
      s = k >= 0 ? a * POW10[k] : a / POW10[-k];
    } else if (s >= 10000) {
      k--;
      s = k >= 0 ? a * POW10[k] : a / POW10[-k];
    }
    const r = Math.round(s);
    if (s >= 1000 && r < 10000 && Math.abs(s - Math.floor(s) - 0.5) > 1e-6) {
      const c = k >= 0 ? r / POW10[k] : r * POW10[-k];
      return v < 0 ? -c : c;
    }
  }
  return Number(v.toPrecision(4));
}

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
  return String(round4(v));
}

export function fmtInterval(ci: [number, number]): string {
  return `[${fmt(ci[0])}, ${fmt(ci[1])}]`;
}

export function pct(v: number): string {
  return `${round4(v * 100)}%`;
}
