import {
  checkRenderable,
  decimalPlaces,
  describeRule,
  RESOURCE_RULES,
  nearestRenderable,
  RESOURCE_PRESETS,
  toKubernetesQuantities,
  validateResources,
} from './resources';

const valid = { cpu: 0.5, memoryMb: 512, storageMb: 1024, storyPoints: 5 };

// [field, value, allowed by the rules]
const edges: Array<[keyof typeof valid, number, boolean]> = [
  ['cpu', 0.1, true],
  ['cpu', 0.099, false],
  ['cpu', 0.09, false],
  ['cpu', 16, true],
  ['cpu', 16.0, true],
  ['cpu', 16.001, false],
  ['cpu', 1.125, true],
  ['cpu', 1.1255, false],
  ['cpu', 0.1001, false],
  ['cpu', 0, false],
  ['cpu', -1, false],
  ['memoryMb', 128, true],
  ['memoryMb', 127, false],
  ['memoryMb', 32768, true],
  ['memoryMb', 32769, false],
  ['memoryMb', 128.5, false],
  ['storageMb', 10, true],
  ['storageMb', 9, false],
  ['storageMb', 100000, true],
  ['storageMb', 100001, false],
  ['storageMb', 10.5, false],
  ['storyPoints', 1, true],
  ['storyPoints', 0, false],
  ['storyPoints', 20, true],
  ['storyPoints', 21, false],
  ['storyPoints', 1.5, false],
];

describe('validateResources', () => {
  const allowedEdges = edges.filter(([, , ok]) => ok);
  const rejectedEdges = edges.filter(([, , ok]) => !ok);

  it.each(allowedEdges)('compliance: %s = %p is allowed', (field, value) => {
    expect(
      validateResources({ ...valid, [field]: value }, 'compliance'),
    ).toEqual({
      ok: true,
      errors: [],
      warnings: [],
      rendered: { ...valid, [field]: value },
    });
  });

  it.each(rejectedEdges)(
    'compliance: %s = %p is an error naming the field and range',
    (field, value) => {
      const result = validateResources(
        { ...valid, [field]: value },
        'compliance',
      );
      const rule = RESOURCE_RULES.find(r => r.field === field)!;
      expect(result).toEqual({
        ok: false,
        errors: [
          {
            field,
            message: `${field} must be ${describeRule(rule)} (got ${value})`,
          },
        ],
        warnings: [],
        rendered: expect.any(Object),
      });
    },
  );

  // values sandbox cannot render: not a Kubernetes quantity as given
  const unrenderable = new Set(['cpu=1.1255', 'cpu=0.1001', 'cpu=0', 'cpu=-1']);
  unrenderable.add('memoryMb=128.5').add('storageMb=10.5');
  const renders = ([field, value]: [string, number, boolean]) =>
    !unrenderable.has(`${field}=${value}`);

  it.each(edges.filter(renders))(
    'sandbox: %s = %p allowed=%p',
    (field, value, allowed) => {
      const result = validateResources({ ...valid, [field]: value }, 'sandbox');
      expect(result.ok).toBe(true);
      expect(result.errors).toEqual([]);
      expect(result.warnings.map(w => w.field)).toEqual(allowed ? [] : [field]);
    },
  );

  it.each(edges.filter(e => !renders(e)))(
    'sandbox: %s = %p cannot be rendered as given: a warning naming the rendered value',
    (field, value) => {
      const result = validateResources({ ...valid, [field]: value }, 'sandbox');
      const nearest = nearestRenderable(field, value)!;
      expect(result.ok).toBe(true);
      expect(result.errors).toEqual([]);
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings[0].field).toBe(field);
      expect(result.warnings[0].message).toContain(`rendered as ${nearest} `);
      expect(result.rendered[field]).toBe(nearest);
      expect(checkRenderable(field, nearest)).toBeUndefined();
      // what sandbox renders is always a valid Kubernetes quantity
      expect(() => toKubernetesQuantities(result.rendered)).not.toThrow();
    },
  );

  it('compliance fails fast on the first violation, in field order', () => {
    const result = validateResources(
      { cpu: 99, memoryMb: 1, storageMb: 1, storyPoints: 99 },
      'compliance',
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          field: 'cpu',
          message:
            'cpu must be 0.1–16.0 cores with at most 3 decimal places (got 99)',
        },
      ],
      warnings: [],
      rendered: { cpu: 99, memoryMb: 1, storageMb: 1, storyPoints: 99 },
    });
  });

  it('sandbox collects every violation as a warning', () => {
    const result = validateResources(
      { cpu: 99, memoryMb: 1, storageMb: 1, storyPoints: 99 },
      'sandbox',
    );
    expect(result.ok).toBe(true);
    expect(result.warnings.map(w => w.field)).toEqual([
      'cpu',
      'memoryMb',
      'storageMb',
      'storyPoints',
    ]);
    expect(result.warnings[1].message).toBe(
      'memoryMb must be 128–32768 MB, integers only (got 1)',
    );
  });

  it('reports missing and non-numeric values', () => {
    const result = validateResources(
      { cpu: undefined, memoryMb: '512', storageMb: NaN, storyPoints: 3 },
      'compliance',
    );
    expect(result.errors.map(w => w.field)).toEqual(['cpu']);
    expect(result.errors[0].message).toContain('must be a number');
  });

  it('sandbox: missing, non-numeric and non-finite resources are errors', () => {
    const result = validateResources(
      {
        cpu: undefined,
        memoryMb: '512',
        storageMb: Infinity,
        storyPoints: NaN,
      },
      'sandbox',
    );
    expect(result.ok).toBe(false);
    expect(result.errors.map(e => e.message)).toEqual([
      'cpu cannot be rendered as a Kubernetes quantity: it must be a positive number of cores with at most 3 decimal places (got undefined)',
      'memoryMb cannot be rendered as a Kubernetes quantity: it must be a positive integer number of MB (got 512)',
      'storageMb cannot be rendered as a Kubernetes quantity: it must be a positive integer number of MB (got Infinity)',
      'storyPoints must be a number: allowed 1–20 points, integers only (got NaN)',
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('sandbox: rounds what Kubernetes cannot carry and says so', () => {
    const result = validateResources(
      { cpu: 0.0004, memoryMb: 128.5, storageMb: -3, storyPoints: 3 },
      'sandbox',
    );
    expect(result.ok).toBe(true);
    expect(result.rendered).toEqual({
      cpu: 0.001,
      memoryMb: 129,
      storageMb: 1,
      storyPoints: 3,
    });
    expect(result.warnings.map(w => w.message)).toEqual([
      'cpu must be 0.1–16.0 cores with at most 3 decimal places (got 0.0004); rendered as 0.001 cores (the nearest value Kubernetes accepts)',
      'memoryMb must be 128–32768 MB, integers only (got 128.5); rendered as 129 MB (the nearest value Kubernetes accepts)',
      'storageMb must be 10–100000 MB, integers only (got -3); rendered as 1 MB (the nearest value Kubernetes accepts)',
    ]);
    expect(toKubernetesQuantities(result.rendered)).toEqual({
      cpu: '1m',
      memory: '129Mi',
      ephemeralStorage: '1Mi',
    });
  });

  it('an unknown mode is an error, never sandbox', () => {
    const result = validateResources(
      { cpu: 99, memoryMb: 512, storageMb: 1024, storyPoints: 3 },
      'lenient' as any,
    );
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([
      {
        field: 'mode',
        message: 'mode must be one of sandbox, compliance (got lenient)',
      },
    ]);
  });

  it('sandbox: out-of-range values that render stay warnings', () => {
    const result = validateResources(
      { cpu: 20, memoryMb: 64, storageMb: 5, storyPoints: 50 },
      'sandbox',
    );
    expect(result).toMatchObject({ ok: true, errors: [] });
    expect(result.warnings).toHaveLength(4);
  });
});

describe('toKubernetesQuantities', () => {
  it.each([
    [{ cpu: 0.5, memoryMb: 512, storageMb: 1024 }, ['500m', '512Mi', '1024Mi']],
    [{ cpu: 4.35, memoryMb: 64, storageMb: 5 }, ['4350m', '64Mi', '5Mi']],
    [{ cpu: 0.001, memoryMb: 1, storageMb: 1 }, ['1m', '1Mi', '1Mi']],
    [{ cpu: 20, memoryMb: 65536, storageMb: 200000 }, ['20000m', '65536Mi']],
  ])('renders %j exactly', (resources, [cpu, memory, storage]) => {
    const quantities = toKubernetesQuantities(resources);
    expect(quantities.cpu).toBe(cpu);
    expect(quantities.memory).toBe(memory);
    expect(quantities.ephemeralStorage).toBe(
      storage ?? `${resources.storageMb}Mi`,
    );
  });

  it.each([
    ['cpu', -1],
    ['cpu', 0],
    ['cpu', 0.0005],
    ['cpu', 2.1255],
    ['cpu', Infinity],
    ['memoryMb', -1],
    ['memoryMb', 0],
    ['memoryMb', 100.5],
    ['memoryMb', NaN],
    ['memoryMb', 2 ** 43],
    ['storageMb', 1e30],
  ])('refuses %s = %p, naming the field', (field, value) => {
    const render = () =>
      toKubernetesQuantities({
        cpu: 0.5,
        memoryMb: 512,
        storageMb: 1024,
        [field]: value,
      });
    expect(render).toThrow(TypeError);
    expect(render).toThrow(
      `${field} cannot be rendered as a Kubernetes quantity: it must be `,
    );
    expect(render).toThrow(`(got ${value})`);
  });

  it('names every field it cannot render', () => {
    expect(() =>
      toKubernetesQuantities({ cpu: -1, memoryMb: 1.5, storageMb: 10 }),
    ).toThrow(/^cpu cannot be .*; memoryMb cannot be /);
  });
});

describe('decimalPlaces', () => {
  it.each([
    [1, 0],
    [0.1, 1],
    [0.125, 3],
    [16.0, 0],
    [1e-7, 7],
    [1.5e-7, 8],
    [1e21, 0],
  ])('%p has %p decimals', (value, places) => {
    expect(decimalPlaces(value)).toBe(places);
  });
});

describe('RESOURCE_PRESETS', () => {
  it.each(Object.entries(RESOURCE_PRESETS))(
    '%s passes the rules of both modes',
    (_name, preset) => {
      for (const mode of ['compliance', 'sandbox'] as const) {
        const result = validateResources({ ...preset, storyPoints: 3 }, mode);
        expect({ mode, ...result }).toMatchObject({
          mode,
          ok: true,
          errors: [],
          warnings: [],
        });
      }
    },
  );
});
