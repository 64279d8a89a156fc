/**
 * Scaffolder form pieces for Assay onboarding: the AssayResources field,
 * which validates resources live with the rules of
 * `@assay/plugin-onboarding-common`.
 *
 * @packageDocumentation
 */

export {
  AssayServiceNameFieldExtension,
  ASSAY_SERVICE_NAME_FIELD,
  AssayResourcesFieldExtension,
  assayResourcesFieldOptions,
  ASSAY_RESOURCES_FIELD,
} from './extensions';
export {
  ResourcesField,
  resourcesFieldValidation,
  resolveMode,
} from './components/ResourcesField';
export type { ResourcesFieldOptions } from './components/ResourcesField';
export {
  ServiceNameField,
  checkServiceName,
} from './components/ServiceNameField';
export type { NameAvailability } from './components/ServiceNameField';

/**
 * Re-exported so an app can wrap the field in the scaffolder route without
 * depending on `@backstage/plugin-scaffolder-react` itself.
 *
 * @public
 */
export { ScaffolderFieldExtensions } from '@backstage/plugin-scaffolder-react';
