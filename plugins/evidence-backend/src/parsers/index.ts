import { InputError } from '@backstage/errors';
import { parseCycloneDx } from './cyclonedx';
import { parseSarif } from './sarif';
import { parseJunit } from './junit';
import { parseLcov } from './lcov';
import { parseCobertura } from './cobertura';
import { parseK6 } from './k6';
import { wellFormed } from '../service/inputLimits';

export type Facts = Record<string, string | number | boolean | null>;

export const ARTIFACT_FORMATS = {
  cyclonedx: {
    parse: parseCycloneDx,
    mediaType: 'application/vnd.cyclonedx+json',
  },
  sarif: { parse: parseSarif, mediaType: 'application/sarif+json' },
  junit: { parse: parseJunit, mediaType: 'application/xml' },
  lcov: { parse: parseLcov, mediaType: 'text/plain' },
  cobertura: { parse: parseCobertura, mediaType: 'application/xml' },
  k6: { parse: parseK6, mediaType: 'application/json' },
} as const;

export type ArtifactFormat = keyof typeof ARTIFACT_FORMATS;

/** Guesses a format from an explicit hint, the media type or the file name. */
export function detectFormat(
  name: string,
  mediaType?: string,
  hint?: string,
): ArtifactFormat | undefined {
  if (hint) {
    if (!(hint in ARTIFACT_FORMATS)) {
      throw new InputError(
        `artifacts.format: unknown format '${hint}', expected one of ${Object.keys(
          ARTIFACT_FORMATS,
        ).join(', ')}`,
      );
    }
    return hint as ArtifactFormat;
  }
  const n = name.toLowerCase();
  if (
    mediaType?.includes('cyclonedx') ||
    /(bom|sbom|cyclonedx).*\.json$/.test(n)
  )
    return 'cyclonedx';
  if (
    mediaType?.includes('sarif') ||
    n.endsWith('.sarif') ||
    n.endsWith('.sarif.json')
  )
    return 'sarif';
  if (n.endsWith('lcov.info') || n.endsWith('.lcov')) return 'lcov';
  if (/(cobertura|coverage).*\.xml$/.test(n)) return 'cobertura';
  if (/(junit|test-results?|tests?).*\.xml$/.test(n)) return 'junit';
  if (/k6.*\.json$|summary.*\.json$/.test(n) && n.includes('k6')) return 'k6';
  return undefined;
}

/** Parses an artifact into summary facts; malformed content → InputError naming the artifact. */
export function parseArtifact(
  format: ArtifactFormat,
  name: string,
  content: Buffer,
): Facts {
  try {
    const facts: Facts = ARTIFACT_FORMATS[format].parse(
      content.toString('utf8'),
    );
    for (const [key, value] of Object.entries(facts)) {
      const scalar =
        value === null ||
        typeof value === 'string' ||
        typeof value === 'boolean' ||
        (typeof value === 'number' && Number.isFinite(value));
      if (!scalar) {
        throw new Error(
          `${key} must be a number, got ${
            JSON.stringify(value) ?? String(value)
          }`,
        );
      }
      // facts become summary fields: I-JSON (RFC 7493) as request bodies
      // are (a JSON artifact's "\ud800" escape parses to a lone surrogate)
      if (typeof value === 'string' && !wellFormed(value)) {
        throw new Error(
          `${key} contains a lone surrogate (not valid Unicode, RFC 7493 I-JSON)`,
        );
      }
    }
    return facts;
  } catch (e) {
    throw new InputError(
      `artifacts[${name}]: not a valid ${format} document: ${
        (e as Error).message
      }`,
    );
  }
}
