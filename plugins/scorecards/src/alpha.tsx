import {
  ApiBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { scorecardsApiRef } from './api/ScorecardsApi';
import { ScorecardsClient } from './api/ScorecardsClient';
import { isScorecardAvailable } from './lib/entity';

/** @alpha */
export const scorecardsRootRouteRef = createRouteRef();

/** @alpha */
export const scorecardsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: scorecardsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new ScorecardsClient({ discoveryApi, fetchApi }),
    }),
});

/** @alpha */
export const entityScorecardContent = EntityContentBlueprint.make({
  params: {
    path: '/compliance',
    title: 'Compliance',
    filter: isScorecardAvailable,
    loader: () =>
      import('./components/EntityScorecardContent').then(m => (
        <m.EntityScorecardContent />
      )),
  },
});

/** @alpha */
export const entityScorecardCard = EntityCardBlueprint.make({
  params: {
    filter: isScorecardAvailable,
    loader: () =>
      import('./components/EntityScorecardCard').then(m => (
        <m.EntityScorecardCard />
      )),
  },
});

/** @alpha */
export const scorecardsOverviewPage = PageBlueprint.make({
  params: {
    path: '/assay/scorecards',
    title: 'Scorecards',
    routeRef: scorecardsRootRouteRef,
    loader: () =>
      import('./components/ScorecardsOverviewPage').then(m => (
        <m.ScorecardsOverviewPage />
      )),
  },
});

/**
 * Compliance scorecards for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'scorecards',
  routes: { root: scorecardsRootRouteRef },
  extensions: [
    scorecardsApi,
    entityScorecardContent,
    entityScorecardCard,
    scorecardsOverviewPage,
  ],
});
