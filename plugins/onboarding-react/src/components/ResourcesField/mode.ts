import {
  isOnboardingMode,
  OnboardingMode,
} from '@assay/plugin-onboarding-common';

/** Options of the AssayResources field, set with `ui:options`. */
export interface ResourcesFieldOptions {
  /** A fixed mode; otherwise the mode is read from the form. */
  mode?: OnboardingMode;
  /** Name of the form field holding the mode, default `mode`. */
  modeField?: string;
}

/**
 * The mode the rules apply in: `ui:options.mode`, else the form's mode
 * field, else compliance (the strict default).
 */
export function resolveMode(
  options: ResourcesFieldOptions | undefined,
  formData: Record<string, unknown> | undefined,
): OnboardingMode {
  if (isOnboardingMode(options?.mode)) return options!.mode!;
  const fromForm = formData?.[options?.modeField ?? 'mode'];
  return isOnboardingMode(fromForm) ? fromForm : 'compliance';
}
