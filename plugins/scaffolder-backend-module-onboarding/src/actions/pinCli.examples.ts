import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Pin the digest of the assay CLI the portal serves, for the generated pipeline',
    example: yaml.stringify({
      steps: [
        { id: 'cli', action: 'assay:cli:pin', name: 'Pin the assay CLI' },
      ],
    }),
  },
];
