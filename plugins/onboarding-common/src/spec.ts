import { checkCanarySteps, DEFAULT_CANARY_STEPS } from './canary';
import { ResourceRequest, validateResources } from './resources';
import { checkSlo, resolveSlo, ResolvedSlo, SloTargets } from './slo';
import {
  isOnboardingMode,
  OnboardingMode,
  RuleViolation,
  ValidationResult,
} from './types';

/**
 * Runtimes a service can be generated for.
 *
 * @public
 */
export type OnboardingRuntime = 'python' | 'node';

/**
 * Everything a person asks for when onboarding a service. Its canonical
 * JSON identifies the feature (see `featureId`).
 *
 * @public
 */
export interface OnboardingSpec {
  name: string;
  description?: string;
  owner: string;
  system?: string;
  dependencies?: string[];
  runtime: OnboardingRuntime;
  resources: ResourceRequest;
  mode: OnboardingMode;
  canarySteps?: number[];
  slo?: Partial<SloTargets>;
}

/**
 * Result of validating the whole spec, with the values onboarding goes on
 * with: invalid canary steps fall back to the default in sandbox mode and
 * invalid SLOs fall back to the mode/global thresholds.
 *
 * @public
 */
export interface SpecValidationResult extends ValidationResult {
  /** Resources to render (sandbox may round them to valid quantities) */
  rendered: ResourceRequest;
  canarySteps: number[];
  slo: ResolvedSlo;
}

/**
 * Validates resources, canary steps and SLOs, in that order, with the
 * same mode semantics as `validateResources` (in sandbox mode, only
 * resources that cannot be rendered as Kubernetes quantities are errors).
 *
 * @public
 */
export function validateSpecRules(
  spec: {
    resources: Partial<Record<keyof ResourceRequest, unknown>>;
    canarySteps?: unknown;
    slo?: Partial<Record<keyof SloTargets, unknown>>;
  },
  mode: OnboardingMode,
): SpecValidationResult {
  const resources = validateResources(spec.resources, mode);
  const { rendered } = resources;
  if (!isOnboardingMode(mode)) {
    return {
      ...resources,
      canarySteps: [...DEFAULT_CANARY_STEPS],
      slo: resolveSlo({ service: {}, mode: 'compliance' }),
    };
  }
  const canaryViolations =
    spec.canarySteps === undefined ? [] : checkCanarySteps(spec.canarySteps);
  const sloViolations = checkSlo(spec.slo ?? {});
  const canarySteps = canaryViolations.length
    ? [...DEFAULT_CANARY_STEPS]
    : (spec.canarySteps as number[] | undefined) ?? [...DEFAULT_CANARY_STEPS];
  const slo = resolveSlo({
    service: (spec.slo ?? {}) as Partial<SloTargets>,
    mode,
  });

  if (mode === 'compliance') {
    const first: RuleViolation | undefined =
      resources.errors[0] ?? canaryViolations[0] ?? sloViolations[0];
    return first
      ? { ok: false, errors: [first], warnings: [], rendered, canarySteps, slo }
      : { ok: true, errors: [], warnings: [], rendered, canarySteps, slo };
  }
  const fallback = (violations: RuleViolation[], note: string) =>
    violations.map(v => ({ ...v, message: `${v.message}; ${note}` }));
  return {
    ok: resources.errors.length === 0,
    errors: resources.errors,
    warnings: [
      ...resources.warnings,
      ...fallback(canaryViolations, `using ${DEFAULT_CANARY_STEPS.join(',')}`),
      ...fallback(sloViolations, 'using the mode/global threshold'),
    ],
    rendered,
    canarySteps,
    slo,
  };
}
