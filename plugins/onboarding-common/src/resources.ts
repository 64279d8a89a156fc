import {
  isOnboardingMode,
  ONBOARDING_MODES,
  OnboardingMode,
  RuleViolation,
  ValidationResult,
} from './types';

/**
 * Requested resources and effort estimate of a service.
 *
 * @public
 */
export interface ResourceRequest {
  /** CPU in cores, e.g. 0.25 */
  cpu: number;
  /** Memory in MB (integer) */
  memoryMb: number;
  /** Storage in MB (integer) */
  storageMb: number;
  /** Effort estimate in story points (integer) */
  storyPoints: number;
}

/**
 * The allowed range of one numeric field.
 *
 * @public
 */
export interface NumericRule {
  field: keyof ResourceRequest;
  label: string;
  min: number;
  max: number;
  /** Maximum number of decimal places; 0 means integers only. */
  maxDecimals: number;
  unit: string;
}

/**
 * The resource rules, in the order compliance mode checks them.
 *
 * @public
 */
export const RESOURCE_RULES: readonly NumericRule[] = [
  {
    field: 'cpu',
    label: 'CPU',
    min: 0.1,
    max: 16,
    maxDecimals: 3,
    unit: 'cores',
  },
  {
    field: 'memoryMb',
    label: 'Memory',
    min: 128,
    max: 32768,
    maxDecimals: 0,
    unit: 'MB',
  },
  {
    field: 'storageMb',
    label: 'Storage',
    min: 10,
    max: 100000,
    maxDecimals: 0,
    unit: 'MB',
  },
  {
    field: 'storyPoints',
    label: 'Story points',
    min: 1,
    max: 20,
    maxDecimals: 0,
    unit: 'points',
  },
];

/**
 * Number of decimal places in the shortest decimal form of a number
 * (the form a person typed: `0.125` has 3, `1e-7` has 7).
 *
 * @public
 */
export function decimalPlaces(value: number): number {
  const [mantissa, exponent] = String(value).toLowerCase().split('e');
  const fraction = mantissa.split('.')[1] ?? '';
  const places = fraction.length - Number(exponent ?? 0);
  return Math.max(0, places);
}

function formatBound(rule: NumericRule, bound: number): string {
  return rule.maxDecimals > 0 && Number.isInteger(bound)
    ? bound.toFixed(1)
    : String(bound);
}

/**
 * Describes the allowed range of a rule, e.g.
 * `0.1–16.0 cores with at most 3 decimal places`.
 *
 * @public
 */
export function describeRule(rule: NumericRule): string {
  const range = `${formatBound(rule, rule.min)}–${formatBound(
    rule,
    rule.max,
  )} ${rule.unit}`;
  return rule.maxDecimals > 0
    ? `${range} with at most ${rule.maxDecimals} decimal places`
    : `${range}, integers only`;
}

/**
 * Checks one value against one rule; returns the violation or undefined.
 *
 * @public
 */
export function checkRule(
  rule: NumericRule,
  value: unknown,
): RuleViolation | undefined {
  const allowed = describeRule(rule);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return {
      field: rule.field,
      message: `${
        rule.field
      } must be a number: allowed ${allowed} (got ${String(value)})`,
    };
  }
  if (
    value < rule.min ||
    value > rule.max ||
    decimalPlaces(value) > rule.maxDecimals
  ) {
    return {
      field: rule.field,
      message: `${rule.field} must be ${allowed} (got ${value})`,
    };
  }
  return undefined;
}

/**
 * Largest memory/storage in MB whose `<n>Mi` stays within the largest
 * quantity Kubernetes represents, 2^63 - 1 bytes: (2^63 - 1) / 2^20 rounded
 * down. The CPU bound (in millicores) is Number.MAX_SAFE_INTEGER, far below.
 */
const MAX_MIB = 2 ** 43 - 1;
const MAX_CPU_CORES = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

/**
 * Kubernetes resource quantities (requests = limits).
 *
 * @public
 */
export interface ResourceQuantities {
  /** Millicores, e.g. `500m` */
  cpu: string;
  /** Mebibytes, e.g. `512Mi` */
  memory: string;
  /** Mebibytes, e.g. `1024Mi` */
  ephemeralStorage: string;
}

/**
 * Checks that a resource renders as a Kubernetes quantity exactly as
 * given: CPU a positive number of cores with at most 3 decimal places
 * (Kubernetes' 1m precision), memory and storage positive integer MB,
 * all below Kubernetes' 2^63 - 1 cap. These hold in every mode: sandbox
 * tolerates values outside the rules, not values no manifest can carry.
 * Story points are not rendered and always pass.
 *
 * @public
 */
export function checkRenderable(
  field: keyof ResourceRequest,
  value: unknown,
): RuleViolation | undefined {
  const fail = (expected: string): RuleViolation => ({
    field,
    message: `${field} cannot be rendered as a Kubernetes quantity: it must be ${expected} (got ${String(
      value,
    )})`,
  });
  const tooLarge = (max: number) =>
    typeof value === 'number' && Number.isFinite(value) && value > max;
  switch (field) {
    case 'cpu':
      if (tooLarge(MAX_CPU_CORES))
        return fail(`at most ${MAX_CPU_CORES} cores`);
      return typeof value === 'number' &&
        Number.isFinite(value) &&
        value > 0 &&
        decimalPlaces(value) <= 3
        ? undefined
        : fail('a positive number of cores with at most 3 decimal places');
    case 'memoryMb':
    case 'storageMb':
      if (tooLarge(MAX_MIB)) return fail(`at most ${MAX_MIB} MB`);
      return typeof value === 'number' && Number.isInteger(value) && value > 0
        ? undefined
        : fail('a positive integer number of MB');
    default:
      return undefined;
  }
}

/**
 * The Kubernetes quantities of validated resources, exactly as given:
 * `cpu` in millicores, memory and storage in Mi.
 *
 * @throws TypeError naming every field that cannot be rendered
 *   (see {@link checkRenderable})
 * @public
 */
export function toKubernetesQuantities(
  resources: Pick<ResourceRequest, 'cpu' | 'memoryMb' | 'storageMb'>,
): ResourceQuantities {
  const problems = (['cpu', 'memoryMb', 'storageMb'] as const)
    .map(field => checkRenderable(field, resources[field]))
    .filter((v): v is RuleViolation => !!v);
  if (problems.length) {
    throw new TypeError(problems.map(p => p.message).join('; '));
  }
  return {
    cpu: `${Math.round(resources.cpu * 1000)}m`,
    memory: `${resources.memoryMb}Mi`,
    ephemeralStorage: `${resources.storageMb}Mi`,
  };
}

/**
 * The nearest value Kubernetes can carry for a resource: CPU rounded to 1m
 * (at least 1m), memory and storage rounded to whole MB (at least 1), all
 * capped below Kubernetes' 2^63 - 1. Returns `undefined` for values that
 * are not finite numbers (there is nothing sensible to render).
 *
 * @public
 */
export function nearestRenderable(
  field: keyof ResourceRequest,
  value: unknown,
): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  switch (field) {
    case 'cpu':
      return Math.min(
        MAX_CPU_CORES,
        Math.max(0.001, Math.round(value * 1000) / 1000),
      );
    case 'memoryMb':
    case 'storageMb':
      return Math.min(MAX_MIB, Math.max(1, Math.round(value)));
    default:
      return Math.max(0, Math.round(value));
  }
}

/**
 * Result of {@link validateResources}: the validation plus the values to
 * render (equal to the input unless sandbox mode had to adjust them).
 *
 * @public
 */
export interface ResourceValidationResult extends ValidationResult {
  rendered: ResourceRequest;
}

/**
 * Validates requested resources.
 *
 * - `compliance` stops at the first violation and reports it as an error.
 * - `sandbox` never fails on a range or precision rule: every violation is
 *   a warning, and a value no Kubernetes quantity can carry (0, negative,
 *   fractional MB, CPU finer than 1m) is rendered as the nearest valid value
 *   ({@link nearestRenderable}), which the warning names. Only values that
 *   are not numbers at all are errors.
 * - any other mode is an error (never treated as sandbox).
 *
 * @public
 */
export function validateResources(
  resources: Partial<Record<keyof ResourceRequest, unknown>>,
  mode: OnboardingMode,
): ResourceValidationResult {
  const rendered = Object.fromEntries(
    RESOURCE_RULES.map(r => [r.field, resources[r.field]]),
  ) as unknown as ResourceRequest;
  if (!isOnboardingMode(mode)) {
    return {
      ok: false,
      errors: [
        {
          field: 'mode',
          message: `mode must be one of ${ONBOARDING_MODES.join(
            ', ',
          )} (got ${String(mode)})`,
        },
      ],
      warnings: [],
      rendered,
    };
  }
  const errors: RuleViolation[] = [];
  const warnings: RuleViolation[] = [];
  for (const rule of RESOURCE_RULES) {
    const value = resources[rule.field];
    const violation = checkRule(rule, value);
    if (violation && mode === 'compliance') {
      return { ok: false, errors: [violation], warnings: [], rendered };
    }
    const nearest = nearestRenderable(rule.field, value);
    if (nearest === undefined) {
      errors.push(checkRenderable(rule.field, value) ?? violation!);
      continue;
    }
    if (checkRenderable(rule.field, value)) {
      rendered[rule.field] = nearest;
      const note = `rendered as ${nearest} ${rule.unit} (the nearest value Kubernetes accepts)`;
      warnings.push({
        field: rule.field,
        message: violation
          ? `${violation.message}; ${note}`
          : `${rule.field} ${value} cannot be rendered exactly; ${note}`,
      });
    } else if (violation) {
      warnings.push(violation);
    }
  }
  return { ok: errors.length === 0, errors, warnings, rendered };
}

/**
 * Resource presets offered by the onboarding form (story points are left
 * as entered). All three pass the rules of both modes.
 *
 * @public
 */
export const RESOURCE_PRESETS: Record<
  'S' | 'M' | 'L',
  Pick<ResourceRequest, 'cpu' | 'memoryMb' | 'storageMb'>
> = {
  S: { cpu: 0.25, memoryMb: 256, storageMb: 512 },
  M: { cpu: 0.5, memoryMb: 512, storageMb: 1024 },
  L: { cpu: 1, memoryMb: 1024, storageMb: 2048 },
};
