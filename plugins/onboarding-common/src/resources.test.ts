import {
  decimalPlaces,
  describeRule,
  RESOURCE_RULES,
  validateResources,
} from './resources';

const valid = { cpu: 0.5, memoryMb: 512, storageMb: 1024, storyPoints: 5 };

// [field, value, allowed]
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
      });
    },
  );

  it.each(edges)('sandbox: %s = %p allowed=%p', (field, value, allowed) => {
    const result = validateResources({ ...valid, [field]: value }, 'sandbox');
    expect(result.ok).toBe(true);
    expect(result.errors).toEqual([]);
    expect(result.warnings.map(w => w.field)).toEqual(allowed ? [] : [field]);
  });

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
      'sandbox',
    );
    expect(result.warnings.map(w => w.field)).toEqual([
      'cpu',
      'memoryMb',
      'storageMb',
    ]);
    expect(result.warnings[0].message).toContain('must be a number');
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
