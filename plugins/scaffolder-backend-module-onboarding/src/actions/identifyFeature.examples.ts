import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Identify the feature of an onboarding spec (compliance: a name conflict blocks)',
    example: yaml.stringify({
      steps: [
        {
          id: 'identify',
          action: 'assay:feature:identify',
          name: 'Identify feature',
          input: {
            mode: 'compliance',
            spec: {
              name: 'service-c',
              owner: 'group:default/payments-team',
              runtime: 'python',
              resources: {
                cpu: 0.5,
                memoryMb: 512,
                storageMb: 1024,
                storyPoints: 5,
              },
            },
          },
        },
      ],
    }),
  },
  {
    description: 'Sandbox mode: an existing service-a becomes service-a-v2',
    example: yaml.stringify({
      steps: [
        {
          id: 'identify',
          action: 'assay:feature:identify',
          name: 'Identify feature',
          input: {
            mode: 'sandbox',
            spec: {
              name: 'service-a',
              owner: 'group:default/payments-team',
              runtime: 'node',
            },
          },
        },
      ],
    }),
  },
];
