import {
  DEFAULT_PROMOTION_ENVIRONMENTS,
  environmentsOf,
  promotionKpi,
  promotionModeOf,
} from './environments';

describe('environmentsOf', () => {
  it('uses the configured path without the annotation', () => {
    expect(environmentsOf(undefined)).toEqual(DEFAULT_PROMOTION_ENVIRONMENTS);
    expect(environmentsOf({ 'assay.dev/environments': ' ' })).toEqual(
      DEFAULT_PROMOTION_ENVIRONMENTS,
    );
  });

  it('takes names and order from the annotation, settings from config by name; an unknown name gets the strictest settings', () => {
    const prod = {
      name: 'prod',
      approvalsRequired: 2,
      canary: true,
      enforceCompliance: true,
    };
    expect(
      environmentsOf({ 'assay.dev/environments': 'qa → staging, prod' }),
    ).toEqual([
      { ...prod, name: 'qa' },
      { name: 'staging', approvalsRequired: 1, canary: false },
      prod,
    ]);
    // renaming prod does not escape its approvals or its compliance mode
    expect(
      environmentsOf({ 'assay.dev/environments': 'dev, production' })[1],
    ).toEqual({ ...prod, name: 'production' });
    expect(
      environmentsOf({ 'assay.dev/environments': 'a' }, [
        { name: 'dev', approvalsRequired: 0, canary: false },
        { name: 'staging', approvalsRequired: 1, canary: false },
      ]),
    ).toEqual([{ name: 'a', approvalsRequired: 1, canary: false }]);
  });

  it('names what is wrong in a bad annotation', () => {
    expect(() =>
      environmentsOf({ 'assay.dev/environments': 'dev,Prod' }),
    ).toThrow("'Prod' is not an environment name");
    expect(() =>
      environmentsOf({ 'assay.dev/environments': 'dev,dev' }),
    ).toThrow("'dev' is listed twice");
  });
});

describe('promotionModeOf', () => {
  it('reads the annotation, else the fallback', () => {
    expect(promotionModeOf({ 'assay.dev/compliance-mode': 'Sandbox' })).toBe(
      'sandbox',
    );
    expect(promotionModeOf({ 'assay.dev/compliance-mode': 'other' })).toBe(
      'compliance',
    );
    expect(promotionModeOf(undefined, 'sandbox')).toBe('sandbox');
  });
});

describe('promotionKpi', () => {
  it('counts finished promotions only (not rollbacks, not active or cancelled); lead time of the succeeded ones', () => {
    const k = promotionKpi('overall', [
      { kind: 'promotion', status: 'succeeded', leadTimeSeconds: 100 },
      { kind: 'promotion', status: 'succeeded', leadTimeSeconds: 300 },
      { kind: 'promotion', status: 'succeeded', leadTimeSeconds: 200 },
      { kind: 'promotion', status: 'failed', leadTimeSeconds: null },
      { kind: 'promotion', status: 'blocked' },
      { kind: 'promotion', status: 'cancelled' },
      { kind: 'promotion', status: 'awaiting-approval' },
      { kind: 'rollback', status: 'rolled-back', leadTimeSeconds: 5 },
    ]);
    expect(k).toEqual({
      key: 'overall',
      promotions: 5,
      succeeded: 3,
      successRate: 0.6,
      leadTimeSecondsMedian: 200,
      leadTimeSecondsP90: 300,
    });
    expect(promotionKpi('x', [])).toMatchObject({
      promotions: 0,
      successRate: null,
      leadTimeSecondsMedian: null,
    });
  });
});
