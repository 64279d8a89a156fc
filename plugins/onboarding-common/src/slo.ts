import { OnboardingMode, RuleViolation } from './types';

/**
 * Service level objectives of a service.
 *
 * @public
 */
export interface SloTargets {
  /** 95th percentile latency budget in milliseconds */
  p95Ms: number;
  /** Maximum ratio of failed requests, e.g. 0.01 for 1% */
  errorRate: number;
  /** Minimum ratio of time the service is up, e.g. 0.995 */
  availability: number;
}

/**
 * Where a threshold came from, most specific first.
 *
 * @public
 */
export type SloSource = 'service' | 'mode' | 'global';

/** @public */
export type ResolvedSlo = {
  [K in keyof SloTargets]: { value: number; source: SloSource };
};

/**
 * Thresholds used when neither the service nor its mode sets one.
 *
 * @public
 */
export const GLOBAL_SLO_DEFAULTS: SloTargets = {
  p95Ms: 500,
  errorRate: 0.01,
  availability: 0.995,
};

/**
 * Thresholds per mode; a missing key falls through to the global default.
 *
 * @public
 */
export const MODE_SLO_DEFAULTS: Record<OnboardingMode, Partial<SloTargets>> = {
  compliance: { p95Ms: 300, errorRate: 0.005, availability: 0.999 },
  sandbox: { p95Ms: 1000, errorRate: 0.05 },
};

const SLO_KEYS: (keyof SloTargets)[] = ['p95Ms', 'errorRate', 'availability'];

/**
 * Checks service-specific SLO values (each optional).
 *
 * @public
 */
export function checkSlo(
  slo: Partial<Record<keyof SloTargets, unknown>>,
): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const p95 = slo.p95Ms;
  if (
    p95 !== undefined &&
    (typeof p95 !== 'number' ||
      !Number.isInteger(p95) ||
      p95 < 1 ||
      p95 > 60000)
  ) {
    violations.push({
      field: 'slo.p95Ms',
      message: `slo.p95Ms must be an integer 1–60000 ms (got ${String(p95)})`,
    });
  }
  for (const key of ['errorRate', 'availability'] as const) {
    const v = slo[key];
    if (v !== undefined && (typeof v !== 'number' || !(v > 0 && v < 1))) {
      violations.push({
        field: `slo.${key}`,
        message: `slo.${key} must be a fraction between 0 and 1, exclusive (got ${String(
          v,
        )})`,
      });
    }
  }
  return violations;
}

/**
 * Resolves each threshold with the hierarchy service-specific → mode → global.
 * Service values that fail {@link checkSlo} are ignored.
 *
 * @public
 */
export function resolveSlo(options: {
  service?: Partial<SloTargets>;
  mode: OnboardingMode;
}): ResolvedSlo {
  const service = options.service ?? {};
  const invalid = new Set(checkSlo(service).map(v => v.field));
  const modeDefaults = MODE_SLO_DEFAULTS[options.mode];
  const resolved = {} as ResolvedSlo;
  for (const key of SLO_KEYS) {
    const own = service[key];
    if (own !== undefined && own !== null && !invalid.has(`slo.${key}`)) {
      resolved[key] = { value: own, source: 'service' };
    } else if (modeDefaults[key] !== undefined) {
      resolved[key] = { value: modeDefaults[key]!, source: 'mode' };
    } else {
      resolved[key] = { value: GLOBAL_SLO_DEFAULTS[key], source: 'global' };
    }
  }
  return resolved;
}
