import { CustomFieldValidator } from '@backstage/plugin-scaffolder-react';
import {
  ResourceRequest,
  validateResources,
} from '@assay/plugin-onboarding-common';
import { resolveMode, ResourcesFieldOptions } from './mode';

/**
 * Blocks the form in compliance mode with the first rule violation;
 * sandbox mode blocks only on values that are not numbers at all (range
 * and precision violations are warnings naming the value rendered).
 */
export const resourcesFieldValidation: CustomFieldValidator<
  Partial<ResourceRequest>,
  ResourcesFieldOptions
> = (data, field, context) => {
  const mode = resolveMode(context.uiSchema?.['ui:options'], context.formData);
  const result = validateResources(data ?? {}, mode);
  for (const error of result.errors) {
    field.addError(error.message);
  }
};
