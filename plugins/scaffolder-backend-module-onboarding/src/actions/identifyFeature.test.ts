import { createMockDirectory } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { featureId } from '@assay/plugin-onboarding-common';
import { createIdentifyFeatureAction, makeRunId } from './identifyFeature';
import { examples } from './identifyFeature.examples';
import { exampleInputs, mockContext } from '../__testUtils__/actionContext';

const component = (name: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/payments-team',
  },
});

const existingSpec = {
  name: 'service-x',
  owner: 'group:default/payments-team',
  runtime: 'python',
};

describe('assay:feature:identify', () => {
  const workspace = createMockDirectory();
  const catalog = catalogServiceMock({
    entities: [
      component('service-a'),
      component('service-b'),
      component('service-b-v2'),
      component('service-x-renamed', {
        'assay.dev/feature-id': featureId(existingSpec),
      }),
    ],
  });
  const action = createIdentifyFeatureAction({ catalog });
  const run = async (input: any, isDryRun = false) => {
    const { ctx, outputs } = mockContext({
      input,
      workspacePath: workspace.path,
      isDryRun,
    });
    await action.handler(ctx);
    return outputs;
  };

  it('identifies a new feature', async () => {
    const spec = {
      name: 'service-c',
      owner: 'group:default/payments-team',
      runtime: 'python',
    };
    const outputs = await run({ spec, mode: 'compliance' });
    const id = featureId(spec);
    expect(outputs).toEqual({
      featureId: id,
      branch: `auto/spec-implementation/${id}`,
      runId: expect.stringMatching(/^\d{8}T\d{6}Z-1a2b3c4d$/),
      componentName: 'service-c',
      entityRef: 'component:default/service-c',
      conflict: false,
    });
  });

  it('compliance blocks an existing name with a clear error', async () => {
    const promise = run({
      spec: { name: 'service-a', owner: 'x' },
      mode: 'compliance',
    });
    await expect(promise).rejects.toThrow(ConflictError);
    await expect(
      run({ spec: { name: 'service-a', owner: 'x' }, mode: 'compliance' }),
    ).rejects.toThrow(
      "Compliance mode: a component named 'service-a' already exists. Choose another name or change the spec; compliance mode never renames.",
    );
  });

  it('compliance blocks an already onboarded feature, naming the existing component', async () => {
    await expect(
      run({ spec: existingSpec, mode: 'compliance' }),
    ).rejects.toThrow(
      /feature [0-9a-f]{12} is already onboarded as component:default\/service-x-renamed/,
    );
  });

  it('sandbox creates -v2 for an existing name', async () => {
    const outputs = await run({
      spec: { name: 'service-a', owner: 'x' },
      mode: 'sandbox',
    });
    expect(outputs.componentName).toBe('service-a-v2');
    expect(outputs.entityRef).toBe('component:default/service-a-v2');
    expect(outputs.conflict).toBe(true);
    expect(outputs.branch).toBe(
      `auto/spec-implementation/${outputs.featureId}-v2`,
    );
  });

  it('counts existing repositories of the publisher as taken names', async () => {
    const withRepos = createIdentifyFeatureAction({
      catalog,
      repositoryExists: async name =>
        ['service-q', 'service-q-v2'].includes(name),
    });
    const spec = { name: 'service-q', owner: 'x' };
    const sandbox = mockContext({
      input: { spec, mode: 'sandbox' },
      workspacePath: workspace.path,
    });
    await withRepos.handler(sandbox.ctx);
    expect(sandbox.outputs.componentName).toBe('service-q-v3');
    expect(sandbox.outputs.branch).toMatch(/-v3$/);
    const compliance = mockContext({
      input: { spec, mode: 'compliance' },
      workspacePath: workspace.path,
    });
    await expect(withRepos.handler(compliance.ctx)).rejects.toThrow(
      "Compliance mode: a repository named 'service-q' already exists.",
    );
  });

  it('sandbox skips taken versions: -v3 when -v2 exists', async () => {
    const outputs = await run({
      spec: { name: 'service-b', owner: 'x' },
      mode: 'sandbox',
    });
    expect(outputs.componentName).toBe('service-b-v3');
  });

  it('sandbox versions an already onboarded feature even when its name is free', async () => {
    const outputs = await run({ spec: existingSpec, mode: 'sandbox' });
    expect(outputs.conflict).toBe(true);
    expect(outputs.componentName).toBe('service-x-v2');
  });

  it('gives the same answer in dry-run (read-only)', async () => {
    expect(action.supportsDryRun).toBe(true);
    const outputs = await run(
      { spec: { name: 'service-a', owner: 'x' }, mode: 'sandbox' },
      true,
    );
    expect(outputs.componentName).toBe('service-a-v2');
    await expect(
      run(
        { spec: { name: 'service-a', owner: 'x' }, mode: 'compliance' },
        true,
      ),
    ).rejects.toThrow(ConflictError);
  });

  it('makes sortable run ids', () => {
    expect(
      makeRunId(new Date('2025-09-24T14:04:40.999Z'), 'abc-DEF-123456'),
    ).toBe('20250924T140440Z-abcDEF12');
    expect(makeRunId(new Date('2025-09-24T14:04:40Z'), '---')).toBe(
      '20250924T140440Z-local',
    );
  });

  describe('examples', () => {
    it.each(exampleInputs(action, examples))(
      '%s',
      async (_description, input) => {
        const outputs = await run(input);
        expect(outputs.featureId).toMatch(/^[0-9a-f]{12}$/);
      },
    );
  });
});
