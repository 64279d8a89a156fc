import { Config } from '@backstage/config';

/** Coordinated promotion settings (`delivery.promotion.*`). */
export interface PlanConfig {
  /** Services promoted in parallel per wave. */
  concurrency: number;
  /** Whether a failure also rolls back the waves before the failed one. */
  rollbackEarlierWaves: boolean;
  /** How long a backend may hold an item before another takes it over. */
  leaseSeconds: number;
  /** How often the global plan task runs. */
  frequencySeconds: number;
  /** Seed a finished demo plan (service-a + service-b). */
  demoSeed: boolean;
}

export function readPlanConfig(root: Config): PlanConfig {
  const c = root.getOptionalConfig('delivery.promotion');
  const int = (key: string, def: number, min: number, max: number) => {
    const v = c?.getOptionalNumber(key) ?? def;
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new Error(
        `delivery.promotion.${key}: an integer ${min}..${max}, got ${v}`,
      );
    }
    return v;
  };
  return {
    concurrency: int('concurrency', 4, 1, 64),
    rollbackEarlierWaves:
      c?.getOptionalBoolean('rollbackEarlierWaves') ?? false,
    leaseSeconds: int('planLeaseSeconds', 900, 5, 86_400),
    frequencySeconds: int('planFrequencySeconds', 5, 1, 3600),
    demoSeed: c?.getOptionalBoolean('demoSeed') ?? false,
  };
}
