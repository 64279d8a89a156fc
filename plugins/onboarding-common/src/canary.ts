import { RuleViolation } from './types';

/**
 * Default canary traffic steps, in percent of traffic sent to the canary.
 *
 * @public
 */
export const DEFAULT_CANARY_STEPS: readonly number[] = [10, 50, 100];

/**
 * Checks canary steps: at least one step, integers 1–100, strictly
 * increasing, the last one 100. Returns every violation found.
 *
 * @public
 */
export function checkCanarySteps(steps: unknown): RuleViolation[] {
  const field = 'canarySteps';
  if (!Array.isArray(steps) || steps.length === 0) {
    return [
      {
        field,
        message: `${field} must be a non-empty list of percentages ending at 100`,
      },
    ];
  }
  const violations: RuleViolation[] = [];
  steps.forEach((step, i) => {
    if (
      typeof step !== 'number' ||
      !Number.isInteger(step) ||
      step < 1 ||
      step > 100
    ) {
      violations.push({
        field,
        message: `${field}[${i}] must be an integer 1–100 (got ${String(
          step,
        )})`,
      });
    } else if (i > 0 && step <= steps[i - 1]) {
      violations.push({
        field,
        message: `${field} must be strictly increasing (${
          steps[i - 1]
        } then ${step})`,
      });
    }
  });
  if (steps[steps.length - 1] !== 100) {
    violations.push({
      field,
      message: `${field} must end at 100 (got ${String(
        steps[steps.length - 1],
      )})`,
    });
  }
  return violations;
}

/**
 * Parses `"10,50,100"` (or an array) into canary steps; invalid entries
 * become NaN so that {@link checkCanarySteps} reports them.
 *
 * @public
 */
export function parseCanarySteps(value: string | readonly number[]): number[] {
  if (Array.isArray(value)) return [...value];
  return String(value)
    .split(',')
    .map(s => s.trim())
    .filter(s => s.length > 0)
    .map(s => (/^\d+$/.test(s) ? Number(s) : NaN));
}

/**
 * The initial traffic split: the canary receives the first step, the
 * stable subset the rest. Weights always sum to 100.
 *
 * @public
 */
export function initialTrafficSplit(steps: readonly number[]): {
  stable: number;
  canary: number;
} {
  const canary = steps[0];
  return { stable: 100 - canary, canary };
}
