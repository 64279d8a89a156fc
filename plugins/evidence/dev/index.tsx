import { createDevApp } from '@backstage/dev-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { Entity } from '@backstage/catalog-model';
import {
  evidencePlugin,
  EntityEvidenceCard,
  EntityEvidenceContent,
  EvidencePage,
} from '../src';

// Serve against a running backend (`yarn start backend` at the repo root).
const serviceA: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'service-a',
    namespace: 'default',
    annotations: { 'assay.dev/evidence-enabled': 'true' },
  },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
};

createDevApp()
  .registerPlugin(evidencePlugin)
  .addPage({
    element: (
      <EntityProvider entity={serviceA}>
        <EntityEvidenceContent />
      </EntityProvider>
    ),
    title: 'Evidence tab',
    path: '/evidence-tab',
  })
  .addPage({
    element: (
      <EntityProvider entity={serviceA}>
        <EntityEvidenceCard />
      </EntityProvider>
    ),
    title: 'Evidence card',
    path: '/evidence-card',
  })
  .addPage({
    element: <EvidencePage />,
    title: 'Evidence log',
    path: '/evidence',
  })
  .render();
