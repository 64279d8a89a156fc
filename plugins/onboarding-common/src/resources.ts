import { OnboardingMode, RuleViolation, ValidationResult } from './types';

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
 * Validates requested resources.
 *
 * Sandbox mode collects every violation as a warning and stays `ok`;
 * compliance mode stops at the first violation and reports it as an error.
 *
 * @public
 */
export function validateResources(
  resources: Partial<Record<keyof ResourceRequest, unknown>>,
  mode: OnboardingMode,
): ValidationResult {
  const violations: RuleViolation[] = [];
  for (const rule of RESOURCE_RULES) {
    const violation = checkRule(rule, resources[rule.field]);
    if (violation) {
      if (mode === 'compliance') {
        return { ok: false, errors: [violation], warnings: [] };
      }
      violations.push(violation);
    }
  }
  return { ok: true, errors: [], warnings: violations };
}
