import {
  checkCanarySteps,
  initialTrafficSplit,
  parseCanarySteps,
} from './canary';

describe('canary steps', () => {
  it('accepts the default and other increasing lists ending at 100', () => {
    expect(checkCanarySteps([10, 50, 100])).toEqual([]);
    expect(checkCanarySteps([1, 100])).toEqual([]);
    expect(checkCanarySteps([100])).toEqual([]);
  });

  it.each([
    [[], 'non-empty'],
    [[0, 100], 'integer 1–100'],
    [[10, 101], 'integer 1–100'],
    [[10.5, 100], 'integer 1–100'],
    [[50, 10, 100], 'strictly increasing'],
    [[50, 50, 100], 'strictly increasing'],
    [[10, 50], 'end at 100'],
  ])('rejects %p (%s)', (steps, message) => {
    const violations = checkCanarySteps(steps);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.map(v => v.message).join('\n')).toContain(message);
    expect(violations.every(v => v.field === 'canarySteps')).toBe(true);
  });

  it('parses strings', () => {
    expect(parseCanarySteps('10, 50,100')).toEqual([10, 50, 100]);
    expect(parseCanarySteps('10,x,100')).toEqual([10, NaN, 100]);
    expect(parseCanarySteps([5, 100])).toEqual([5, 100]);
  });

  it('starts the canary at the first step, weights summing to 100', () => {
    expect(initialTrafficSplit([10, 50, 100])).toEqual({
      stable: 90,
      canary: 10,
    });
    expect(initialTrafficSplit([100])).toEqual({ stable: 0, canary: 100 });
  });
});
