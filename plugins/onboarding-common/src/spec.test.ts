import { validateSpecRules } from './spec';

const resources = { cpu: 0.5, memoryMb: 512, storageMb: 1024, storyPoints: 5 };

describe('validateSpecRules', () => {
  it('passes a valid spec with resolved values', () => {
    const result = validateSpecRules(
      { resources, canarySteps: [5, 25, 100], slo: { p95Ms: 200 } },
      'compliance',
    );
    expect(result.ok).toBe(true);
    expect(result.canarySteps).toEqual([5, 25, 100]);
    expect(result.slo.p95Ms).toEqual({ value: 200, source: 'service' });
  });

  it('defaults the canary steps', () => {
    expect(validateSpecRules({ resources }, 'sandbox').canarySteps).toEqual([
      10, 50, 100,
    ]);
  });

  it('compliance stops at the first violation: resources before canary before SLO', () => {
    const result = validateSpecRules(
      {
        resources: { ...resources, memoryMb: 64 },
        canarySteps: [50, 10],
        slo: { p95Ms: 0 },
      },
      'compliance',
    );
    expect(result.ok).toBe(false);
    expect(result.errors.map(e => e.field)).toEqual(['memoryMb']);
    const canary = validateSpecRules(
      { resources, canarySteps: [50, 10] },
      'compliance',
    );
    expect(canary.errors.map(e => e.field)).toEqual(['canarySteps']);
  });

  it('sandbox warns about everything and falls back', () => {
    const result = validateSpecRules(
      {
        resources: { ...resources, cpu: 20 },
        canarySteps: [50, 10],
        slo: { errorRate: 5 },
      },
      'sandbox',
    );
    expect(result.ok).toBe(true);
    expect(result.warnings.map(w => w.field)).toEqual([
      'cpu',
      'canarySteps',
      'canarySteps',
      'slo.errorRate',
    ]);
    expect(result.warnings[1].message).toContain('using 10,50,100');
    expect(result.canarySteps).toEqual([10, 50, 100]);
    expect(result.slo.errorRate.source).toBe('mode');
  });

  it('sandbox never fails on range rules: it renders the nearest valid value', () => {
    const result = validateSpecRules(
      {
        resources: { ...resources, cpu: 20, memoryMb: -1 },
        canarySteps: [50, 10],
      },
      'sandbox',
    );
    expect(result.ok).toBe(true);
    expect(result.errors).toEqual([]);
    expect(result.rendered.memoryMb).toBe(1);
    expect(result.rendered.cpu).toBe(20);
    expect(result.warnings.map(w => w.field)).toEqual([
      'cpu',
      'memoryMb',
      'canarySteps',
      'canarySteps',
    ]);
  });

  it('an unknown mode is an error', () => {
    const result = validateSpecRules({ resources }, 'open' as any);
    expect(result.ok).toBe(false);
    expect(result.errors[0].field).toBe('mode');
  });
});
