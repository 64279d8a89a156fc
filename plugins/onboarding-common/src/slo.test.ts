import { checkSlo, GLOBAL_SLO_DEFAULTS, resolveSlo } from './slo';

describe('SLO thresholds', () => {
  it('uses the service value first', () => {
    const slo = resolveSlo({
      service: { p95Ms: 250, errorRate: 0.002, availability: 0.9995 },
      mode: 'sandbox',
    });
    expect(slo).toEqual({
      p95Ms: { value: 250, source: 'service' },
      errorRate: { value: 0.002, source: 'service' },
      availability: { value: 0.9995, source: 'service' },
    });
  });

  it('falls back to the mode, then to the global default', () => {
    expect(resolveSlo({ mode: 'sandbox' })).toEqual({
      p95Ms: { value: 1000, source: 'mode' },
      errorRate: { value: 0.05, source: 'mode' },
      availability: {
        value: GLOBAL_SLO_DEFAULTS.availability,
        source: 'global',
      },
    });
    expect(resolveSlo({ service: { p95Ms: 200 }, mode: 'compliance' })).toEqual(
      {
        p95Ms: { value: 200, source: 'service' },
        errorRate: { value: 0.005, source: 'mode' },
        availability: { value: 0.999, source: 'mode' },
      },
    );
  });

  it('ignores invalid service values', () => {
    expect(
      resolveSlo({ service: { errorRate: 2 }, mode: 'compliance' }).errorRate,
    ).toEqual({
      value: 0.005,
      source: 'mode',
    });
  });

  it.each([
    [{ p95Ms: 0 }, 'slo.p95Ms'],
    [{ p95Ms: 60001 }, 'slo.p95Ms'],
    [{ p95Ms: 1.5 }, 'slo.p95Ms'],
    [{ errorRate: 0 }, 'slo.errorRate'],
    [{ errorRate: 1 }, 'slo.errorRate'],
    [{ availability: 1 }, 'slo.availability'],
  ])('rejects %p', (slo, field) => {
    expect(checkSlo(slo).map(v => v.field)).toEqual([field]);
  });

  it.each([[{ p95Ms: 1 }], [{ p95Ms: 60000 }], [{ errorRate: 0.0001 }], [{}]])(
    'accepts %p',
    slo => {
      expect(checkSlo(slo)).toEqual([]);
    },
  );
});
