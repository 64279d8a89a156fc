import fc from 'fast-check';
import { latency } from './__testUtils__/latency';
import {
  cleanSorted,
  SORT_PAD,
  sortedFloat64,
  sortedIndexOf,
} from './sortSample';
import { DiffSelector, pick, quickselectRange } from './selectDiffs';
import {
  mannWhitney,
  mannWhitneyDetailed,
  PairwiseDifferences,
  wilcoxonAt,
  wilcoxonAtEnd,
} from './mannWhitney';
import {
  mannWhitneyReference,
  REFERENCE_TOLERANCE,
} from './mannWhitneyReference';
import { normalQuantile as normalQuantileOf } from './stats';

/** Samples of the shapes the judge sees: continuous, tied, skewed, with outliers. */
const sample = (minLength: number, maxLength: number) =>
  fc.oneof(
    fc.array(
      fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }),
      { minLength, maxLength },
    ),
    fc.array(fc.integer({ min: 0, max: 20 }), { minLength, maxLength }),
    fc
      .array(fc.double({ min: 0, max: 1, noNaN: true }), {
        minLength,
        maxLength,
      })
      .map(a => a.map(v => 100 * Math.exp(3 * v))),
    fc
      .tuple(
        fc.array(fc.integer({ min: 0, max: 10_000 }), {
          minLength,
          maxLength,
        }),
        fc.integer({ min: 1, max: 1e9 }),
      )
      .map(([a, outlier]) => [...a.map(v => v / 100), outlier]),
  );

describe('cleanSorted / sortedFloat64', () => {
  it('sorts exactly as the native numeric sort and removes or zeroes non-finite values', () => {
    fc.assert(
      fc.property(
        sample(0, 300),
        fc.array(fc.constantFrom(NaN, Infinity, -Infinity), { maxLength: 5 }),
        fc.constantFrom<'remove' | 'replace'>('remove', 'replace'),
        (values, bad, strategy) => {
          const input = [...values, ...bad].sort(() => 0);
          const expected = Float64Array.from(
            input
              .filter(v => Number.isFinite(v) || strategy === 'replace')
              .map(v => (Number.isFinite(v) ? v : 0)),
          ).sort();
          expect(Array.from(cleanSorted(input, strategy))).toEqual(
            Array.from(expected),
          );
          expect(Array.from(sortedFloat64(values))).toEqual(
            Array.from(Float64Array.from(values).sort()),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reuses a slot buffer without mixing calls', () => {
    const a = Array.from(cleanSorted([3, 1, 2], 'remove', 0));
    const b = Array.from(cleanSorted([9, 8, 7, 6], 'remove', 0));
    expect(a).toEqual([1, 2, 3]);
    expect(b).toEqual([6, 7, 8, 9]);
  });

  it('sorts a heavy-tailed sample with most values in one bucket', () => {
    const values = [...latency(500, 3), 1e12, -1e12];
    expect(Array.from(sortedFloat64(values))).toEqual(
      Array.from(Float64Array.from(values).sort()),
    );
  });
});

describe('quickselectRange', () => {
  it('selects the k-th smallest and leaves only larger or equal values after it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -20, max: 20 }), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, q) => {
          const a = Float64Array.from(values);
          const k = Math.floor(q * (a.length - 1));
          const v = quickselectRange(a, 0, a.length - 1, k);
          expect(v).toBe(Float64Array.from(values).sort()[k]);
          for (let i = k + 1; i < a.length; i++)
            expect(a[i]).toBeGreaterThanOrEqual(v);
        },
      ),
    );
  });
});

describe('wilcoxonAtEnd', () => {
  it('equals the merge (wilcoxonAt) at both ends of the search range', () => {
    fc.assert(
      fc.property(sample(1, 80), sample(1, 80), (xs, ys) => {
        const x = Float64Array.from(xs).sort();
        const y = Float64Array.from(ys).sort();
        let tieY = 0;
        for (let k = 0; k < y.length; ) {
          let e = k + 1;
          while (e < y.length && y[e] === y[k]) e++;
          tieY += (e - k) ** 3 - (e - k);
          k = e;
        }
        for (const mu of [x[0] - y[y.length - 1], x[x.length - 1] - y[0], 0]) {
          const a = wilcoxonAt(x, y, mu);
          const b = wilcoxonAtEnd(x, y, mu, tieY);
          expect(b.dz).toBe(a.dz);
          expect(b.sigma).toEqual(a.sigma); // NaN equals NaN here
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('DiffSelector (indexed selection of pairwise differences)', () => {
  /** The k-th smallest difference, by the general selection. */
  const general = (
    x: Float64Array,
    y: Float64Array,
    k1: number,
    k2: number,
  ) => {
    const pd = new PairwiseDifferences(x, y);
    return pd.selectRun(k1, k2 - k1 + 1);
  };

  it('finds the same order statistics as the general selection (random samples, any ranks)', () => {
    fc.assert(
      fc.property(
        sample(16, 400),
        sample(16, 400),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
          minLength: 1,
          maxLength: 4,
        }),
        (xs, ys, qs) => {
          const x = Float64Array.from(xs).sort();
          const y = Float64Array.from(ys).sort();
          if (!DiffSelector.usable(y)) return;
          const pd = new PairwiseDifferences(x, y) as unknown as {
            meanDiff: number;
            sdDiff: number;
          };
          const N = x.length * y.length;
          const groups = qs.map(q => {
            const k1 = 1 + Math.floor(q * (N - 1));
            return [k1, Math.min(N, k1 + 2)] as [number, number];
          });
          const sel = new DiffSelector(x, y, pd.meanDiff, pd.sdDiff);
          const got = sel.selectMany(groups);
          groups.forEach(([k1, k2], g) => {
            // null means "fall back to the general selection": allowed
            const expected = general(x, y, k1, k2);
            expect(got[g] ?? expected).toEqual(expected);
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('finds the central order statistics on 1,000-value latency samples without falling back', () => {
    for (const [seed, shift, logNormal] of [
      [1, 1, false],
      [2, 1.05, false],
      [3, 1.02, true],
      [4, 1, true],
    ] as const) {
      const x = Float64Array.from(latency(1000, seed, shift, logNormal)).sort();
      const y = Float64Array.from(
        latency(1000, seed + 100, 1, logNormal),
      ).sort();
      const pd = new PairwiseDifferences(x, y) as unknown as {
        meanDiff: number;
        sdDiff: number;
      };
      const groups: Array<[number, number]> = [
        [449_000, 449_001],
        [500_000, 500_001],
        [551_000, 551_002],
      ];
      const sel = new DiffSelector(x, y, pd.meanDiff, pd.sdDiff);
      const got = sel.selectMany(groups);
      groups.forEach(([k1, k2], g) => {
        expect(got[g]).toEqual(general(x, y, k1, k2));
      });
      // two sampled counting passes (one row in 16, then one in 4) and one
      // gathering pass for all three
      expect(sel.passes).toBe(3);
    }
  });
});

describe('mannWhitney on large samples', () => {
  it('equals the root-finding reference within its tolerance (1,000 values a side)', () => {
    for (const [seed, shift, logNormal] of [
      [11, 1, false],
      [12, 1.1, false],
      [13, 1.03, true],
    ] as const) {
      const x = latency(1000, seed, shift, logNormal);
      const y = latency(1000, seed + 50, 1, logNormal);
      const fast = mannWhitney(x, y, 0.98);
      const ref = mannWhitneyReference(x, y, 0.98);
      expect(
        Math.abs(fast.confidenceInterval[0] - ref.confidenceInterval[0]),
      ).toBeLessThan(REFERENCE_TOLERANCE);
      expect(
        Math.abs(fast.confidenceInterval[1] - ref.confidenceInterval[1]),
      ).toBeLessThan(REFERENCE_TOLERANCE);
      // the reference's estimate lies in the interval where f(mu, 0) = 0
      const d = mannWhitneyDetailed(
        Float64Array.from(x).sort(),
        Float64Array.from(y).sort(),
        0.98,
      );
      expect(ref.estimate).toBeGreaterThanOrEqual(
        d.estimateRange[0] - REFERENCE_TOLERANCE,
      );
      expect(ref.estimate).toBeLessThanOrEqual(
        d.estimateRange[1] + REFERENCE_TOLERANCE,
      );
    }
  });

  it('gives the same interval and estimate as materialising every difference (400 tied values a side)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), {
          minLength: 200,
          maxLength: 400,
        }),
        fc.array(fc.integer({ min: 0, max: 40 }), {
          minLength: 200,
          maxLength: 400,
        }),
        (xs, ys) => {
          const x = Float64Array.from(xs).sort();
          const y = Float64Array.from(ys).sort();
          const fast = mannWhitneyDetailed(x, y, 0.98);
          // the same procedure with the general selection only
          const pd = new PairwiseDifferences(x, y);
          const N = pd.total;
          const median =
            N % 2 === 0
              ? (pd.selectRun(N / 2, 2)[0] + pd.selectRun(N / 2, 2)[1]) / 2
              : pd.selectRun((N + 1) / 2, 1)[0];
          expect(fast.estimate).toBe(median);
        },
      ),
      { numRuns: 20 },
    );
  });
});

/** Every pairwise difference x[i] − y[j], sorted: the O(n·m·log(n·m)) way. */
function materialised(x: ArrayLike<number>, y: ArrayLike<number>) {
  const d = new Float64Array(x.length * y.length);
  let k = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < y.length; j++) d[k++] = x[i] - y[j];
  }
  return d.sort();
}

/** Latency-like samples of any size: normal or log-normal, some rounded (ties). */
const latencySample = (minLength: number, maxLength: number) =>
  fc
    .tuple(
      fc.integer({ min: minLength, max: maxLength }),
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.double({ min: 0.9, max: 1.15, noNaN: true }),
      fc.boolean(),
      fc.boolean(),
    )
    .map(([n, seed, shift, logNormal, rounded]) =>
      latency(n, seed, shift, logNormal).map(v =>
        rounded ? Math.round(v) : v,
      ),
    );

describe('fast paths: bucket index from the sort, value-window selection', () => {
  it("cleanSorted leaves, for a slot, the bucket index of its result (the selector's index) and +∞ padding", () => {
    fc.assert(
      fc.property(
        fc.oneof(sample(40, 400), latencySample(40, 1500)),
        values => {
          const sorted = cleanSorted(values, 'remove', 1);
          const index = sortedIndexOf(sorted);
          const len = sorted.length;
          // a constant sample has no index (no bucket sort)
          expect(index === undefined).toBe(sorted[0] === sorted[len - 1]);
          if (!index) return;
          const { padded, start, buckets: B } = index;
          expect(Array.from(padded.subarray(0, len))).toEqual(
            Array.from(sorted),
          );
          expect(Array.from(padded.subarray(len, len + SORT_PAD))).toEqual(
            Array(SORT_PAD).fill(Infinity),
          );
          const min = sorted[0];
          const scale = B / (sorted[len - 1] - min);
          const bucket = (v: number) =>
            Math.min(B - 1, ((v - min) * scale) | 0);
          // start[b + 1] = number of values in buckets below b
          const perBucket = new Array(B).fill(0);
          for (const v of sorted) perBucket[bucket(v)]++;
          const below = [0, 0];
          for (let b = 1; b <= B; b++) {
            below.push(below[b] + perBucket[b - 1]);
          }
          below.push(len);
          expect(Array.from(start.subarray(0, B + 3))).toEqual(below);
          // any other array (a copy, a part) has no index
          expect(sortedIndexOf(sorted.slice())).toBeUndefined();
          expect(sortedIndexOf(sorted.subarray(1))).toBeUndefined();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('pick selects what sorting selects (near-uniform, tied and skewed brackets)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
            minLength: 1,
            maxLength: 3000,
          }),
          fc.array(fc.integer({ min: 0, max: 30 }), {
            minLength: 1,
            maxLength: 3000,
          }),
          fc
            .array(fc.double({ min: 0, max: 1, noNaN: true }), {
              minLength: 1,
              maxLength: 3000,
            })
            .map(a => a.map(v => v ** 6)),
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 3 }),
        (values, q, count) => {
          const buf = Float64Array.from(values);
          const len = buf.length;
          const sorted = Float64Array.from(values).sort();
          const n = Math.min(count, len);
          const idx0 = Math.min(len - n, Math.floor(q * len));
          // the bracket (lo, hi] the values were gathered in
          const lo = sorted[0] - 1e-3;
          const hi = sorted[len - 1];
          expect(pick(buf, len, idx0, n, lo, hi)).toEqual(
            Array.from(sorted.subarray(idx0, idx0 + n)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('order statistics of x − y equal the materialised, sorted differences (baseline indexed by the sort)', () => {
    let selected = 0;
    fc.assert(
      fc.property(
        fc.oneof(sample(65, 150), latencySample(65, 150)),
        fc.oneof(sample(65, 150), latencySample(65, 150)),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
          minLength: 1,
          maxLength: 5,
        }),
        (xs, ys, qs) => {
          const x = cleanSorted(xs, 'remove', 0);
          const y = cleanSorted(ys, 'remove', 1);
          if (!DiffSelector.usable(y)) return;
          const d = materialised(x, y);
          const N = d.length;
          const pd = new PairwiseDifferences(x, y) as unknown as {
            meanDiff: number;
            sdDiff: number;
          };
          const groups = qs.map(q => {
            const k1 = 1 + Math.floor(q * (N - 1));
            return [k1, Math.min(N, k1 + 1 + Math.floor(q * 2))] as [
              number,
              number,
            ];
          });
          const got = new DiffSelector(x, y, pd.meanDiff, pd.sdDiff).selectMany(
            groups,
          );
          // null means "fall back to the general selection": allowed
          const answered = groups.filter((_, g) => got[g] !== null);
          expect(got.filter(v => v !== null)).toEqual(
            answered.map(([k1, k2]) => Array.from(d.subarray(k1 - 1, k2))),
          );
          selected += answered.length;
        },
      ),
      { numRuns: 150 },
    );
    // (tail ranks and heavily tied samples fall back; the rest must not)
    expect(selected).toBeGreaterThan(30);
  });

  it('Hodges–Lehmann estimate and interval equal a straightforward O(n²·log n) computation on small samples', () => {
    const zOf = (conf: number) => -normalQuantileOf((1 - conf) / 2);
    fc.assert(
      fc.property(
        latencySample(70, 110),
        latencySample(70, 110),
        fc.constantFrom(0.9, 0.95, 0.98),
        (xs, ys, conf) => {
          const x = cleanSorted(xs, 'remove', 0);
          const y = cleanSorted(ys, 'remove', 1);
          const fast = mannWhitneyDetailed(x, y, conf);
          const d = materialised(x, y);
          const N = d.length;
          // the estimate: the median of all differences
          const median =
            N % 2 === 0 ? (d[N / 2 - 1] + d[N / 2]) / 2 : d[(N - 1) / 2];
          expect(fast.estimate).toBe(median);
          // the interval: where Kayenta's f(mu, ±z) changes sign, f taken
          // exactly (merged ranks) between consecutive distinct differences
          const distinct = Array.from(new Set(d));
          const root = (zq: number) => {
            const f = (mu: number) => {
              const { dz, sigma } = wilcoxonAt(x, y, mu);
              return (dz - Math.sign(dz) * 0.5) / sigma - zq;
            };
            // f on the gap just above distinct[g] (g = −1: below them all)
            const at = (g: number) => {
              if (g < 0) return f(distinct[0] - 1);
              if (g === distinct.length - 1) return f(distinct[g] + 1);
              return f((distinct[g] + distinct[g + 1]) / 2);
            };
            let g = -1;
            while (at(g) > 0) g++;
            if (at(g) < 0) return distinct[g];
            // f = 0 on the gaps from g up to the first negative one
            let e = g;
            while (at(e) === 0) e++;
            return (distinct[g] + distinct[e]) / 2;
          };
          const z = zOf(conf);
          const lower = root(z);
          const upper = root(-z);
          expect(fast.confidenceInterval).toEqual([
            Math.min(lower, upper),
            Math.max(lower, upper),
          ]);
        },
      ),
      { numRuns: 25 },
    );
  });
});
