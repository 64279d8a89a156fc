import { createMockDirectory } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { createValidateResourcesAction } from './validateResources';
import { examples } from './validateResources.examples';
import { exampleInputs, mockContext } from '../__testUtils__/actionContext';

const valid = { cpu: 0.5, memoryMb: 512, storageMb: 1024, storyPoints: 5 };

const edges: Array<[keyof typeof valid, number, boolean, string]> = [
  ['cpu', 0.1, true, ''],
  ['cpu', 0.099, false, '0.1–16.0 cores with at most 3 decimal places'],
  ['cpu', 16, true, ''],
  ['cpu', 16.001, false, '0.1–16.0 cores'],
  ['cpu', 2.125, true, ''],
  ['cpu', 2.1255, false, 'at most 3 decimal places'],
  ['memoryMb', 128, true, ''],
  ['memoryMb', 127, false, '128–32768 MB, integers only'],
  ['memoryMb', 32768, true, ''],
  ['memoryMb', 32769, false, '128–32768 MB'],
  ['memoryMb', 256.5, false, 'integers only'],
  ['storageMb', 10, true, ''],
  ['storageMb', 9, false, '10–100000 MB, integers only'],
  ['storageMb', 100000, true, ''],
  ['storageMb', 100001, false, '10–100000 MB'],
  ['storageMb', 10.5, false, 'integers only'],
  ['storyPoints', 1, true, ''],
  ['storyPoints', 0, false, '1–20 points, integers only'],
  ['storyPoints', 20, true, ''],
  ['storyPoints', 21, false, '1–20 points'],
  ['storyPoints', 2.5, false, 'integers only'],
];

describe('assay:resources:validate', () => {
  const workspace = createMockDirectory();
  const action = createValidateResourcesAction();
  const run = async (input: any, isDryRun = false) => {
    const { ctx, outputs } = mockContext({
      input,
      workspacePath: workspace.path,
      isDryRun,
    });
    await action.handler(ctx);
    return outputs;
  };

  it.each(edges.filter(([, , ok]) => ok))(
    'compliance: %s = %p passes',
    async (field, value) => {
      await expect(
        run({ ...valid, [field]: value, mode: 'compliance' }),
      ).resolves.toMatchObject({ ok: true, errors: [], warnings: [] });
    },
  );

  it.each(edges.filter(([, , ok]) => !ok))(
    'compliance: %s = %p fails with an InputError naming the field and range',
    async (field, value, _ok, range) => {
      const promise = run({ ...valid, [field]: value, mode: 'compliance' });
      await expect(promise).rejects.toThrow(InputError);
      await expect(promise).rejects.toThrow(
        new RegExp(
          `^Compliance mode: ${field} must be .*${range}.*\\(got ${value}\\)`,
        ),
      );
    },
  );

  // out of range but renderable: sandbox warns and continues (the others,
  // finer than 1m or fractional MB, are covered below)
  const unrenderable = ['cpu=2.1255', 'memoryMb=256.5', 'storageMb=10.5'];
  const renderable = edges.filter(
    ([field, value]) => !unrenderable.includes(`${field}=${value}`),
  );

  it.each(renderable)(
    'sandbox: %s = %p allowed=%p',
    async (field, value, allowed) => {
      const outputs = await run({ ...valid, [field]: value, mode: 'sandbox' });
      expect(outputs.ok).toBe(true);
      expect(outputs.errors).toEqual([]);
      expect(outputs.warnings.map((w: any) => w.field)).toEqual(
        allowed ? [] : [field],
      );
    },
  );

  it('compliance names only the first violated field', async () => {
    await expect(
      run({
        cpu: 0.01,
        memoryMb: 1,
        storageMb: 1,
        storyPoints: 50,
        mode: 'compliance',
      }),
    ).rejects.toThrow(/^Compliance mode: cpu must be/);
  });

  it('sandbox continues with every violation as a warning', async () => {
    const outputs = await run({
      cpu: 0.01,
      memoryMb: 1,
      storageMb: 1,
      storyPoints: 50,
      mode: 'sandbox',
    });
    expect(outputs.warnings.map((w: any) => w.field)).toEqual([
      'cpu',
      'memoryMb',
      'storageMb',
      'storyPoints',
    ]);
  });

  it.each([
    ['cpu', -1, '1m'],
    ['cpu', 0, '1m'],
    ['cpu', 2.1255, '2126m'],
    ['cpu', 0.0001, '1m'],
    ['memoryMb', -1, '1Mi'],
    ['memoryMb', 0, '1Mi'],
    ['memoryMb', 100.5, '101Mi'],
    ['storageMb', -10, '1Mi'],
    ['storageMb', 10.5, '11Mi'],
    ['storageMb', 2 ** 43, '8796093022207Mi'],
  ])(
    'sandbox: %s = %p cannot be rendered as given: continues, renders %s and warns naming it',
    async (field, value, quantity) => {
      const outputs = await run({ ...valid, [field]: value, mode: 'sandbox' });
      const key = {
        cpu: 'cpu',
        memoryMb: 'memory',
        storageMb: 'ephemeralStorage',
      }[field as 'cpu']!;
      expect(outputs.ok).toBe(true);
      expect(outputs.quantities[key]).toBe(quantity);
      const warning = outputs.warnings.find((w: any) => w.field === field);
      expect(warning.message).toMatch(
        /rendered as .* \(the nearest value Kubernetes accepts\)$/,
      );
    },
  );

  it('sandbox still refuses values that are not numbers at all', async () => {
    const promise = run({ ...valid, cpu: Infinity, mode: 'sandbox' });
    await expect(promise).rejects.toThrow(InputError);
    await expect(promise).rejects.toThrow(
      'Sandbox mode: cpu cannot be rendered as a Kubernetes quantity: it must be a positive number of cores with at most 3 decimal places (got Infinity)',
    );
  });

  it('sandbox renders out-of-range values exactly as given', async () => {
    const outputs = await run({
      cpu: 20.125,
      memoryMb: 64,
      storageMb: 200000,
      storyPoints: 50,
      mode: 'sandbox',
    });
    expect(outputs.warnings).toHaveLength(4);
    expect(outputs.quantities).toEqual({
      cpu: '20125m',
      memory: '64Mi',
      ephemeralStorage: '200000Mi',
    });
  });

  it('outputs Kubernetes quantities, the initial split and resolved SLOs', async () => {
    const outputs = await run({
      cpu: 0.25,
      memoryMb: 384,
      storageMb: 2048,
      storyPoints: 3,
      mode: 'compliance',
      canarySteps: [5, 25, 100],
      slo: { p95Ms: 200 },
    });
    expect(outputs.quantities).toEqual({
      cpu: '250m',
      memory: '384Mi',
      ephemeralStorage: '2048Mi',
    });
    expect(outputs.canarySteps).toEqual([5, 25, 100]);
    expect(outputs.initialSplit).toEqual({ stable: 95, canary: 5 });
    expect(outputs.slo).toEqual({
      p95Ms: { value: 200, source: 'service' },
      errorRate: { value: 0.005, source: 'mode' },
      availability: { value: 0.999, source: 'mode' },
    });
  });

  it('defaults to canary steps 10/50/100 with a 90/10 initial split', async () => {
    const outputs = await run({ ...valid, mode: 'sandbox' });
    expect(outputs.canarySteps).toEqual([10, 50, 100]);
    expect(outputs.initialSplit).toEqual({ stable: 90, canary: 10 });
  });

  it('blocks invalid canary steps in compliance and falls back in sandbox', async () => {
    await expect(
      run({ ...valid, mode: 'compliance', canarySteps: [50, 10] }),
    ).rejects.toThrow(/canarySteps must be strictly increasing/);
    const outputs = await run({
      ...valid,
      mode: 'sandbox',
      canarySteps: [50, 10],
    });
    expect(outputs.canarySteps).toEqual([10, 50, 100]);
    expect(outputs.warnings.map((w: any) => w.field)).toContain('canarySteps');
  });

  it('accepts canary steps as the annotation string', async () => {
    const outputs = await run({
      ...valid,
      mode: 'compliance',
      canarySteps: '20, 60,100',
    });
    expect(outputs.canarySteps).toEqual([20, 60, 100]);
    await expect(
      run({ ...valid, mode: 'compliance', canarySteps: '20,abc,100' }),
    ).rejects.toThrow(/canarySteps\[1\] must be an integer 1–100/);
  });

  it('behaves the same in dry-run (it has no side effects)', async () => {
    expect(action.supportsDryRun).toBe(true);
    const input = { ...valid, cpu: 40, mode: 'sandbox' };
    expect(await run(input, true)).toEqual(await run(input, false));
    await expect(
      run({ ...valid, cpu: 40, mode: 'compliance' }, true),
    ).rejects.toThrow(InputError);
  });

  describe('examples', () => {
    it.each(exampleInputs(action, examples))(
      '%s',
      async (_description, input) => {
        const outputs = await run(input);
        expect(outputs.ok).toBe(true);
      },
    );
  });
});
