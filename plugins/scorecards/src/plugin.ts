import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { scorecardsApiRef } from './api/ScorecardsApi';
import { ScorecardsClient } from './api/ScorecardsClient';
import { rootRouteRef } from './routes';

/**
 * The Assay compliance scorecards plugin.
 *
 * @public
 */
export const scorecardsPlugin = createPlugin({
  id: 'scorecards',
  apis: [
    createApiFactory({
      api: scorecardsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new ScorecardsClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
  },
});

/**
 * The "Compliance" entity tab.
 *
 * @public
 */
export const EntityScorecardContent = scorecardsPlugin.provide(
  createComponentExtension({
    name: 'EntityScorecardContent',
    component: {
      lazy: () =>
        import('./components/EntityScorecardContent').then(
          m => m.EntityScorecardContent,
        ),
    },
  }),
);

/**
 * Compact scorecard for an entity's overview: level, score, failing checks.
 *
 * @public
 */
export const EntityScorecardCard = scorecardsPlugin.provide(
  createComponentExtension({
    name: 'EntityScorecardCard',
    component: {
      lazy: () =>
        import('./components/EntityScorecardCard').then(
          m => m.EntityScorecardCard,
        ),
    },
  }),
);

/**
 * The platform overview page (mount it at `/assay/scorecards`).
 *
 * @public
 */
export const ScorecardsOverviewPage = scorecardsPlugin.provide(
  createRoutableExtension({
    name: 'ScorecardsOverviewPage',
    component: () =>
      import('./components/ScorecardsOverviewPage').then(
        m => m.ScorecardsOverviewPage,
      ),
    mountPoint: rootRouteRef,
  }),
);
