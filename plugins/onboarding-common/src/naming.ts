/**
 * A Kubernetes/DNS-1123 label: lower-case alphanumerics and '-', starting
 * with a letter, at most 63 characters.
 *
 * @public
 */
export const SERVICE_NAME_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';

/**
 * Longest base name accepted, leaving room for a `-vNN` suffix.
 *
 * @public
 */
export const SERVICE_NAME_MAX_LENGTH = 50;

/**
 * The first free name among `base`, `base-v2`, `base-v3`, …
 *
 * @public
 */
export async function nextFreeName(
  base: string,
  isTaken: (name: string) => boolean | Promise<boolean>,
  maxVersion = 99,
): Promise<string> {
  if (!(await isTaken(base))) return base;
  for (let v = 2; v <= maxVersion; v++) {
    const candidate = `${base}-v${v}`;
    if (!(await isTaken(candidate))) return candidate;
  }
  throw new Error(`No free name for '${base}' up to -v${maxVersion}`);
}
