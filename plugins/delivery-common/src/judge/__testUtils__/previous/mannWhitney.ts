import { MannWhitneyResult } from '../../types';
import { normalQuantile } from '../../stats';
import { brentZeroin } from '../../brent';
import { DiffSelector } from './selectDiffs';
import { sortedFloat64 } from './sortSample';

/** Absolute tolerance of Kayenta's root finder (R's uniroot tol). */
export const ROOT_TOLERANCE = 1e-4;

/**
 * Thrown when the Mann-Whitney confidence interval cannot be computed (all
 * observations tied at an end of the search range, as Kayenta/R refuse).
 * @public
 */
export class MannWhitneyError extends Error {
  readonly name = 'MannWhitneyError';
}

/**
 * Exact value of the Wilcoxon statistic at a shift `mu`, by merging the two
 * sorted samples (x − mu) and y: ties averaged, as R's `rank` does.
 * Returns dz = Σrank(x) − nx(nx+1)/2 − nx·ny/2 and its tie-corrected σ.
 */
export function wilcoxonAt(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  mu: number,
): { dz: number; sigma: number } {
  const n = x.length;
  const m = y.length;
  let i = 0;
  let j = 0;
  let r = 0;
  let sumRankX = 0;
  let tieSum = 0;
  while (i < n || j < m) {
    const xv = i < n ? x[i] - mu : Infinity;
    const yv = j < m ? y[j] : Infinity;
    const v = xv < yv ? xv : yv;
    let tx = 0;
    let ty = 0;
    while (i < n && x[i] - mu === v) {
      tx++;
      i++;
    }
    while (j < m && y[j] === v) {
      ty++;
      j++;
    }
    const t = tx + ty;
    sumRankX += tx * (r + (t + 1) / 2);
    tieSum += t * t * t - t;
    r += t;
  }
  const dz = sumRankX - (n * (n + 1)) / 2 - (n * m) / 2;
  const sigma = Math.sqrt(
    ((n * m) / 12) * (n + m + 1 - tieSum / ((n + m) * (n + m - 1))),
  );
  return { dz, sigma };
}

/**
 * {@link wilcoxonAt} for a shift at an end of the search range, where the
 * shifted x hardly overlaps y: dz = U − nx·ny/2 with
 * U = Σ #{y < x − mu} + ½·#{y = x − mu}, counted per tie group of x − mu;
 * only groups inside y's range need a (binary) search. Same values as the
 * merge, exactly (integers and halves). `tieSumY` is Σ(t³ − t) over y's ties.
 */
export function wilcoxonAtEnd(
  x: Float64Array,
  y: Float64Array,
  mu: number,
  tieSumY: number,
): { dz: number; sigma: number } {
  const n = x.length;
  const m = y.length;
  const yMin = y[0];
  const yMax = y[m - 1];
  let u = 0;
  let tieSum = tieSumY;
  let i = 0;
  while (i < n) {
    const v = x[i] - mu;
    let e = i + 1;
    while (e < n && x[e] - mu === v) e++;
    const tu = e - i;
    tieSum += tu * tu * tu - tu;
    if (v > yMax) u += tu * m;
    else if (v >= yMin) {
      const below = lowerBound(y, v);
      let upTo = below;
      while (upTo < m && y[upTo] === v) upTo++;
      const ty = upTo - below;
      u += tu * (below + ty / 2);
      if (ty > 0) {
        const t = tu + ty;
        tieSum += t * t * t - t - (tu * tu * tu - tu) - (ty * ty * ty - ty);
      }
    }
    i = e;
  }
  const dz = u - (n * m) / 2;
  const sigma = Math.sqrt(
    ((n * m) / 12) * (n + m + 1 - tieSum / ((n + m) * (n + m - 1))),
  );
  return { dz, sigma };
}

/** Number of values of sorted `a` below v. */
function lowerBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Mean, variance (about the middle value, for precision) and Σ(t³ − t) over
 * the tie groups of one sorted sample, in one pass.
 */
function summary(s: Float64Array): {
  mean: number;
  variance: number;
  ties: number;
  plainMean: number;
} {
  const n = s.length;
  if (n === 0) return { mean: NaN, variance: NaN, ties: 0, plainMean: NaN };
  const c = s[n >> 1];
  let sum = 0;
  let plain = 0;
  let sq = 0;
  let ties = 0;
  let run = 1;
  let prev = s[0];
  for (let i = 0; i < n; i++) {
    const v = s[i];
    const d = v - c;
    plain += v;
    sum += d;
    sq += d * d;
    if (i > 0) {
      if (v === prev) run++;
      else {
        ties += run * run * run - run;
        run = 1;
      }
    }
    prev = v;
  }
  ties += run * run * run - run;
  const mean = sum / n;
  return {
    mean: c + mean,
    variance: Math.max(0, sq / n - mean * mean),
    ties,
    // summed left to right as stats' mean does: the same value, bit for bit
    plainMean: plain / n,
  };
}

/** Number of pairs with x[i] − y[j] ≤ t (x, y ascending): one merge-like pass. */
function countAtMost(x: Float64Array, y: Float64Array, t: number): number {
  const n = x.length;
  const m = y.length;
  let j = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    while (j < m && xi - y[j] > t) j++;
    if (j === m) break;
    c += m - j;
  }
  return c;
}

/** In-place selection of the k-th smallest (0-based) of a[0..len). */
function quickselect(a: Float64Array, len: number, k: number): number {
  let lo = 0;
  let hi = len - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three as pivot
    const l = a[lo];
    const c = a[mid];
    const h = a[hi];
    const p = Math.max(Math.min(l, c), Math.min(Math.max(l, c), h));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < p) i++;
      while (a[j] > p) j--;
      if (i <= j) {
        const tmp = a[i];
        a[i] = a[j];
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

const EMPTY = new Float64Array(0);

/**
 * Selection of order statistics of the pairwise differences x[i] − y[j]
 * without materialising the n·m differences: the value range is narrowed by
 * counting passes (O(n + m) each; first probes from a normal approximation of
 * the difference distribution, then interpolation), and only the few
 * differences left in the bracket are gathered and selected.
 */
export class PairwiseDifferences {
  readonly n: number;
  readonly m: number;
  readonly total: number;
  private readonly meanDiff: number;
  private readonly sdDiff: number;
  private scratch: Float64Array = EMPTY;
  /** Counting passes made so far (for tests and the benchmark). */
  passes = 0;

  /** Σ(t³ − t) over the tie groups of x and of y. */
  readonly tieX: number;
  readonly tieY: number;
  /** The samples' means, exactly as `mean` in stats computes them. */
  readonly meanX: number;
  readonly meanY: number;

  constructor(readonly x: Float64Array, readonly y: Float64Array) {
    this.n = x.length;
    this.m = y.length;
    this.total = this.n * this.m;
    const sx = summary(x);
    const sy = summary(y);
    this.tieX = sx.ties;
    this.tieY = sy.ties;
    this.meanX = sx.plainMean;
    this.meanY = sy.plainMean;
    this.meanDiff = sx.mean - sy.mean;
    this.sdDiff = Math.sqrt(sx.variance + sy.variance);
  }

  /** Every (threshold, count) measured so far: later selections start from them. */
  private knownT: number[] = [];
  private knownC: number[] = [];

  private count(t: number): number {
    this.passes++;
    const c = countAtMost(this.x, this.y, t);
    this.knownT.push(t);
    this.knownC.push(c);
    return c;
  }

  /**
   * Next probe for a target rank: the secant through the two measured points
   * nearest to it in rank (the local slope of the count function), which is
   * far better than interpolating across a wide bracket; the normal
   * approximation when nothing near is known yet.
   */
  private secant(
    target: number,
    a: number,
    ca: number,
    b: number,
    cb: number,
  ): number {
    const T = this.knownT;
    const C = this.knownC;
    let i1 = -1;
    let i2 = -1;
    let d1 = Infinity;
    let d2 = Infinity;
    for (let q = 0; q < T.length; q++) {
      const d = Math.abs(C[q] - target);
      if (d < d1) {
        i2 = i1;
        d2 = d1;
        i1 = q;
        d1 = d;
      } else if (d < d2 && T[q] !== T[i1]) {
        i2 = q;
        d2 = d;
      }
    }
    const near = Math.max(this.n + this.m, (cb - ca) / 4);
    if (
      i1 >= 0 &&
      i2 >= 0 &&
      C[i1] !== C[i2] &&
      T[i1] !== T[i2] &&
      d2 < 4 * near
    ) {
      return T[i1] + ((T[i2] - T[i1]) * (target - C[i1])) / (C[i2] - C[i1]);
    }
    if (cb - ca > this.total / 8 && this.sdDiff > 0) return this.guess(target);
    return a + ((b - a) * (target - ca)) / (cb - ca);
  }

  private guess(rank: number): number {
    const p = (rank - 0.5) / this.total;
    return this.meanDiff + this.sdDiff * normalQuantile(p);
  }

  /**
   * The order statistics k1…k2 (1-based, inclusive) of each group, through
   * the indexed selector ({@link DiffSelector}) for large samples, with
   * {@link PairwiseDifferences.select} as the general fallback.
   */
  selectGroups(groups: Array<[number, number]>): number[][] {
    // built for this call only: the selector works in shared buffers
    const fast =
      this.total > 4096 &&
      this.n >= 16 &&
      this.m >= 16 &&
      this.sdDiff > 0 &&
      DiffSelector.usable(this.y)
        ? new DiffSelector(
            this.x,
            this.y,
            this.meanDiff,
            this.sdDiff,
          ).selectMany(groups)
        : [];
    return groups.map(([k1, k2], g) => {
      const v = fast[g];
      if (v) return v;
      this.select(k1, k2);
      return this.run.slice(0, k2 - k1 + 1);
    });
  }

  /** `count` (≤ 3) consecutive order statistics from the k-th smallest, from one bracket. */
  selectRun(k: number, count: number): number[] {
    const last = Math.min(this.total, k + count - 1);
    this.select(k, last);
    return this.run.slice(0, last - k + 1);
  }

  private run: number[] = [];

  /**
   * The k1-th and k2-th smallest differences (1-based, k1 ≤ k2 ≤ k1 + a few),
   * sharing one bracket.
   */
  select(k1: number, k2: number = k1): [number, number] {
    const { x, y, n, m, total } = this;
    const dMin = x[0] - y[m - 1];
    const dMax = x[n - 1] - y[0];
    // (a, b] brackets the answer with ca = #{d ≤ a}: just below the
    // smallest difference nothing is ≤ a, so no counting pass is needed
    const below = nextDown(dMin);
    let a = below;
    let ca = 0;
    let b = dMax;
    let cb = total;
    for (let q = 0; q < this.knownT.length; q++) {
      const t = this.knownT[q];
      const c = this.knownC[q];
      if (c < k1 && t > a) {
        a = t;
        ca = c;
      } else if (c >= k2 && t < b) {
        b = t;
        cb = c;
      }
    }
    const fresh = a === below && b === dMax;
    const limit = Math.max(64, (n + m) >> 2);
    // Probes: first two from the normal approximation, aimed just below k1
    // and just above k2; then linear interpolation inside the bracket, aimed
    // past the target on the side that is further away.
    let probe = 0;
    let margin = limit / 4;
    let stalled = 0;
    while (cb - ca > limit && b > a && stalled < 4) {
      const before = cb - ca;
      let t: number;
      let wantHigh = cb - k2 > k1 - ca;
      if (probe < 2) wantHigh = probe === 1;
      let target = wantHigh ? k2 + margin : k1 - margin;
      if (target <= ca) target = (ca + k1) / 2;
      if (target >= cb) target = (cb + k2) / 2;
      if (fresh && probe < 2 && this.sdDiff > 0) {
        t = this.guess(target);
      } else {
        t = this.secant(target, a, ca, b, cb);
      }
      if (!(t > a && t < b)) t = a + (b - a) / 2;
      if (!(t > a && t < b)) break; // no representable point left between a and b
      const c = this.count(t);
      if (c >= k2) {
        b = t;
        cb = c;
        if (!wantHigh && probe >= 2) margin *= 2;
      } else if (c < k1) {
        a = t;
        ca = c;
        if (wantHigh && probe >= 2) margin *= 2;
      } else {
        // k1 ≤ c < k2: t splits the run; select each separately
        const vs: number[] = [];
        for (let k = k1; k <= k2; k++) vs.push(this.select(k, k)[0]);
        this.run = vs;
        return [vs[0], vs[vs.length - 1]];
      }
      probe++;
      // a block of equal differences cannot be split by value: stop early
      stalled = cb - ca > before * 0.9 ? stalled + 1 : 0;
    }
    // gather the differences in (a, b] and select within them
    const size = cb - ca;
    if (this.scratch.length < size) this.scratch = new Float64Array(size);
    const buf = this.scratch;
    let len = 0;
    let jb = 0; // first j with x[i] − y[j] ≤ b
    let ja = 0; // first j with x[i] − y[j] ≤ a
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      while (jb < m && xi - y[jb] > b) jb++;
      if (jb === m) break;
      while (ja < m && xi - y[ja] > a) ja++;
      for (let j = jb; j < ja; j++) buf[len++] = xi - y[j];
    }
    const v1 = quickselect(buf, len, k1 - ca - 1);
    if (k2 === k1) {
      this.run = [v1];
      return [v1, v1];
    }
    // after quickselect every element after index k1−ca−1 is ≥ v1: the next
    // order statistics are the smallest of that tail
    let s1 = Infinity;
    let s2 = Infinity;
    for (let i = k1 - ca; i < len; i++) {
      const v = buf[i];
      if (v < s1) {
        s2 = s1;
        s1 = v;
      } else if (v < s2) s2 = v;
    }
    this.run = k2 - k1 === 1 ? [v1, s1] : [v1, s1, s2];
    if (k2 - k1 > 2) {
      for (let k = k1 + 3; k <= k2; k++)
        this.run.push(quickselect(buf, len, k - ca - 1));
    }
    return [v1, this.run[this.run.length - 1]];
  }
}

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

/** The largest double below v (finite v). */
function nextDown(v: number): number {
  if (v === 0) return -Number.MIN_VALUE;
  f64[0] = v;
  i64[0] += v > 0 ? -1n : 1n;
  return f64[0];
}

function sign(v: number): number {
  return Math.sign(v);
}

interface Prepared {
  x: Float64Array;
  y: Float64Array;
  diffs: PairwiseDifferences;
  sigma0: number;
  /** Kayenta's f at the ends of the search range, exact (computed when first read). */
  lo: { mu: number; dz: number; sigma: number };
  hi: { mu: number; dz: number; sigma: number };
  /** f(lo, zq) > 0 is certain for this zq without the exact sum (see prepare). */
  loAbove: (zq: number) => boolean;
  /** f(hi, zq) < 0 is certain for this zq without the exact sum. */
  hiBelow: (zq: number) => boolean;
}

/** Number of i with x[i] − mu > v (x ascending: a suffix), by binary search. */
function countAbove(x: Float64Array, mu: number, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] - mu > v) hi = mid;
    else lo = mid + 1;
  }
  return x.length - lo;
}

/** Number of i with x[i] − mu ≥ v. */
function countAtLeast(x: Float64Array, mu: number, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] - mu >= v) hi = mid;
    else lo = mid + 1;
  }
  return x.length - lo;
}

function prepare(x: Float64Array, y: Float64Array): Prepared {
  if (x.length === 0 || y.length === 0) {
    throw new MannWhitneyError('both samples need at least one value');
  }
  const n = x.length;
  const m = y.length;
  const muMin = x[0] - y[m - 1];
  const muMax = x[n - 1] - y[0];
  const diffs = new PairwiseDifferences(x, y);
  const tieY = diffs.tieY;
  const ties = diffs.tieX + tieY;
  const sigma0 = Math.sqrt(
    ((n * m) / 12) * (n + m + 1 - ties / ((n + m) * (n + m - 1))),
  );
  // Bounds that settle Kayenta's end checks without the exact rank sums in
  // the usual case: at mu = muMin every shifted x above max(y) adds m to U,
  // the others ≥ 0, so dz ≥ dzLow; at muMax every shifted x below min(y)
  // adds 0, the others ≤ m, so dz ≤ dzHigh; and σ ≤ σmax (ties only lower
  // it). With dz ≥ dzLow > ½: f(lo) ≥ (dzLow − ½)/σmax − zq; with
  // dz ≤ dzHigh < −½: f(hi) ≤ (dzHigh + ½)/σmax − zq. (All tied, σ = 0,
  // means dz = 0: never settled by a bound, so the exact check still throws.)
  const sigmaMax = Math.sqrt(((n * m) / 12) * (n + m + 1));
  const dzLow = m * countAbove(x, muMin, y[m - 1]) - (n * m) / 2;
  const dzHigh = m * countAtLeast(x, muMax, y[0]) - (n * m) / 2;
  let lo: Prepared['lo'] | undefined;
  let hi: Prepared['hi'] | undefined;
  return {
    x,
    y,
    diffs,
    sigma0,
    get lo() {
      lo ??= { mu: muMin, ...wilcoxonAtEnd(x, y, muMin, tieY) };
      return lo;
    },
    get hi() {
      hi ??= { mu: muMax, ...wilcoxonAtEnd(x, y, muMax, tieY) };
      return hi;
    },
    loAbove: zq => dzLow > 0.5 && (dzLow - 0.5) / sigmaMax - zq > 0,
    hiBelow: zq => dzHigh < -0.5 && (dzHigh + 0.5) / sigmaMax - zq < 0,
  };
}

function endpointF(e: { dz: number; sigma: number }, zq: number): number {
  if (e.sigma === 0 || !Number.isFinite(e.sigma)) {
    throw new MannWhitneyError(
      'cannot compute confidence interval when all observations are tied',
    );
  }
  return (e.dz - sign(e.dz) * 0.5) / e.sigma - zq;
}

/**
 * The root of Kayenta's f(mu) = (dz − sign(dz)/2)/σ − zq, found exactly.
 * Away from the points mu = x[i] − y[j], dz = #{d > mu} − N/2 with d the
 * pairwise differences and σ = σ0 (ties within each sample only), so f is a
 * non-increasing step function that jumps only at order statistics of d: the
 * root is the order statistic where f changes sign (the midpoint of the
 * interval where f is exactly 0, if there is one) — the point Brent's method
 * converges to. The end checks are Kayenta's: f(lo) ≤ 0 → lo, f(hi) ≥ 0 → hi.
 */
function root(p: Prepared, zq: number): RootPlan {
  if (!p.loAbove(zq) && endpointF(p.lo, zq) <= 0) return { value: p.lo.mu };
  if (!p.hiBelow(zq) && endpointF(p.hi, zq) >= 0) return { value: p.hi.mu };
  const N = p.diffs.total;
  const half = N / 2;
  const s0 = p.sigma0;
  const h = (c: number) => {
    const dz = c - half;
    return (dz - sign(dz) * 0.5) / s0 - zq;
  };
  if (!(s0 > 0)) {
    throw new MannWhitneyError(
      'cannot compute confidence interval when all observations are tied',
    );
  }
  let cLow = Math.floor(half + zq * s0 + 0.5 * sign(zq));
  if (cLow > N) cLow = N;
  if (cLow < -1) cLow = -1;
  while (cLow < N && h(cLow + 1) < 0) cLow++;
  while (cLow >= 0 && h(cLow) >= 0) cLow--;
  let cHigh = cLow + 1;
  while (cHigh <= N && h(cHigh) <= 0) cHigh++;
  const clamp = (k: number) => Math.min(N, Math.max(1, k));
  const rLow = clamp(N - cHigh + 1);
  const rHigh = clamp(N - cLow);
  // the midpoint of the rLow-th and rHigh-th smallest differences
  if (rHigh - rLow <= 2) return { groups: [[rLow, rHigh]] };
  return {
    groups: [
      [rLow, rLow],
      [rHigh, rHigh],
    ],
  };
}

/** A root known outright, or the order statistics whose midpoint it is. */
type RootPlan = { value: number } | { groups: Array<[number, number]> };

/**
 * Mann-Whitney (Wilcoxon rank-sum) confidence interval and Hodges–Lehmann
 * estimate of the shift x − y, as Kayenta computes them (R's
 * `wilcox.test(x, y, conf.int = TRUE, correct = TRUE)`, normal approximation)
 * — but exactly, from order statistics of the pairwise differences instead of
 * root finding over re-ranked samples.
 *
 * @param x - canary sample
 * @param y - baseline sample
 * @param confidenceLevel - e.g. 0.98
 * @public
 */
export function mannWhitney(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  confidenceLevel: number,
): MannWhitneyResult {
  return mannWhitneySorted(sortedFloat64(x), sortedFloat64(y), confidenceLevel);
}

/**
 * {@link mannWhitney} for samples already sorted ascending (no NaN).
 * @public
 */
export function mannWhitneySorted(
  x: Float64Array,
  y: Float64Array,
  confidenceLevel: number,
): MannWhitneyResult {
  const { estimate, confidenceInterval } = mannWhitneyDetailed(
    x,
    y,
    confidenceLevel,
  );
  return { estimate, confidenceInterval };
}

/**
 * Brent's method (R's zeroin, tol 1e-4) on Kayenta's f(mu, zq), each
 * evaluation exact in O(n + m) by merging the sorted samples. Bit-for-bit the
 * root Kayenta's procedure returns (same f values, same iterates); used where
 * the exact order statistic and Brent's approximation of it could decide
 * differently, and for the estimate when f(mu, 0) is 0 on a wide interval.
 */
/** Counters for tests and the benchmark. */
export const mannWhitneyStats = { brentReplays: 0 };

function brentRoot(p: Prepared, zq: number): number {
  mannWhitneyStats.brentReplays++;
  const fLo = endpointF(p.lo, zq);
  if (fLo <= 0) return p.lo.mu;
  const fHi = endpointF(p.hi, zq);
  if (fHi >= 0) return p.hi.mu;
  const f = (mu: number) => endpointF(wilcoxonAt(p.x, p.y, mu), zq);
  return brentZeroin(f, p.lo.mu, p.hi.mu, fLo, fHi, ROOT_TOLERANCE);
}

/**
 * Hodges–Lehmann estimate: the median of the pairwise differences, and the
 * interval [L, R] on which Kayenta's f(mu, 0) is exactly 0 (Brent's method
 * stops at some point of it, so any point of it is Kayenta's estimate up to
 * the root finder's choice). Kayenta's end checks decide first.
 */
function estimateOf(
  p: Prepared,
):
  | { estimate: number; range: [number, number] }
  | { groups: Array<[number, number]>; odd: boolean } {
  if (!p.loAbove(0) && endpointF(p.lo, 0) <= 0)
    return { estimate: p.lo.mu, range: [p.lo.mu, p.lo.mu] };
  if (!p.hiBelow(0) && endpointF(p.hi, 0) >= 0)
    return { estimate: p.hi.mu, range: [p.hi.mu, p.hi.mu] };
  const N = p.diffs.total;
  if (N === 1) return { groups: [[1, 1]], odd: true };
  if (N % 2 === 1)
    return { groups: [[(N + 1) / 2 - 1, (N + 1) / 2 + 1]], odd: true };
  return { groups: [[N / 2, N / 2 + 1]], odd: false };
}

/** {@link mannWhitneySorted} plus the interval where Kayenta's estimate may lie. */
export function mannWhitneyDetailed(
  x: Float64Array,
  y: Float64Array,
  confidenceLevel: number,
): MannWhitneyResult & {
  estimateRange: [number, number];
  /** mean(x) and mean(y), as stats' `mean` computes them (from the same pass). */
  means: [number, number];
} {
  if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
    throw new RangeError(
      `confidenceLevel must be between 0 and 1, got ${confidenceLevel}`,
    );
  }
  const p = prepare(x, y);
  const z = normalQuantile((1 - confidenceLevel) / 2); // negative
  const lowerPlan = root(p, -z);
  const upperPlan = root(p, z);
  const estPlan = estimateOf(p);
  // every order statistic needed, selected together
  const groups: Array<[number, number]> = [];
  for (const plan of [lowerPlan, upperPlan, estPlan]) {
    if ('groups' in plan) groups.push(...plan.groups);
  }
  const values = groups.length ? p.diffs.selectGroups(groups) : [];
  let next = 0;
  const rootValue = (plan: RootPlan): number => {
    if ('value' in plan) return plan.value;
    if (plan.groups.length === 1) {
      const v = values[next++];
      return v.length === 1 ? v[0] : (v[0] + v[v.length - 1]) / 2;
    }
    const a = values[next++][0];
    const b = values[next++][0];
    return (a + b) / 2;
  };
  const lower = rootValue(lowerPlan);
  const upper = rootValue(upperPlan);
  let estimate: number;
  let range: [number, number];
  if ('groups' in estPlan) {
    const v = values[next++];
    if (v.length === 1) {
      estimate = v[0];
      range = [v[0], v[0]];
    } else if (estPlan.odd) {
      estimate = v[1];
      range = [v[0], v[2]];
    } else {
      estimate = (v[0] + v[1]) / 2;
      range = [v[0], v[1]];
    }
  } else {
    ({ estimate, range } = estPlan);
  }
  return {
    estimate,
    confidenceInterval: [Math.min(lower, upper), Math.max(lower, upper)],
    estimateRange: range,
    means: [p.diffs.meanX, p.diffs.meanY],
  };
}

/**
 * Kayenta's procedure replayed exactly (Brent over exact evaluations) for
 * sorted samples: the classifier uses it when a decision lies within the root
 * finder's tolerance of its threshold, so classifications equal Kayenta's.
 */
export function mannWhitneyBrentSorted(
  x: Float64Array,
  y: Float64Array,
  confidenceLevel: number,
): MannWhitneyResult {
  const p = prepare(x, y);
  const z = normalQuantile((1 - confidenceLevel) / 2);
  const lower = brentRoot(p, -z);
  const upper = brentRoot(p, z);
  return {
    estimate: brentRoot(p, 0),
    confidenceInterval: [Math.min(lower, upper), Math.max(lower, upper)],
  };
}
