import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { evidenceApiRef } from './api/EvidenceApi';
import { EvidenceClient } from './api/EvidenceClient';
import { rootRouteRef } from './routes';

/**
 * The Assay evidence viewer plugin.
 *
 * @public
 */
export const evidencePlugin = createPlugin({
  id: 'evidence',
  apis: [
    createApiFactory({
      api: evidenceApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new EvidenceClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
  },
});

/**
 * The "Evidence" entity tab.
 *
 * @public
 */
export const EntityEvidenceContent = evidencePlugin.provide(
  createComponentExtension({
    name: 'EntityEvidenceContent',
    component: {
      lazy: () =>
        import('./components/EntityEvidenceContent').then(
          m => m.EntityEvidenceContent,
        ),
    },
  }),
);

/**
 * Compact evidence card for an entity's overview.
 *
 * @public
 */
export const EntityEvidenceCard = evidencePlugin.provide(
  createComponentExtension({
    name: 'EntityEvidenceCard',
    component: {
      lazy: () =>
        import('./components/EntityEvidenceCard').then(
          m => m.EntityEvidenceCard,
        ),
    },
  }),
);

/**
 * A page showing the evidence log's signed checkpoint, verified in the browser.
 *
 * @public
 */
export const EvidencePage = evidencePlugin.provide(
  createRoutableExtension({
    name: 'EvidencePage',
    component: () =>
      import('./components/EvidenceLogPage').then(m => m.EvidenceLogPage),
    mountPoint: rootRouteRef,
  }),
);
