import { z } from 'zod';

const sample = z
  .array(
    z
      .number()
      .or(z.null())
      .transform(v => (v === null ? NaN : v)),
  )
  .max(100_000);

const effectSize = z
  .object({
    measure: z.enum(['meanRatio', 'cles']).optional(),
    allowedIncrease: z.number().finite().optional(),
    allowedDecrease: z.number().finite().optional(),
    criticalIncrease: z.number().finite().optional(),
    criticalDecrease: z.number().finite().optional(),
  })
  .strict();

const metric = z
  .object({
    name: z.string().min(1).max(200),
    group: z.string().min(1).max(200).optional(),
    canary: sample,
    baseline: sample,
    direction: z.enum(['either', 'increase', 'decrease']).optional(),
    nanStrategy: z.enum(['remove', 'replace']).optional(),
    outliers: z.enum(['keep', 'remove']).optional(),
    critical: z.boolean().optional(),
    mustHaveData: z.boolean().optional(),
    muted: z.boolean().optional(),
    minSamples: z.number().int().min(0).optional(),
    effectSize: effectSize.optional(),
  })
  .strict();

const condition = z
  .object({
    aggregate: z.enum([
      'mean',
      'p50',
      'p90',
      'p95',
      'p99',
      'min',
      'max',
      'sum',
      'last',
      'count',
    ]),
    op: z.enum(['<', '<=', '>', '>=']),
    value: z.number().finite().optional(),
    baselineFactor: z.number().finite().optional(),
  })
  .strict()
  .refine(c => (c.value === undefined) !== (c.baselineFactor === undefined), {
    message: 'exactly one of value or baselineFactor',
  });

const thresholdMetric = z
  .object({
    name: z.string().min(1).max(200),
    measurements: z
      .array(
        z.union([
          z.object({ canary: sample, baseline: sample.optional() }).strict(),
          z.object({ error: z.string().max(2000) }).strict(),
        ]),
      )
      .max(1000),
    successCondition: condition.optional(),
    failureCondition: condition.optional(),
    failureLimit: z.number().int().min(-1).optional(),
    inconclusiveLimit: z.number().int().min(-1).optional(),
    consecutiveErrorLimit: z.number().int().min(-1).optional(),
    muted: z.boolean().optional(),
    minSamples: z.number().int().min(0).optional(),
  })
  .strict()
  .refine(m => m.successCondition || m.failureCondition, {
    message: 'needs a successCondition or a failureCondition',
  });

/**
 * zod schema of {@link JudgeInput} for HTTP bodies (JSON has no NaN: `null`
 * samples stand for NaN). Errors name the field.
 * @public
 */
export const judgeInputSchema = z
  .object({
    metrics: z.array(metric).max(500),
    thresholdMetrics: z.array(thresholdMetric).max(500).optional(),
    groupWeights: z.record(z.number().finite().min(0).max(100)).optional(),
    thresholds: z
      .object({
        pass: z.number().finite().min(0).max(100),
        marginal: z.number().finite().min(0).max(100),
      })
      .strict()
      .refine(t => t.pass >= t.marginal, {
        message: 'pass must be ≥ marginal',
      }),
    confidenceLevel: z.number().gt(0).lt(1).optional(),
    tolerance: z.number().finite().min(0).optional(),
    minSamples: z.number().int().min(0).optional(),
  })
  .strict();
