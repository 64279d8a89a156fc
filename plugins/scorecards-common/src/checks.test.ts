import { parseChecks } from './checks';
import { DEFAULT_CHECKS } from './defaultChecks';
import { toCsv } from './csv';

const base = {
  id: 'coverage',
  title: 'Coverage',
  category: 'reliability',
  level: 'silver',
  rule: { fact: 'evidence.coverage.linePct', gte: 70 },
  remediation: { text: 'add tests' },
};

describe('parseChecks', () => {
  it('accepts the default checks and fills defaults', () => {
    expect(parseChecks(DEFAULT_CHECKS)).toHaveLength(DEFAULT_CHECKS.length);
    expect(parseChecks([base])[0]).toMatchObject({ weight: 1, controls: [] });
  });

  it.each([
    [
      { ...base, level: 'platinum' },
      "scorecards.checks[0] (id 'coverage'): level:",
    ],
    [
      { ...base, rule: { fact: 'evidence.coverage.linePct', gte: 'seventy' } },
      "(id 'coverage'): rule.gte: Expected number",
    ],
    [
      { ...base, rule: { all: [{ fact: 'coverage', gte: 1 }] } },
      'rule.all[0].fact: must start with entity. or evidence.',
    ],
    [
      { ...base, rule: { fact: 'evidence.x', matches: '(' } },
      'rule.matches: must be a valid regular expression',
    ],
    [
      { ...base, controls: ['CC8.1'] },
      'controls[0]: must be <framework>:<control>',
    ],
    [
      { ...base, id: 'Bad Id' },
      "(id 'Bad Id'): id: must be lowercase kebab-case",
    ],
    [{ ...base, remediation: undefined }, 'remediation: Required'],
  ])('names the check and the field: %#', (check, message) => {
    expect(() => parseChecks([check])).toThrow(message);
  });

  it('refuses duplicate ids and non-lists', () => {
    expect(() => parseChecks([base, base])).toThrow(
      "scorecards.checks[1] (id 'coverage'): id: duplicate check id",
    );
    expect(() => parseChecks({})).toThrow(
      'scorecards.checks: must be a list of checks',
    );
  });
});

describe('toCsv', () => {
  it('quotes and defuses formulas', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', '=cmd()'],
          [-1.5, null],
        ],
      ),
    ).toBe('a,b\r\n"x,y",\'=cmd()\r\n-1.5,\r\n');
  });
});
