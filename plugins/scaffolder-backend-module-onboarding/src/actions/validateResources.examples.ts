import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Validate resources in compliance mode (fails on the first violation)',
    example: yaml.stringify({
      steps: [
        {
          id: 'validate',
          action: 'assay:resources:validate',
          name: 'Validate resources',
          input: {
            cpu: 0.5,
            memoryMb: 512,
            storageMb: 1024,
            storyPoints: 5,
            mode: 'compliance',
          },
        },
      ],
    }),
  },
  {
    description:
      'Sandbox mode with custom canary steps and a service-specific p95 SLO',
    example: yaml.stringify({
      steps: [
        {
          id: 'validate',
          action: 'assay:resources:validate',
          name: 'Validate resources',
          input: {
            cpu: 20,
            memoryMb: 256,
            storageMb: 50,
            storyPoints: 3,
            mode: 'sandbox',
            canarySteps: [5, 25, 100],
            slo: { p95Ms: 250 },
          },
        },
      ],
    }),
  },
];
