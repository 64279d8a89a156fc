import {
  createPlugin,
  createRoutableExtension,
} from '@backstage/core-plugin-api';

import { rootRouteRef } from './routes';

export const evidencePlugin = createPlugin({
  id: 'evidence',
  routes: {
    root: rootRouteRef,
  },
});

export const EvidencePage = evidencePlugin.provide(
  createRoutableExtension({
    name: 'EvidencePage',
    component: () =>
      import('./components/ExampleComponent').then(m => m.ExampleComponent),
    mountPoint: rootRouteRef,
  }),
);
