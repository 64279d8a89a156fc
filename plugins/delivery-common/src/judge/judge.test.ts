import fc from 'fast-check';
import { judge, judgeWith, scoreMetrics } from './judge';
import { mannWhitneyReference } from './mannWhitneyReference';
import { judgeInputSchema } from './schema';
import { JudgeMetricInput, JudgeMetricResult } from './types';

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
const thresholds = { pass: 95, marginal: 75 };
const one = (metric: JudgeMetricInput, extra: object = {}) =>
  judge({ metrics: [metric], thresholds, ...extra }).metrics[0];

// canary 11..20 vs baseline 1..10: estimate 10, 98% interval [6, 14]
const HIGH = { canary: range(11, 20), baseline: range(1, 10) };

describe('judge: Mann-Whitney classification', () => {
  it('classifies a clear increase as High with its numbers and rule', () => {
    const r = one({ name: 'latency', ...HIGH });
    expect(r.classification).toBe('High');
    expect(r.estimate).toBe(10);
    expect(r.confidenceInterval).toEqual([6, 14]);
    expect(r.effectSize).toBeCloseTo(15.5 / 5.5, 12);
    expect(r.reason).toContain('[6, 14]');
    expect(r.reason).toContain(
      'lower bound 6 > tolerance 0.25 × |estimate| = 2.5',
    );
    expect(r.critical).toBe(false);
  });

  it('swapping canary and baseline gives Low', () => {
    const r = one({
      name: 'latency',
      canary: HIGH.baseline,
      baseline: HIGH.canary,
    });
    expect(r.classification).toBe('Low');
    expect(r.confidenceInterval).toEqual([-14, -6]);
  });

  it('tolerance decides: 0.7 × |10| = 7 > lower bound 6 → Pass', () => {
    const r = one({ name: 'latency', ...HIGH }, { tolerance: 0.7 });
    expect(r.classification).toBe('Pass');
    expect(r.reason).toContain('does not clear');
  });

  it('direction: an increase does not count for direction "decrease"', () => {
    const r = one({ name: 'latency', ...HIGH, direction: 'decrease' });
    expect(r.classification).toBe('Pass');
    expect(r.reason).toContain('only counts decreases');
    expect(
      one({ name: 'l', ...HIGH, direction: 'increase' }).classification,
    ).toBe('High');
  });

  it('effect size: mean ratio 2.82 below allowedIncrease 3 → Pass; cles 1 ≥ 0.9 → High', () => {
    const a = one({ name: 'l', ...HIGH, effectSize: { allowedIncrease: 3 } });
    expect(a.classification).toBe('Pass');
    expect(a.reason).toContain('mean ratio 2.818 < allowed increase 3');
    const b = one({
      name: 'l',
      ...HIGH,
      effectSize: { measure: 'cles', allowedIncrease: 0.9 },
    });
    expect(b.effectSize).toBe(1);
    expect(b.classification).toBe('High');
  });

  it('mean ratio is NaN when the baseline mean is 0, and NaN never blocks High', () => {
    const baseline = [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5]; // mean 0
    const r = one({
      name: 'l',
      canary: range(11, 20),
      baseline,
      effectSize: { allowedIncrease: 100 },
    });
    expect(r.effectSize).toBeNaN();
    expect(r.classification).toBe('High');
    expect(r.reason).toContain('mean ratio NaN');
  });

  it('NaN strategy remove drops NaN; replace counts them as 0', () => {
    const canary = [...range(11, 20), NaN, NaN];
    const removed = one({ name: 'l', canary, baseline: range(1, 10) });
    expect(removed.canaryCount).toBe(10);
    expect(removed.confidenceInterval).toEqual([6, 14]);
    const replaced = one({
      name: 'l',
      canary,
      baseline: range(1, 10),
      nanStrategy: 'replace',
    });
    expect(replaced.canaryCount).toBe(12);
    expect(replaced.canaryMean).toBeCloseTo(155 / 12, 12);
  });

  it('no data: remove → Nodata (ignored), mustHaveData → NodataFailMetric, replace → Pass (guard off, as Kayenta)', () => {
    const s = { minSamples: 0 };
    expect(
      one({ name: 'l', canary: [NaN], baseline: [1, 2] }, s).classification,
    ).toBe('Nodata');
    expect(
      one({ name: 'l', canary: [], baseline: [1], mustHaveData: true }, s)
        .classification,
    ).toBe('NodataFailMetric');
    const crit = one(
      {
        name: 'l',
        canary: [],
        baseline: [1],
        mustHaveData: true,
        critical: true,
      },
      s,
    );
    expect([crit.classification, crit.critical]).toEqual(['Nodata', true]);
    expect(
      one({ name: 'l', canary: [], baseline: [1], nanStrategy: 'replace' }, s)
        .classification,
    ).toBe('Pass');
  });

  it('minimum-sample guard: tiny samples never pass silently; 0 turns it off', () => {
    const tiny = { name: 'l', canary: [5, 6, 7], baseline: [5, 6, 8] };
    const guarded = one(tiny);
    expect(guarded.classification).toBe('NodataFailMetric');
    expect(guarded.reason).toContain('fewer than 10');
    expect(one(tiny, { minSamples: 0 }).classification).toBe('Pass');
    expect(one({ ...tiny, minSamples: 3 }).classification).toBe('Pass');
    const critical = one({ ...tiny, critical: true });
    expect([critical.classification, critical.critical]).toEqual([
      'Nodata',
      true,
    ]);
    // replace + empty side would pass in Kayenta; the guard refuses
    expect(
      one({
        name: 'l',
        canary: [],
        baseline: range(1, 20),
        nanStrategy: 'replace',
      }).classification,
    ).toBe('NodataFailMetric');
  });

  it('identical samples and a single distinct value pass', () => {
    expect(
      one({ name: 'l', canary: range(1, 20), baseline: range(1, 20).reverse() })
        .classification,
    ).toBe('Pass');
    const r = one({
      name: 'l',
      canary: Array(12).fill(3),
      baseline: Array(15).fill(3),
    });
    expect(r.classification).toBe('Pass');
    expect(r.reason).toContain('every value on both sides is 3');
  });

  it('both sides constant: deterministic tiny noise, then judged (5 vs 3 → High)', () => {
    const r = one({
      name: 'l',
      canary: Array(20).fill(5),
      baseline: Array(20).fill(3),
    });
    expect(r.classification).toBe('High');
    expect(r.estimate).toBeCloseTo(2, 3);
    expect(r.reason).toContain('tiny noise');
    expect(
      one({
        name: 'l',
        canary: Array(20).fill(5),
        baseline: Array(20).fill(3),
      }),
    ).toEqual(r);
  });

  it('outliers: remove drops values outside the IQR fences', () => {
    const baseline = range(1, 20);
    const canary = [...range(1, 20), 10_000];
    expect(
      one({ name: 'l', canary, baseline, outliers: 'remove' }).canaryCount,
    ).toBe(20);
    expect(one({ name: 'l', canary, baseline }).canaryCount).toBe(21);
  });

  it('a single value per side with the guard off is Error (all tied at the range end), as Kayenta', () => {
    const r = one({ name: 'l', canary: [5], baseline: [3] }, { minSamples: 0 });
    expect(r.classification).toBe('Error');
    expect(r.reason).toContain('all observations are tied');
  });
});

describe('judge: scoring', () => {
  const pass = { name: 'p', canary: range(1, 10), baseline: range(1, 10) };

  it('critical metric failing → Fail with score 0 (Kayenta)', () => {
    const r = judge({
      metrics: [
        { name: 'latency', ...HIGH, critical: true },
        pass,
        { ...pass, name: 'q' },
      ],
      thresholds,
    });
    expect(r.score).toBe(0);
    expect(r.classification).toBe('Fail');
    expect(r.reason).toContain('critical metric "latency" (High)');
  });

  it('critical metric High but below criticalIncrease does not zero the score', () => {
    const r = judge({
      metrics: [
        {
          name: 'latency',
          ...HIGH,
          critical: true,
          effectSize: { criticalIncrease: 5 },
        },
        pass,
        { ...pass, name: 'q' },
      ],
      thresholds: { pass: 95, marginal: 60 },
    });
    expect(r.metrics[0].critical).toBe(false);
    expect(r.score).toBe(66.67);
    expect(r.classification).toBe('Marginal');
  });

  it('group score = 100·Pass/(Pass+High+Low+NodataFailMetric); Nodata and Error ignored; weights', () => {
    const r = judge({
      metrics: [
        { name: 'a', group: 'latency', ...HIGH },
        { ...pass, name: 'b', group: 'latency' },
        {
          name: 'c',
          group: 'latency',
          canary: [],
          baseline: [1],
          minSamples: 0,
        },
        { ...pass, name: 'd', group: 'errors' },
      ],
      groupWeights: { latency: 60 },
      thresholds,
    });
    const lat = r.groups.find(g => g.group === 'latency')!;
    expect([lat.score, lat.weight, lat.ignored]).toEqual([50, 60, 1]);
    expect(r.groups.find(g => g.group === 'errors')!.weight).toBe(40);
    expect(r.score).toBe(70); // 50·0.6 + 100·0.4
    expect(r.classification).toBe('Fail');
  });

  it('50 % or more Nodata → score 0', () => {
    const nodata = { name: 'n', canary: [], baseline: [1], minSamples: 0 };
    const r = judge({ metrics: [nodata, pass], thresholds });
    expect(r.score).toBe(0);
    expect(r.reason).toContain('no data');
  });

  it('observe-only (muted) metrics are judged and shown but never decide', () => {
    const r = judge({
      metrics: [
        { name: 'latency', ...HIGH, muted: true, critical: true },
        pass,
      ],
      thresholds,
    });
    expect(r.metrics[0].classification).toBe('High');
    expect(r.metrics[0].reason).toContain('observe-only');
    expect(r.score).toBe(100);
    expect(r.classification).toBe('Pass');
  });

  it('nothing deciding → Fail (fail-closed)', () => {
    const r = judge({ metrics: [{ ...pass, muted: true }], thresholds });
    expect(r.classification).toBe('Fail');
    expect(r.reason).toContain('nothing decides');
  });

  it('scoreMetrics rounds to 2 decimals', () => {
    const res = (c: JudgeMetricResult['classification']) =>
      ({
        classification: c,
        muted: false,
        critical: false,
        group: 'g',
      } as JudgeMetricResult);
    expect(scoreMetrics([res('Pass'), res('Pass'), res('High')]).score).toBe(
      66.67,
    );
  });
});

describe('judge: threshold (Argo) metrics', () => {
  const base = range(100, 119); // p95 = 118.05
  const p95Rule = {
    aggregate: 'p95' as const,
    op: '<=' as const,
    baselineFactor: 1.1,
  };

  it('p95 ≤ 1.10 × baseline p95: 150 ms canary fails with values and limit', () => {
    const r = judge({
      metrics: [],
      thresholdMetrics: [
        {
          name: 'p95 latency',
          measurements: [{ canary: base.map(v => v + 50), baseline: base }],
          successCondition: p95Rule,
        },
      ],
      thresholds,
    });
    const t = r.thresholdMetrics[0];
    expect(t.phase).toBe('Failed');
    expect(t.measurements[0].value).toBeCloseTo(168.05, 10);
    expect(t.measurements[0].limit).toBeCloseTo(1.1 * 118.05, 10);
    expect(t.reason).toContain(
      'Metric "p95 latency" assessed Failed due to failed (1) > failureLimit (0)',
    );
    expect(t.reason).toContain('p95(canary) ≤ 1.1 × p95(baseline)');
    expect(r.classification).toBe('Fail');
  });

  it('error rate ≤ 0.5 %: passes at 0.2 %, failureLimit tolerates one failure', () => {
    const ok = { canary: Array(20).fill(0.002) };
    const bad = { canary: Array(20).fill(0.01) };
    const rule = {
      aggregate: 'mean' as const,
      op: '<=' as const,
      value: 0.005,
    };
    const r = (measurements: any[], extra = {}) =>
      judge({
        metrics: [],
        thresholdMetrics: [
          { name: 'errors', measurements, successCondition: rule, ...extra },
        ],
        thresholds,
      });
    expect(r([ok]).classification).toBe('Pass');
    expect(r([ok, bad]).classification).toBe('Fail');
    expect(r([ok, bad], { failureLimit: 1 }).classification).toBe('Pass');
    expect(r([ok, bad], { failureLimit: -1 }).thresholdMetrics[0].phase).toBe(
      'Successful',
    );
  });

  it('Argo measurement rules: only failure condition, both conditions, neither true → Inconclusive → Marginal', () => {
    const m = [{ canary: Array(20).fill(5) }];
    const gt = (value: number) => ({
      aggregate: 'mean' as const,
      op: '>' as const,
      value,
    });
    const phase = (s: any, f: any) =>
      judge({
        metrics: [],
        thresholdMetrics: [
          {
            name: 'x',
            measurements: m,
            successCondition: s,
            failureCondition: f,
          },
        ],
        thresholds,
      }).thresholdMetrics[0].measurements[0].phase;
    expect(phase(undefined, gt(10))).toBe('Successful');
    expect(phase(undefined, gt(1))).toBe('Failed');
    expect(phase(gt(1), gt(2))).toBe('Failed'); // both true
    expect(phase(gt(1), gt(10))).toBe('Successful');
    expect(phase(gt(10), gt(10))).toBe('Inconclusive');
    const r = judge({
      metrics: [],
      thresholdMetrics: [
        {
          name: 'x',
          measurements: m,
          successCondition: gt(10),
          failureCondition: gt(10),
        },
      ],
      thresholds,
    });
    expect(r.classification).toBe('Marginal');
    expect(r.reason).toContain('inconclusive (1) > inconclusiveLimit (0)');
  });

  it('consecutive errors above the limit → Error → Fail; a success resets the run of errors', () => {
    const e = { error: 'prometheus unreachable' };
    const ok = { canary: Array(20).fill(1) };
    const rule = { aggregate: 'mean' as const, op: '<' as const, value: 2 };
    const t = (ms: any[]) =>
      judge({
        metrics: [],
        thresholdMetrics: [
          { name: 'x', measurements: ms, successCondition: rule },
        ],
        thresholds,
      }).thresholdMetrics[0];
    expect(t([e, e, e, e]).phase).toBe('Successful');
    expect(t([e, e, e, e, e]).phase).toBe('Error');
    expect(t([e, e, e, ok, e, e]).consecutiveErrors).toBe(2);
    expect(t([e, e, e, e, e]).reason).toContain(
      'consecutiveErrors (5) > consecutiveErrorLimit (4)',
    );
  });

  it('threshold metrics below minSamples are Inconclusive, dry-run (muted) ones never decide', () => {
    const rule = { aggregate: 'mean' as const, op: '<' as const, value: 2 };
    const r = judge({
      metrics: [],
      thresholdMetrics: [
        {
          name: 'tiny',
          measurements: [{ canary: [1, 1] }],
          successCondition: rule,
        },
        {
          name: 'dry',
          measurements: [{ canary: Array(20).fill(9) }],
          successCondition: rule,
          muted: true,
        },
      ],
      thresholds,
    });
    expect(r.thresholdMetrics[0].measurements[0].reason).toContain(
      'fewer than 10',
    );
    expect(r.thresholdMetrics[1].phase).toBe('Failed');
    expect(r.thresholdPhase).toBe('Inconclusive');
    expect(r.classification).toBe('Marginal');
  });
});

describe('judge: properties', () => {
  const sample = fc.array(fc.integer({ min: 1, max: 10_000 }), {
    minLength: 10,
    maxLength: 80,
  });

  it('identical samples always Pass', () => {
    fc.assert(
      fc.property(
        sample,
        fc.constantFrom<'either' | 'increase' | 'decrease'>(
          'either',
          'increase',
          'decrease',
        ),
        (s, direction) => {
          const r = judge({
            metrics: [
              { name: 'm', canary: s, baseline: [...s].reverse(), direction },
            ],
            thresholds,
          });
          expect(r.metrics[0].classification).toBe('Pass');
          expect(r.classification).toBe('Pass');
        },
      ),
    );
  });

  it("swapping canary and baseline swaps High and Low (Pass stays Pass), except within the root finder's reach of a threshold", () => {
    fc.assert(
      fc.property(
        sample,
        sample,
        fc.integer({ min: -3000, max: 3000 }),
        (a, b, shift) => {
          const canary = a.map(v => v + 5000 + shift);
          const baseline = b.map(v => v + 5000);
          const x = judge({
            metrics: [{ name: 'm', canary, baseline }],
            thresholds,
          }).metrics[0];
          const y = judge({
            metrics: [{ name: 'm', canary: baseline, baseline: canary }],
            thresholds,
          }).metrics[0];
          const flip = { High: 'Low', Low: 'High' } as Record<string, string>;
          // Kayenta's estimate is any point of the interval where f(mu, 0) = 0
          // (between the order statistics around the median of the pairwise
          // differences); where a threshold falls inside what that choice can
          // move, Kayenta itself is not symmetric, and neither are we.
          const d: number[] = [];
          for (const c of canary) for (const e of baseline) d.push(c - e);
          d.sort((p, q) => p - q);
          const N = d.length;
          const width =
            d[Math.min(N - 1, Math.floor(N / 2) + 1)] -
            d[Math.max(0, Math.ceil(N / 2) - 2)];
          const [lo, hi] = x.confidenceInterval!;
          const m = 0.25 * Math.abs(x.estimate!);
          const reach = 0.25 * width + 1e-3;
          if (Math.abs(lo - m) <= reach || Math.abs(hi + m) <= reach) return;
          expect(y.classification).toBe(
            flip[x.classification] ?? x.classification,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a clear shift is always detected (canary all above baseline by more than its range)', () => {
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const canary = a.map(v => v + 20_000);
        expect(
          judge({ metrics: [{ name: 'm', canary, baseline: b }], thresholds })
            .metrics[0].classification,
        ).toBe('High');
      }),
      { numRuns: 100 },
    );
  });
});

describe('judge: guard off equals Kayenta', () => {
  it('with minSamples 0 every classification equals the root-finding (Kayenta) procedure, tiny samples included', () => {
    const reference = (x: Float64Array, y: Float64Array, c: number) =>
      mannWhitneyReference(x, y, c);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 400 }), {
          minLength: 0,
          maxLength: 30,
        }),
        fc.array(fc.integer({ min: 0, max: 400 }), {
          minLength: 0,
          maxLength: 30,
        }),
        fc.integer({ min: -150, max: 150 }),
        (a, b, shift) => {
          const input = {
            metrics: [
              {
                name: 'm',
                canary: a.map(v => (v + shift) / 10),
                baseline: b.map(v => v / 10),
              },
            ],
            thresholds,
            minSamples: 0,
          };
          const fast = judge(input);
          const kayenta = judgeWith(input, reference);
          expect(fast.metrics[0].classification).toBe(
            kayenta.metrics[0].classification,
          );
          expect(fast.score).toBe(kayenta.score);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('judgeInputSchema', () => {
  it('accepts a full input and turns null samples into NaN', () => {
    const parsed = judgeInputSchema.parse({
      metrics: [{ name: 'm', canary: [1, null], baseline: [1] }],
      thresholdMetrics: [
        {
          name: 't',
          measurements: [{ canary: [1] }, { error: 'x' }],
          successCondition: { aggregate: 'p95', op: '<=', baselineFactor: 1.1 },
        },
      ],
      thresholds,
    });
    expect(parsed.metrics[0].canary[1]).toBeNaN();
  });

  it('names the field that is wrong', () => {
    const r = judgeInputSchema.safeParse({
      metrics: [{ name: 'm', canary: ['x'], baseline: [] }],
      thresholds,
    });
    expect(r.success).toBe(false);
    expect(JSON.stringify((r as any).error.issues[0].path)).toBe(
      '["metrics",0,"canary",0]',
    );
    const t = judgeInputSchema.safeParse({
      metrics: [],
      thresholds: { pass: 50, marginal: 80 },
    });
    expect((t as any).error.issues[0].path).toEqual(['thresholds']);
  });
});
