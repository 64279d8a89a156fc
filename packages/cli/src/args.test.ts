import { summaryValue } from './args';

describe('summaryValue', () => {
  it.each([
    ['true', true],
    ['false', false],
    ['null', null],
    ['42', 42],
    ['-3', -3],
    ['0.5', 0.5],
    ['0', 0],
  ])('types %s', (raw, value) => {
    expect(summaryValue(raw)).toBe(value);
  });

  it.each([
    '1.10', // a version, not 1.1
    '1.0',
    '007',
    '1e3',
    '-0',
    '12345678901234567890', // beyond 2^53: would change
    '0.30000000000000004000',
    'abc',
    '',
    ' 42',
  ])('keeps %p as typed (a string)', raw => {
    expect(summaryValue(raw)).toBe(raw);
  });
});
