import { MannWhitneyResult } from './types';
import { MannWhitneyError } from './mannWhitney';
import { normalQuantile } from './stats';
import { brentZeroin } from './brent';

/**
 * Reference implementation of the Mann-Whitney interval exactly as the
 * reference description (Kayenta's MannWhitney, R's wilcox.test) does it:
 * every evaluation of f(mu) concatenates (x − mu) and y, ranks them with ties
 * averaged (a sort), and Brent's method (R's zeroin, tol 1e-4) finds the
 * roots. Used by tests and by `yarn bench:judge` as the baseline; the judge
 * itself uses the exact {@link mannWhitney}.
 */

/** Root finder tolerance of the reference (R's uniroot tol). */
export const REFERENCE_TOLERANCE = 1e-4;

function wdiff(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  mu: number,
  zq: number,
): number {
  const n = x.length;
  const m = y.length;
  const all = new Array<{ v: number; isX: boolean }>(n + m);
  for (let i = 0; i < n; i++) all[i] = { v: x[i] - mu, isX: true };
  for (let j = 0; j < m; j++) all[n + j] = { v: y[j], isX: false };
  all.sort((p, q) => p.v - q.v);
  let sumRankX = 0;
  let tieSum = 0;
  let k = 0;
  while (k < all.length) {
    let e = k + 1;
    while (e < all.length && all[e].v === all[k].v) e++;
    const t = e - k;
    const rank = (k + 1 + e) / 2;
    for (let q = k; q < e; q++) if (all[q].isX) sumRankX += rank;
    tieSum += t * t * t - t;
    k = e;
  }
  const dz = sumRankX - (n * (n + 1)) / 2 - (n * m) / 2;
  const correction = Math.sign(dz) * 0.5;
  const sigma = Math.sqrt(
    ((n * m) / 12) * (n + m + 1 - tieSum / ((n + m) * (n + m - 1))),
  );
  if (sigma === 0) {
    throw new MannWhitneyError(
      'cannot compute confidence interval when all observations are tied',
    );
  }
  return (dz - correction) / sigma - zq;
}

/** Counts f(mu) evaluations (each one a full re-rank) for the benchmark. */
export const referenceStats = { evaluations: 0 };

/**
 * The reference Mann-Whitney: root finding over re-ranked samples.
 * @public
 */
export function mannWhitneyReference(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  confidenceLevel: number,
  tol: number = REFERENCE_TOLERANCE,
): MannWhitneyResult {
  if (x.length === 0 || y.length === 0) {
    throw new MannWhitneyError('both samples need at least one value');
  }
  let muMin = Infinity;
  let muMax = -Infinity;
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (x[i] < xMin) xMin = x[i];
    if (x[i] > xMax) xMax = x[i];
  }
  for (let j = 0; j < y.length; j++) {
    if (y[j] < yMin) yMin = y[j];
    if (y[j] > yMax) yMax = y[j];
  }
  muMin = xMin - yMax;
  muMax = xMax - yMin;
  const findRoot = (zq: number) => {
    const f = (mu: number) => {
      referenceStats.evaluations++;
      return wdiff(x, y, mu, zq);
    };
    const fLower = f(muMin);
    if (fLower <= 0) return muMin;
    const fUpper = f(muMax);
    if (fUpper >= 0) return muMax;
    return brentZeroin(f, muMin, muMax, fLower, fUpper, tol);
  };
  const z = normalQuantile((1 - confidenceLevel) / 2);
  const lower = findRoot(-z);
  const upper = findRoot(z);
  const estimate = findRoot(0);
  return {
    estimate,
    confidenceInterval: [Math.min(lower, upper), Math.max(lower, upper)],
  };
}
