import { scaffolderPlugin } from '@backstage/plugin-scaffolder';
import {
  createScaffolderFieldExtension,
  FieldExtensionOptions,
} from '@backstage/plugin-scaffolder-react';
import { ResourceRequest } from '@assay/plugin-onboarding-common';
import { ServiceNameField } from './components/ServiceNameField';
import {
  ResourcesField,
  resourcesFieldValidation,
  ResourcesFieldOptions,
} from './components/ResourcesField';

/**
 * Name to use in templates: `ui:field: AssayResources`.
 *
 * @public
 */
export const ASSAY_RESOURCES_FIELD = 'AssayResources';

/**
 * The field's options, for apps that compose field extensions themselves.
 *
 * @public
 */
export const assayResourcesFieldOptions: FieldExtensionOptions<
  Partial<ResourceRequest>,
  ResourcesFieldOptions
> = {
  name: ASSAY_RESOURCES_FIELD,
  component: ResourcesField,
  validation: resourcesFieldValidation,
  schema: {
    returnValue: {
      type: 'object',
      properties: {
        cpu: { type: 'number' },
        memoryMb: { type: 'number' },
        storageMb: { type: 'number' },
        storyPoints: { type: 'number' },
      },
    },
    uiOptions: {
      type: 'object',
      properties: {
        mode: { type: 'string', enum: ['sandbox', 'compliance'] },
        modeField: { type: 'string' },
      },
    },
  },
};

/**
 * The AssayResources scaffolder field: put it inside
 * `<ScaffolderFieldExtensions>` of the `/create` route.
 *
 * @public
 */
export const AssayResourcesFieldExtension = scaffolderPlugin.provide(
  createScaffolderFieldExtension(assayResourcesFieldOptions),
);

/**
 * Name to use in templates: `ui:field: AssayServiceName`.
 *
 * @public
 */
export const ASSAY_SERVICE_NAME_FIELD = 'AssayServiceName';

/**
 * The AssayServiceName scaffolder field: the service name, checked against
 * the catalog while typing. Put it inside `<ScaffolderFieldExtensions>`.
 *
 * @public
 */
export const AssayServiceNameFieldExtension = scaffolderPlugin.provide(
  createScaffolderFieldExtension({
    name: ASSAY_SERVICE_NAME_FIELD,
    component: ServiceNameField,
    schema: { returnValue: { type: 'string' } },
  }),
);
