import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Record the onboarding of a new component, citing the manifest written by assay:reports:write',
    example: yaml.stringify({
      steps: [
        {
          id: 'evidence',
          action: 'assay:evidence:record',
          name: 'Record onboarding evidence',
          input: {
            entityRef: 'component:default/service-c',
            featureId: '0123456789ab',
            runId: '20250924T140440Z-1a2b3c4d',
            manifestPath:
              'reports/0123456789ab/20250924T140440Z-1a2b3c4d/manifest.json',
            mode: 'compliance',
            repository: {
              remoteUrl: 'file:///srv/backstage/data/repos/service-c.git',
              branch: 'auto/spec-implementation/0123456789ab',
            },
          },
        },
      ],
    }),
  },
];
