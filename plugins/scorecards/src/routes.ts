import { createRouteRef } from '@backstage/core-plugin-api';

/** The platform overview page (`/assay/scorecards` in the app). */
export const rootRouteRef = createRouteRef({
  id: 'scorecards',
});
