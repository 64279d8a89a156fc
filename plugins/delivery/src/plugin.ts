import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { deliveryApiRef } from './api/DeliveryApi';
import { DeliveryClient } from './api/DeliveryClient';
import { rootRouteRef } from './routes';

/**
 * The Assay delivery plugin: canary rollouts and promotions of an entity,
 * and coordinated promotions of dependent services.
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

/**
 * The "Promotion" entity tab: environments with the deployed release, the
 * gates of each next step, the promote dialog with its gate preview and
 * approvals, approvals, rollbacks, releases, history and KPIs.
 *
 * @public
 */
export const EntityPromotionContent = deliveryPlugin.provide(
  createComponentExtension({
    name: 'EntityPromotionContent',
    component: {
      lazy: () =>
        import('./components/promotion/EntityPromotionContent').then(
          m => m.EntityPromotionContent,
        ),
    },
  }),
);

/**
 * The coordinated promotions page (mount it at `/assay/promotions`).
 *
 * @public
 */
export const PromotionsPage = deliveryPlugin.provide(
  createRoutableExtension({
    name: 'PromotionsPage',
    component: () =>
      import('./components/promotions').then(m => m.PromotionsPage),
    mountPoint: rootRouteRef,
  }),
);
