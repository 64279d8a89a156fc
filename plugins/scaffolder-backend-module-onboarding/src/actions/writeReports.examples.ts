import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Write the reports for the generated service, using the outputs of earlier steps',
    example: yaml.stringify({
      steps: [
        {
          id: 'reports',
          action: 'assay:reports:write',
          name: 'Write reports',
          input: {
            featureId: '0123456789ab',
            runId: '20250924T140440Z-1a2b3c4d',
            mode: 'compliance',
            spec: {
              name: 'service-c',
              resources: {
                cpu: 0.5,
                memoryMb: 512,
                storageMb: 1024,
                storyPoints: 5,
              },
            },
            validation: {
              ok: true,
              errors: [],
              warnings: [],
              quantities: {
                cpu: '500m',
                memory: '512Mi',
                ephemeralStorage: '1024Mi',
              },
              canarySteps: [10, 50, 100],
            },
          },
        },
      ],
    }),
  },
];
