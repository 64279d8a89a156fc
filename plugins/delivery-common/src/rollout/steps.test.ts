import {
  CanaryStepsError,
  parseCanarySteps,
  parseDurationSeconds,
} from './steps';

describe('parseCanarySteps', () => {
  it('defaults to 10 → 50 → 100', () => {
    expect(parseCanarySteps(undefined)).toEqual([
      { weight: 10 },
      { weight: 50 },
      { weight: 100 },
    ]);
    expect(parseCanarySteps('  ')).toHaveLength(3);
  });
  it.each([
    ['10,50,100', [10, 50, 100]],
    ['10 → 50 → 100', [10, 50, 100]],
    ['10 -> 25 -> 100', [10, 25, 100]],
    ['5% 20% 100%', [5, 20, 100]],
    ['[1, 10, 100]', [1, 10, 100]],
  ])('%s', (text, weights) => {
    expect(parseCanarySteps(text).map(s => s.weight)).toEqual(weights);
  });
  it('per-step interval and no-analysis marker', () => {
    expect(parseCanarySteps('5%@2m!, 25%@1h30m, 100')).toEqual([
      { weight: 5, intervalSeconds: 120, analysis: false },
      { weight: 25, intervalSeconds: 5400 },
      { weight: 100 },
    ]);
    expect(
      parseCanarySteps(
        '[{"weight":20,"intervalSeconds":60,"analysis":false},{"weight":100}]',
      ),
    ).toEqual([
      { weight: 20, intervalSeconds: 60, analysis: false },
      { weight: 100 },
    ]);
  });
  it.each([
    ['10,5,100', 'must be greater than 10'],
    ['10,50', 'last step must be 100'],
    ['0,100', 'between 1 and 100'],
    ['10,abc,100', 'step 2 "abc"'],
    ['[', 'not valid JSON'],
    ['{"a":1}', 'step 1'],
    ['10@5x,100', 'step 1'],
    ['[{"w":1}]', 'numeric weight'],
  ])('rejects %s naming the problem', (text, message) => {
    expect(() => parseCanarySteps(text)).toThrow(CanaryStepsError);
    expect(() => parseCanarySteps(text)).toThrow(message);
  });
  it('durations', () => {
    expect(parseDurationSeconds('90')).toBe(90);
    expect(parseDurationSeconds('2m30s')).toBe(150);
    expect(() => parseDurationSeconds('5 minutes')).toThrow(CanaryStepsError);
  });
});
