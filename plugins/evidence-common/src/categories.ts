/**
 * Built-in evidence categories. Deployments may configure more, as long as
 * they pass {@link isValidCategoryName}.
 *
 * @public
 */
export const EVIDENCE_CATEGORIES = [
  'sast',
  'tests',
  'coverage',
  'load-test',
  'sbom',
  'secrets-rotation',
  'signature',
  'compliance',
  'onboarding',
  'release',
  'promotion',
  'canary',
  'waiver',
  // written by service pipelines (the onboarding template's CI): stage
  // checkpoints, the built image (digest + provenance), deployments
  'pipeline',
  'build',
  'deployment',
] as const;

/**
 * One of the built-in categories.
 *
 * @public
 */
export type EvidenceCategory = (typeof EVIDENCE_CATEGORIES)[number];

/**
 * Default retention for evidence, in years.
 *
 * @public
 */
export const DEFAULT_RETENTION_YEARS = 3;

/**
 * Retention for {@link AUDIT_CATEGORIES}, in years.
 *
 * @public
 */
export const AUDIT_RETENTION_YEARS = 7;

/**
 * Categories that auditors rely on and that are kept for
 * {@link AUDIT_RETENTION_YEARS} by default.
 *
 * @public
 */
export const AUDIT_CATEGORIES: readonly EvidenceCategory[] = [
  'compliance',
  'waiver',
  'promotion',
  'release',
  'signature',
];

/**
 * Lowercase kebab-case (`a-z`, `0-9`, single dashes between words), at most
 * 64 characters.
 *
 * @public
 */
export function isValidCategoryName(s: string): boolean {
  return (
    typeof s === 'string' &&
    s.length <= 64 &&
    /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(s)
  );
}

/**
 * Retention in years for a category: an override if given, else 7 for audit
 * categories and 3 for everything else.
 *
 * @public
 */
export function retentionYearsFor(
  category: string,
  overrides?: Record<string, number>,
): number {
  if (overrides && Object.prototype.hasOwnProperty.call(overrides, category)) {
    return overrides[category];
  }
  return (AUDIT_CATEGORIES as readonly string[]).includes(category)
    ? AUDIT_RETENTION_YEARS
    : DEFAULT_RETENTION_YEARS;
}
