import {
  AUDIT_CATEGORIES,
  EVIDENCE_CATEGORIES,
  isValidCategoryName,
  retentionYearsFor,
} from './categories';

describe('categories', () => {
  it('has valid built-in names', () => {
    expect(EVIDENCE_CATEGORIES).toHaveLength(16);
    expect(EVIDENCE_CATEGORIES.every(isValidCategoryName)).toBe(true);
    expect(AUDIT_CATEGORIES.every(c => EVIDENCE_CATEGORIES.includes(c))).toBe(
      true,
    );
  });

  it('validates names', () => {
    expect(isValidCategoryName('load-test')).toBe(true);
    expect(isValidCategoryName('a'.repeat(64))).toBe(true);
    for (const bad of [
      '',
      'Load-test',
      'load--test',
      '-x',
      'x-',
      'a b',
      'a'.repeat(65),
      'ü',
    ]) {
      expect(isValidCategoryName(bad)).toBe(false);
    }
  });

  it('computes retention', () => {
    expect(retentionYearsFor('tests')).toBe(3);
    expect(retentionYearsFor('waiver')).toBe(7);
    expect(retentionYearsFor('tests', { tests: 1 })).toBe(1);
    expect(retentionYearsFor('toString', {})).toBe(3);
  });
});
