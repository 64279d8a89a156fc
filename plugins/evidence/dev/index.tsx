import { createDevApp } from '@backstage/dev-utils';
import { evidencePlugin, EvidencePage } from '../src/plugin';

createDevApp()
  .registerPlugin(evidencePlugin)
  .addPage({
    element: <EvidencePage />,
    title: 'Root Page',
    path: '/evidence',
  })
  .render();
