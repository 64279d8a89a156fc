import {
  ApiBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { deliveryApiRef } from './api/DeliveryApi';
import { DeliveryClient } from './api/DeliveryClient';
import { isCanaryAvailable, isPromotionAvailable } from './lib/entity';

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

/** @alpha */
export const promotionsRootRouteRef = createRouteRef();

/** @alpha */
export const entityPromotionContent = EntityContentBlueprint.make({
  name: 'promotion',
  params: {
    path: '/promotion',
    title: 'Promotion',
    filter: isPromotionAvailable,
    loader: () =>
      import('./components/promotion/EntityPromotionContent').then(m => (
        <m.EntityPromotionContent />
      )),
  },
});

/** @alpha */
export const promotionsPage = PageBlueprint.make({
  params: {
    path: '/assay/promotions',
    title: 'Promotions',
    routeRef: promotionsRootRouteRef,
    loader: () =>
      import('./components/promotions').then(m => <m.PromotionsPage />),
  },
});

/**
 * The delivery plugin for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'delivery',
  routes: { root: promotionsRootRouteRef },
  extensions: [
    deliveryApi,
    entityCanaryContent,
    entityPromotionContent,
    promotionsPage,
  ],
});
