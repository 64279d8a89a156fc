/* eslint-disable no-console */
import fs from 'node:fs';
import path from 'node:path';

/**
 * Replaces (or appends) the `## <title>` section of docs/benchmarks.md —
 * shared by every `yarn bench:*` script so each owns exactly one section.
 */
export function writeSection(title: string, body: string) {
  const file = path.resolve(__dirname, '../../docs/benchmarks.md');
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
  console.log(`wrote "${heading}" to ${file}`);
}
