import { createMockDirectory } from '@backstage/backend-test-utils';
import { startScaffolder } from './renderTemplate';

jest.setTimeout(60_000);

describe('service-onboarding template', () => {
  const publishDir = createMockDirectory();
  let scaffolder: Awaited<ReturnType<typeof startScaffolder>>;

  beforeAll(async () => {
    scaffolder = await startScaffolder({ publishDir: publishDir.path });
  });
  afterAll(() => scaffolder?.backend.stop());

  it('renders', async () => {
    const result = await scaffolder.dryRun({
      name: 'service-c',
      description: 'Payment reconciliation',
      owner: 'group:default/payments-team',
      system: 'system:default/example-service',
      dependencies: ['component:default/service-a'],
      runtime: 'python',
      mode: 'compliance',
      resources: { cpu: 0.5, memoryMb: 512, storageMb: 1024, storyPoints: 3 },
      canarySteps: '10,50,100',
    });
    const fs = require('fs');
    const path = require('path');
    for (const [p, c] of result.files) {
      fs.mkdirSync(path.dirname('/tmp/onb-render/' + p), { recursive: true });
      fs.writeFileSync('/tmp/onb-render/' + p, c);
    }
  });
});
