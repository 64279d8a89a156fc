import { createHash } from 'node:crypto';
import { MetricsProvider, MetricsQuery, MetricsResult, Point } from './types';

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seedOf = (s: string) =>
  createHash('sha256').update(s).digest().readUInt32BE(0);

/** Base level and noise of the simulated metrics, by name pattern. */
function profile(metric: string) {
  if (/error/i.test(metric)) return { base: 0.2, noise: 0.05, degrade: 2.5 };
  if (/cpu|saturation/i.test(metric)) return { base: 40, noise: 3, degrade: 0 };
  return { base: 120, noise: 8, degrade: 0.45 }; // latency-like (ms)
}

/**
 * Deterministic metrics for the demo: the same run, step and attempt always
 * give the same series. `healthy` keeps canary ≈ baseline; `degrading` makes
 * the canary's latency and error rate worse from the second step on (the
 * first step passes, so the demo shows a rollback mid-rollout).
 */
export class SimulatorMetricsProvider implements MetricsProvider {
  readonly type = 'simulator' as const;

  constructor(private readonly options: { samples?: number } = {}) {}

  async query(q: MetricsQuery): Promise<MetricsResult> {
    const n = this.options.samples ?? 30;
    const endS = Math.floor(q.end.getTime() / 1000);
    const startS = Math.floor(q.start.getTime() / 1000);
    const dt = Math.max(1, (endS - startS) / n);
    const degrading = q.simulation === 'degrading' && (q.step ?? 0) >= 1;
    const series = q.metrics.map(m => {
      const p = profile(m.name);
      const rnd = prng(
        seedOf(`${q.runId}|${q.step ?? 0}|${q.attempt ?? 1}|${m.name}`),
      );
      const sample = (factor: number): Point[] =>
        Array.from({ length: n }, (_, i) => ({
          t: Math.round(startS + (i + 1) * dt),
          v:
            Math.round(
              Math.max(0, p.base * factor + (rnd() * 2 - 1) * p.noise) * 1000,
            ) / 1000,
        }));
      return {
        metric: m.name,
        baseline: sample(1),
        canary: sample(degrading ? 1 + p.degrade : 1),
      };
    });
    const w = q.requestedWeight ?? 0;
    const jitter = prng(seedOf(`${q.runId}|${q.step}|traffic`))() * 2 - 1;
    const observedWeight =
      w <= 0 || w >= 100
        ? w
        : Math.round(Math.min(100, Math.max(0, w + jitter * 1.5)) * 10) / 10;
    return { series, observedWeight };
  }
}
