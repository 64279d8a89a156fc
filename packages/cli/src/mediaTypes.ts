/** Report formats the evidence backend knows how to summarize. */
export const FORMATS = [
  'cyclonedx',
  'sarif',
  'junit',
  'lcov',
  'cobertura',
  'k6',
] as const;

const byExtension: Record<string, string> = {
  '.json': 'application/json',
  '.sarif': 'application/sarif+json',
  '.xml': 'application/xml',
  '.info': 'text/plain',
  '.lcov': 'text/plain',
  '.txt': 'text/plain',
  '.html': 'text/html',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
};

/** A media type for an artifact, from its format if given, else its extension. */
export function mediaTypeFor(fileName: string, format?: string): string {
  const dot = fileName.lastIndexOf('.');
  const ext = dot >= 0 ? fileName.slice(dot).toLowerCase() : '';
  switch (format) {
    case 'cyclonedx':
      return ext === '.xml'
        ? 'application/vnd.cyclonedx+xml'
        : 'application/vnd.cyclonedx+json';
    case 'sarif':
      return 'application/sarif+json';
    case 'junit':
    case 'cobertura':
      return 'application/xml';
    case 'lcov':
      return 'text/plain';
    case 'k6':
      return 'application/json';
    default:
      return byExtension[ext] ?? 'application/octet-stream';
  }
}
