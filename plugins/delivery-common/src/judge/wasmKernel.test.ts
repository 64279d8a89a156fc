import fc from 'fast-check';
import { latency } from './__testUtils__/latency';
import {
  cleanSorted,
  sortedFloat64,
  sortedIndexOf,
  sortFiniteInPlace,
} from './sortSample';
import { DiffSelector, kernelSwitch, pick } from './selectDiffs';
import { mannWhitneyDetailed, PairwiseDifferences } from './mannWhitney';
import {
  DATA_OFFSET,
  gatherKernel,
  kernelBytes,
  kernelMemory,
  OUT_OFFSET,
} from './wasmKernel';
import * as previousSort from './__testUtils__/previous/sortSample';

// The Mann-Whitney code itself did not change: the previous implementation is
// this module loaded with the previous selection and sorting modules.
let previous!: typeof import('./mannWhitney');
jest.isolateModules(() => {
  jest.doMock('./selectDiffs', () =>
    jest.requireActual('./__testUtils__/previous/selectDiffs'),
  );
  jest.doMock('./sortSample', () =>
    jest.requireActual('./__testUtils__/previous/sortSample'),
  );
  previous = jest.requireActual('./mannWhitney');
});

/** Latency-like samples, some rounded (ties), some with a far outlier. */
const latencySample = (minLength: number, maxLength: number) =>
  fc
    .tuple(
      fc.integer({ min: minLength, max: maxLength }),
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.double({ min: 0.9, max: 1.15, noNaN: true }),
      fc.boolean(),
      fc.constantFrom(0, 1, 10),
      fc.boolean(),
    )
    .map(([n, seed, shift, logNormal, round, outlier]) => {
      const v = latency(n, seed, shift, logNormal).map(a =>
        round ? Math.round(a * round) / round : a,
      );
      if (outlier) v[0] = 1e7;
      return v;
    });

/** Any doubles, small integers (heavy ties), or a narrow range. */
const anySample = (minLength: number, maxLength: number) =>
  fc.oneof(
    fc.array(
      fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }),
      { minLength, maxLength },
    ),
    fc.array(fc.integer({ min: 0, max: 20 }), { minLength, maxLength }),
    latencySample(minLength, maxLength),
  );

/** The kernel's and the JavaScript pass's answers for one selector and brackets. */
function bothPasses(
  x: Float64Array,
  y: Float64Array,
  brackets: number[],
): Array<{ counts: number[]; gathered: number[][] }> {
  const pd = new PairwiseDifferences(x, y) as unknown as {
    meanDiff: number;
    sdDiff: number;
  };
  const out = [];
  for (const enabled of [true, false]) {
    kernelSwitch.enabled = enabled;
    try {
      const sel = new DiffSelector(x, y, pd.meanDiff, pd.sdDiff) as unknown as {
        gather3: (...b: number[]) => Float64Array;
        bufs: Float64Array[];
      };
      const r = Array.from(sel.gather3(...brackets));
      out.push({
        counts: r,
        gathered: [0, 1, 2].map(g =>
          r[3 * g + 2] < 0
            ? []
            : Array.from(sel.bufs[g].subarray(0, r[3 * g + 2])),
        ),
      });
    } finally {
      kernelSwitch.enabled = true;
    }
  }
  return out;
}

describe('WebAssembly exact pass', () => {
  it('compiles synchronously and is small enough for a browser main thread (≤ 4 KB)', () => {
    expect(kernelBytes().length).toBeLessThanOrEqual(4096);
    expect(gatherKernel()).not.toBeNull();
  });

  it('counts and gathers exactly what the JavaScript pass does (random samples and brackets, ties, overflow)', () => {
    fc.assert(
      fc.property(
        anySample(1, 300),
        anySample(2, 300),
        fc.array(fc.double({ min: -1.2, max: 1.2, noNaN: true }), {
          minLength: 6,
          maxLength: 6,
        }),
        (xs, ys, qs) => {
          const x = Float64Array.from(xs).sort();
          const y = Float64Array.from(ys).sort();
          if (!DiffSelector.usable(y)) return;
          // brackets anywhere in (and around) the range of the differences,
          // some wide enough to overflow the buffers (cap 4n + 4096)
          const dMin = x[0] - y[y.length - 1];
          const dMax = x[x.length - 1] - y[0];
          const at = (q: number) => dMin + q * (dMax - dMin);
          const b: number[] = [];
          for (let g = 0; g < 3; g++) {
            const u = at(qs[2 * g]);
            const v = at(qs[2 * g + 1]);
            b.push(Math.min(u, v), Math.max(u, v));
          }
          const [wasm, js] = bothPasses(x, y, b);
          expect(wasm.counts).toEqual(js.counts);
          expect(wasm.gathered).toEqual(js.gathered);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('overflows as the JavaScript pass does when a bracket holds more than the buffer', () => {
    const x = Float64Array.from(latency(300, 5)).sort();
    const y = Float64Array.from(latency(300, 6)).sort();
    const [wasm, js] = bothPasses(x, y, [-1e9, 1e9, -1, 1, -1e9, 1e9]);
    // one overflowing bracket voids the pass (the caller falls back)
    expect(wasm.counts).toEqual([NaN, NaN, -1, NaN, NaN, -1, NaN, NaN, -1]);
    expect(js.counts).toEqual(wasm.counts);
    // a wide bracket that fits (many differences per row): the same values
    const [w2, j2] = bothPasses(x, y, [-1, 1, -0.5, 0.5, 0, 1]);
    expect(w2.counts[2]).toBeGreaterThan(1000);
    expect(w2).toEqual(j2);
  });

  it('mannWhitney equals the previous implementation on random large samples (kernel on and off)', () => {
    fc.assert(
      fc.property(
        latencySample(200, 1500),
        latencySample(200, 1500),
        fc.constantFrom(0.9, 0.95, 0.98, 0.99),
        (xs, ys, conf) => {
          const before = previous.mannWhitneyDetailed(
            previousSort.cleanSorted(xs, 'remove', 0),
            previousSort.cleanSorted(ys, 'remove', 1),
            conf,
          );
          for (const enabled of [true, false]) {
            kernelSwitch.enabled = enabled;
            try {
              const now = mannWhitneyDetailed(
                cleanSorted(xs, 'remove', 0),
                cleanSorted(ys, 'remove', 1),
                conf,
              );
              expect(now).toEqual(before);
            } finally {
              kernelSwitch.enabled = true;
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('order statistics through the kernel equal the sorted, materialised differences (small samples)', () => {
    fc.assert(
      fc.property(
        anySample(65, 130),
        anySample(65, 130),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
          minLength: 1,
          maxLength: 3,
        }),
        (xs, ys, qs) => {
          const x = cleanSorted(xs, 'remove', 0);
          const y = cleanSorted(ys, 'remove', 1);
          if (!DiffSelector.usable(y)) return;
          const d = new Float64Array(x.length * y.length);
          let k = 0;
          for (let i = 0; i < x.length; i++) {
            for (let j = 0; j < y.length; j++) d[k++] = x[i] - y[j];
          }
          d.sort();
          const N = d.length;
          const groups = qs.map(q => {
            const k1 = 1 + Math.floor(q * (N - 1));
            return [k1, Math.min(N, k1 + 1)] as [number, number];
          });
          const pd = new PairwiseDifferences(x, y);
          // through selectGroups: the kernel, or the general selection
          // where the indexed one falls back
          expect(pd.selectGroups(groups)).toEqual(
            groups.map(([k1, k2]) => Array.from(d.subarray(k1 - 1, k2))),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('sorts and indexes exactly as the JavaScript bucket sort (−0 and +0 in the same places, big buckets, non-finite values)', () => {
    const signed = (a: ArrayLike<number>) =>
      Array.from(a, v => (Object.is(v, -0) ? '-0' : v));
    fc.assert(
      fc.property(
        fc.oneof(
          anySample(0, 1200),
          fc.array(fc.constantFrom(0, -0, 1, -1, 2.5), { maxLength: 300 }),
          // heavy tail: most values in one bucket (native sort of that bucket)
          fc
            .array(fc.double({ min: 0, max: 1, noNaN: true }), {
              minLength: 40,
              maxLength: 600,
            })
            .map(a => [...a, 1e9]),
        ),
        fc.array(fc.constantFrom(NaN, Infinity, -Infinity), { maxLength: 3 }),
        fc.constantFrom<'remove' | 'replace'>('remove', 'replace'),
        fc.constantFrom<0 | 1>(0, 1),
        (values, bad, strategy, slot) => {
          const input = [...values, ...bad];
          const results = [true, false].map(enabled => {
            kernelSwitch.enabled = enabled;
            try {
              const sorted = cleanSorted(input, strategy, slot);
              const index = sortedIndexOf(sorted);
              const inPlace = Float64Array.from(values);
              if (values.length) {
                sortFiniteInPlace(
                  inPlace,
                  values.length,
                  Math.min(...values),
                  Math.max(...values),
                );
              }
              return {
                sorted: signed(sorted),
                padding: index
                  ? Array.from(index.padded.subarray(sorted.length))
                  : null,
                start: index
                  ? Array.from(index.start.subarray(0, index.buckets + 3))
                  : null,
                fresh: signed(cleanSorted(input, strategy)),
                plain: signed(sortedFloat64(values)),
                inPlace: signed(inPlace),
              };
            } finally {
              kernelSwitch.enabled = true;
            }
          });
          expect(results[0]).toEqual(results[1]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("pick's windows in the kernel select what they select in JavaScript (buffers the kernel gathered)", () => {
    let viaKernel = 0;
    fc.assert(
      fc.property(
        latencySample(100, 1200),
        latencySample(100, 1200),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.double({ min: 0.0002, max: 0.004, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 3 }),
        (xs, ys, q, width, at, count) => {
          // (without the far outlier: it would widen the bracket past the buffers)
          const x = Float64Array.from(xs.filter(v => v < 1e6)).sort();
          const y = Float64Array.from(ys.filter(v => v < 1e6)).sort();
          if (!DiffSelector.usable(y)) return;
          const pd = new PairwiseDifferences(x, y) as unknown as {
            meanDiff: number;
            sdDiff: number;
          };
          // a bracket near the middle of the differences (normal approximation)
          const lo = pd.meanDiff + (4 * q - 2) * pd.sdDiff;
          const hi = lo + 10 * width * pd.sdDiff;
          const sel = new DiffSelector(
            x,
            y,
            pd.meanDiff,
            pd.sdDiff,
          ) as unknown as {
            gather3: (...b: number[]) => Float64Array;
            bufs: Float64Array[];
          };
          const r = sel.gather3(lo, hi, lo, hi, lo, hi);
          const len = r[2];
          if (len < count) return;
          const buf = sel.bufs[0];
          const copy = Float64Array.from(buf.subarray(0, len));
          const idx0 = Math.floor(at * (len - count));
          const got = pick(buf, len, idx0, count, lo, hi);
          kernelSwitch.enabled = false;
          try {
            expect(got).toEqual(pick(copy, len, idx0, count, lo, hi));
          } finally {
            kernelSwitch.enabled = true;
          }
          if (gatherKernel() && buf.buffer !== copy.buffer) viaKernel++;
        },
      ),
      { numRuns: 150 },
    );
    expect(viaKernel).toBeGreaterThan(50);
  });

  it("the kernel's window round counts and copies what pick's JavaScript loop does", () => {
    const k = gatherKernel()!;
    fc.assert(
      fc.property(
        anySample(0, 500),
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        fc.double({ min: 0, max: 1e3, noNaN: true }),
        (values, pLo, width) => {
          const pHi = pLo + width;
          const size = values.length;
          // (the memory is scratch here: nothing staged survives this)
          kernelMemory.generation++;
          const src = DATA_OFFSET;
          const dst = src + 8 * size;
          const f64 = new Float64Array(k.memory.buffer);
          f64.set(values, src / 8);
          k.window(src, dst, size, pLo, pHi);
          let below = 0;
          const kept: number[] = [];
          for (const v of values) {
            below += +(v <= pLo);
            if (v > pLo && v <= pHi) kept.push(v);
          }
          expect(f64[OUT_OFFSET / 8]).toBe(below);
          expect(f64[OUT_OFFSET / 8 + 1]).toBe(kept.length);
          expect(
            Array.from(f64.subarray(dst / 8, dst / 8 + kept.length)),
          ).toEqual(kept);
        },
      ),
      { numRuns: 200 },
    );
  });
});
