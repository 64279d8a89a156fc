import fs from 'node:fs';
import path from 'node:path';

/** Replaces (or appends) a `## <title>` section of docs/benchmarks.md. */
export function writeSection(title: string, body: string) {
  const file = path.resolve(__dirname, '../../../docs/benchmarks.md');
  const text = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8')
    : '# Benchmarks\n';
  const heading = `## ${title}`;
  const start = text.indexOf(heading);
  const section = `${heading}\n\n${body}\n`;
  let out: string;
  if (start < 0) {
    out = `${text.trimEnd()}\n\n${section}`;
  } else {
    const next = text.indexOf('\n## ', start + heading.length);
    out =
      text.slice(0, start) +
      section +
      (next < 0 ? '' : `\n${text.slice(next + 1)}`);
  }
  fs.writeFileSync(file, out);
  console.log(`wrote ${heading} to ${file}`);
}

/** A logger for bench runs (mockServices.logger.mock() needs jest). */
export const silentLogger: any = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silentLogger;
  },
};
