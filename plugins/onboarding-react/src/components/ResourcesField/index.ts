export { ResourcesField } from './ResourcesField';
export { resourcesFieldValidation } from './validation';
export { resolveMode } from './mode';
export type { ResourcesFieldOptions } from './mode';
