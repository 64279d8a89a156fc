import { formatFacts, formatGenericFacts } from './formatFacts';

describe('formatFacts', () => {
  it.each([
    [
      'tests',
      { tests: 412, failures: 0, errors: 0, skipped: 0 },
      '412 tests, 0 failed',
      'ok',
    ],
    ['tests', { tests: 1, failures: 0 }, '1 test, 0 failed', 'ok'],
    [
      'tests',
      { tests: 200, failures: 2, errors: 1, skipped: 5, passed: 192 },
      '200 tests, 2 failed, 1 error, 5 skipped',
      'error',
    ],
    [
      'coverage',
      { linePct: 83.1, linesFound: 10 },
      'coverage 83.1%',
      'neutral',
    ],
    ['coverage', { linePct: 80 }, 'coverage 80.0%', 'neutral'],
    [
      'sbom',
      { components: 48, critical: 0, high: 2, medium: 3, low: 0 },
      'SBOM: 0 critical, 2 high · 48 components',
      'warning',
    ],
    ['sbom', { critical: 1 }, 'SBOM: 1 critical, 0 high', 'error'],
    [
      'sast',
      { error: 0, warning: 2, note: 3, tool: 'bandit' },
      'SAST: 0 errors, 2 warnings, 3 notes',
      'warning',
    ],
    ['sast', { error: 1, warning: 0 }, 'SAST: 1 error, 0 warnings', 'error'],
    [
      'load-test',
      { p95Ms: 182.4, errorRate: 0.0012, requests: 36000 },
      'p95 182.4 ms, 0.12% errors',
      'neutral',
    ],
    [
      'load-test',
      { p95Ms: 900, errorRate: 0, thresholdsFailed: 2 },
      'p95 900 ms, 0.00% errors, 2 thresholds failed',
      'error',
    ],
  ])('%s %j → %s', (category, summary, text, tone) => {
    expect(formatFacts(category, summary)).toEqual({ text, tone });
  });

  it('falls back to generic facts for unknown categories and skips the demo flag', () => {
    expect(
      formatFacts('release', {
        demo: true,
        version: '1.4.2',
        image: 'registry/x:1.4.2',
      }),
    ).toEqual({
      text: 'version 1.4.2 · image registry/x:1.4.2',
      tone: 'neutral',
    });
  });

  it('falls back when a known category has an unexpected shape', () => {
    expect(formatFacts('tests', { passed: 'all' }).text).toBe('passed all');
    expect(formatFacts('coverage', { branches: 70 }).text).toBe('branches 70');
  });

  it('never throws on odd input', () => {
    expect(formatFacts('tests', null)).toEqual({ text: '', tone: 'neutral' });
    expect(formatFacts('x', [1, 2] as any)).toEqual({
      text: '',
      tone: 'neutral',
    });
    expect(
      formatFacts('sbom', { critical: Number.NaN, high: 'two' }).text,
    ).toBe('high two');
  });

  it('keeps generic output short', () => {
    const text = formatGenericFacts({
      a: 1,
      b: true,
      c: 'x'.repeat(80),
      d: null,
      e: { nested: 1 },
      f: 2,
      g: 3,
    });
    expect(text).toBe(`a 1 · b yes · c ${'x'.repeat(47)}… · f 2`);
  });
});
