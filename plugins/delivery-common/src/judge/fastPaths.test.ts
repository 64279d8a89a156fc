import fc from 'fast-check';
import { cleanSorted, sortedFloat64 } from './sortSample';
import { DiffSelector, quickselectRange } from './selectDiffs';
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

/** Deterministic latency-like sample (normal or log-normal). */
function latency(n: number, seed: number, shift = 1, logNormal = false) {
  let s = seed;
  const rnd = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  return Array.from({ length: n }, () => {
    const g = Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
    return logNormal
      ? 100 * shift * Math.exp(0.25 * g)
      : shift * (120 + 15 * g);
  });
}

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
