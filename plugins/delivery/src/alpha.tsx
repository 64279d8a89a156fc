import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { deliveryApiRef } from './api/DeliveryApi';
import { DeliveryClient } from './api/DeliveryClient';
import { isCanaryAvailable } from './lib/entity';

/** @alpha */
export const deliveryApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: deliveryApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DeliveryClient({ discoveryApi, fetchApi }),
    }),
});

/** @alpha */
export const entityCanaryContent = EntityContentBlueprint.make({
  name: 'canary',
  params: {
    path: '/canary',
    title: 'Canary',
    filter: isCanaryAvailable,
    loader: () =>
      import('./components/canary/EntityCanaryContent').then(m => (
        <m.EntityCanaryContent />
      )),
  },
});

/**
 * The delivery plugin for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'delivery',
  extensions: [deliveryApi, entityCanaryContent],
});
