import { parseJsonObject } from './json';

/** CycloneDX JSON SBOM → component count and vulnerabilities by severity. */
export function parseCycloneDx(text: string) {
  const bom = parseJsonObject(text);
  if (bom.bomFormat !== 'CycloneDX') {
    throw new Error(`bomFormat must be 'CycloneDX'`);
  }
  if (bom.components !== undefined && !Array.isArray(bom.components)) {
    throw new Error('components must be an array');
  }
  const counts = {
    critical: 0,
    high: 0,
    medium: 0,
    low: 0,
    info: 0,
    unknown: 0,
  };
  for (const v of (bom.vulnerabilities ?? []) as any[]) {
    const severities: string[] = (v.ratings ?? []).map((r: any) =>
      String(r.severity ?? 'unknown').toLowerCase(),
    );
    const worst =
      (['critical', 'high', 'medium', 'low', 'info'] as const).find(s =>
        severities.includes(s),
      ) ?? 'unknown';
    counts[worst] += 1;
  }
  return {
    specVersion: String(bom.specVersion ?? ''),
    components: (bom.components ?? []).length,
    vulnerabilities: (bom.vulnerabilities ?? []).length,
    ...counts,
  };
}
