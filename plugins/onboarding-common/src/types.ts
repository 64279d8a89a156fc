/**
 * How strictly onboarding rules are enforced.
 *
 * - `sandbox`: every violation is collected as a warning and onboarding
 *   continues; only values that cannot be rendered as Kubernetes quantities
 *   (non-positive, non-finite, fractional MB, CPU finer than 1m) are errors.
 * - `compliance`: onboarding stops at the first violation with an error.
 *
 * @public
 */
export type OnboardingMode = 'sandbox' | 'compliance';

/** @public */
export const ONBOARDING_MODES: readonly OnboardingMode[] = [
  'sandbox',
  'compliance',
];

/**
 * One broken rule, naming the field and the allowed range.
 *
 * @public
 */
export interface RuleViolation {
  field: string;
  message: string;
}

/**
 * Result of a validation. `ok` tells whether onboarding may continue:
 * in sandbox mode it is true even when there are warnings, and false only
 * for values that cannot be rendered at all.
 *
 * @public
 */
export interface ValidationResult {
  ok: boolean;
  errors: RuleViolation[];
  warnings: RuleViolation[];
}

/** @public */
export function isOnboardingMode(value: unknown): value is OnboardingMode {
  return value === 'sandbox' || value === 'compliance';
}
