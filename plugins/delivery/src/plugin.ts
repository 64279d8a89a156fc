import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { deliveryApiRef } from './api/DeliveryApi';
import { DeliveryClient } from './api/DeliveryClient';
import { rootRouteRef } from './routes';

/**
 * The Assay delivery plugin: canary rollouts (and, later, promotions) of an
 * entity.
 *
 * @public
 */
export const deliveryPlugin = createPlugin({
  id: 'delivery',
  apis: [
    createApiFactory({
      api: deliveryApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DeliveryClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
  },
});

/**
 * The "Canary" entity tab: the current canary run step by step, its traffic
 * split, metrics and verdicts, the run history and the actions.
 *
 * @public
 */
export const EntityCanaryContent = deliveryPlugin.provide(
  createComponentExtension({
    name: 'EntityCanaryContent',
    component: {
      lazy: () =>
        import('./components/canary/EntityCanaryContent').then(
          m => m.EntityCanaryContent,
        ),
    },
  }),
);
