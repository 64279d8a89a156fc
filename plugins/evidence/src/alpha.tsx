import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { evidenceApiRef } from './api/EvidenceApi';
import { EvidenceClient } from './api/EvidenceClient';
import { isEvidenceAvailable } from './lib/entity';

/** @alpha */
export const evidenceApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: evidenceApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new EvidenceClient({ discoveryApi, fetchApi }),
    }),
});

/** @alpha */
export const entityEvidenceContent = EntityContentBlueprint.make({
  params: {
    path: '/evidence',
    title: 'Evidence',
    filter: isEvidenceAvailable,
    loader: () =>
      import('./components/EntityEvidenceContent').then(m => (
        <m.EntityEvidenceContent />
      )),
  },
});

/** @alpha */
export const entityEvidenceCard = EntityCardBlueprint.make({
  params: {
    filter: isEvidenceAvailable,
    loader: () =>
      import('./components/EntityEvidenceCard').then(m => (
        <m.EntityEvidenceCard />
      )),
  },
});

/**
 * The evidence viewer for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'evidence',
  extensions: [evidenceApi, entityEvidenceContent, entityEvidenceCard],
});
