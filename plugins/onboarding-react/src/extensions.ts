import { scaffolderPlugin } from '@backstage/plugin-scaffolder';
import {
  createScaffolderFieldExtension,
  FieldExtensionOptions,
} from '@backstage/plugin-scaffolder-react';
import { ResourceRequest } from '@assay/plugin-onboarding-common';
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
