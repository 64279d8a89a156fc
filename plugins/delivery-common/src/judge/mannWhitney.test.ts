import fc from 'fast-check';
import {
  mannWhitney,
  MannWhitneyError,
  PairwiseDifferences,
  wilcoxonAt,
} from './mannWhitney';
import {
  mannWhitneyReference,
  REFERENCE_TOLERANCE,
} from './mannWhitneyReference';

/** The result, or the MannWhitneyError it threw. */
function attempt<T>(f: () => T): T | MannWhitneyError {
  try {
    return f();
  } catch (e) {
    if (e instanceof MannWhitneyError) return e;
    throw e;
  }
}

const continuous = fc.integer({ min: 0, max: 1_000_000 }).map(v => v / 1e4);

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('mannWhitney', () => {
  it('x = 11..20 vs y = 1..10: estimate 10, 98% interval [6, 14] (derived by hand)', () => {
    // Pairwise differences are 10 + k, k = −9..9, with multiplicity 10 − |k|.
    // σ = sqrt(100/12 · 21) = 13.229, z = 2.3263: f < 0 once #{d > mu} ≤ 81,
    // i.e. above the 19th smallest difference, which is 6; symmetric: 14.
    const r = mannWhitney(range(11, 20), range(1, 10), 0.98);
    expect(r.estimate).toBe(10);
    expect(r.confidenceInterval).toEqual([6, 14]);
  });

  it('agrees with the root-finding reference on that case within its tolerance', () => {
    const ref = mannWhitneyReference(range(11, 20), range(1, 10), 0.98);
    expect(Math.abs(ref.estimate - 10)).toBeLessThan(REFERENCE_TOLERANCE);
    expect(Math.abs(ref.confidenceInterval[0] - 6)).toBeLessThan(
      REFERENCE_TOLERANCE,
    );
    expect(Math.abs(ref.confidenceInterval[1] - 14)).toBeLessThan(
      REFERENCE_TOLERANCE,
    );
  });

  it('returns the search range when the samples are too small for the interval (Kayenta end checks)', () => {
    // n = m = 2: f(mumin) = (1.5 − 0.5)/1.2247 − 2.326 < 0 → lower = mumin = 98.
    const r = mannWhitney([100, 200], [1, 2], 0.98);
    expect(r.confidenceInterval).toEqual([98, 199]);
    expect(r.estimate).toBe(148.5); // median of {98, 99, 198, 199}
  });

  it('throws MannWhitneyError when every observation ties (one value each side)', () => {
    expect(() => mannWhitney([5], [3], 0.98)).toThrow(MannWhitneyError);
    expect(() => mannWhitneyReference([5], [3], 0.98)).toThrow(
      MannWhitneyError,
    );
  });

  it('rejects empty samples and bad confidence levels', () => {
    expect(() => mannWhitney([], [1], 0.98)).toThrow(MannWhitneyError);
    expect(() => mannWhitney([1], [1], 1)).toThrow(RangeError);
  });

  it('wilcoxonAt averages tied ranks as R does', () => {
    // x − 1 = [1, 2], y = [1, 3]: ranks 1.5, 3 for x → Σ = 4.5, dz = 4.5 − 3 − 2
    const { dz, sigma } = wilcoxonAt(
      Float64Array.from([2, 3]),
      Float64Array.from([1, 3]),
      1,
    );
    expect(dz).toBe(-0.5);
    // ties: one group of 2 → Σ(t³ − t) = 6; σ² = 4/12 · (5 − 6/12)
    expect(sigma).toBeCloseTo(Math.sqrt((4 / 12) * 4.5), 12);
  });

  it('selects order statistics of pairwise differences exactly (vs materialised)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50, max: 50 }), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.array(fc.integer({ min: -50, max: 50 }), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, ys, q) => {
          const x = Float64Array.from(xs).sort();
          const y = Float64Array.from(ys).sort();
          const all: number[] = [];
          for (const a of x) for (const b of y) all.push(a - b);
          all.sort((a, b) => a - b);
          const k = 1 + Math.floor(q * (all.length - 1));
          const k2 = Math.min(all.length, k + 1);
          const pd = new PairwiseDifferences(x, y);
          expect(pd.select(k, k2)).toEqual([all[k - 1], all[k2 - 1]]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('matches the root-finding reference on random continuous samples (interval within tolerance, estimate a root)', () => {
    fc.assert(
      fc.property(
        // values on a 1e-4 grid over [0, 100]: the data scale is far above
        // the root finder's absolute tolerance (1e-4), as for real metrics
        fc.array(continuous, { minLength: 2, maxLength: 40 }),
        fc.array(continuous, { minLength: 2, maxLength: 40 }),
        fc.integer({ min: -300, max: 300 }).map(v => v / 10),
        (xs, ys, shift) => {
          const x = xs.map(v => v + shift);
          const fast = attempt(() => mannWhitney(x, ys, 0.98));
          const ref = attempt(() => mannWhitneyReference(x, ys, 0.98));
          expect(fast instanceof MannWhitneyError).toBe(
            ref instanceof MannWhitneyError,
          );
          if (
            fast instanceof MannWhitneyError ||
            ref instanceof MannWhitneyError
          )
            return;
          const tol = REFERENCE_TOLERANCE * 1.01;
          expect(
            Math.abs(fast.confidenceInterval[0] - ref.confidenceInterval[0]),
          ).toBeLessThan(tol);
          expect(
            Math.abs(fast.confidenceInterval[1] - ref.confidenceInterval[1]),
          ).toBeLessThan(tol);
          // Kayenta's f(mu, 0) is exactly 0 on a whole interval around the
          // median of the differences; Brent returns some point of it. Ours is
          // the median; both must be inside the interval (± tolerance).
          const d: number[] = [];
          for (const a of x) for (const b of ys) d.push(a - b);
          d.sort((a, b) => a - b);
          const N = d.length;
          const lo = d[Math.max(0, Math.ceil(N / 2) - 2)];
          const hi = d[Math.min(N - 1, Math.floor(N / 2) + 1)];
          for (const e of [fast.estimate, ref.estimate]) {
            expect(e).toBeGreaterThanOrEqual(Math.min(lo, d[0]) - tol);
            expect(e).toBeLessThanOrEqual(Math.max(hi, d[N - 1]) + tol);
          }
          expect(fast.estimate).toBeGreaterThanOrEqual(lo - tol);
          expect(fast.estimate).toBeLessThanOrEqual(hi + tol);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('matches the reference on tied integer samples (discrete metrics)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 8 }), {
          minLength: 2,
          maxLength: 30,
        }),
        fc.array(fc.integer({ min: 0, max: 8 }), {
          minLength: 2,
          maxLength: 30,
        }),
        (x, y) => {
          const fast = attempt(() => mannWhitney(x, y, 0.98));
          const ref = attempt(() => mannWhitneyReference(x, y, 0.98));
          expect(fast instanceof MannWhitneyError).toBe(
            ref instanceof MannWhitneyError,
          );
          if (
            fast instanceof MannWhitneyError ||
            ref instanceof MannWhitneyError
          )
            return;
          expect(
            Math.abs(fast.confidenceInterval[0] - ref.confidenceInterval[0]),
          ).toBeLessThan(2e-4);
          expect(
            Math.abs(fast.confidenceInterval[1] - ref.confidenceInterval[1]),
          ).toBeLessThan(2e-4);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is not antisymmetric for tiny samples: Kayenta checks the lower end first', () => {
    // x = [1, 2], y = [1]: f(mumin = 0, 0) = 0 → estimate = mumin = 0;
    // swapped: f(mumin = −1, 0) = 0 → estimate −1 (not −0). R does the same.
    expect(mannWhitney([1, 2], [1], 0.98).estimate).toBe(0);
    expect(mannWhitney([1], [1, 2], 0.98).estimate).toBe(-1);
  });

  it('is antisymmetric: swapping the samples negates the interval (integers, ≥ 4 values a side)', () => {
    // (The estimate is Kayenta's: where f(mu, 0) is 0 on a wide interval,
    // Brent's stopping point in it depends on the direction of the search.)
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1000 }), {
          minLength: 4,
          maxLength: 50,
        }),
        fc.array(fc.integer({ min: 1, max: 1000 }), {
          minLength: 4,
          maxLength: 50,
        }),
        (x, y) => {
          let a;
          try {
            a = mannWhitney(x, y, 0.98);
          } catch {
            return;
          }
          const b = mannWhitney(y, x, 0.98);
          expect(b.confidenceInterval[0]).toBe(-a.confidenceInterval[1] || 0);
          expect(b.confidenceInterval[1]).toBe(-a.confidenceInterval[0] || 0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
