import fs from 'fs';
import path from 'path';

/**
 * Public test vectors, copied into the package (see testdata/README.md for
 * their sources and licences).
 */
export const conformanceDir = path.resolve(__dirname, '../../testdata');

export function readJson<T = any>(relative: string): T {
  return JSON.parse(
    fs.readFileSync(path.join(conformanceDir, relative), 'utf8'),
  );
}

export function readText(relative: string): string {
  return fs.readFileSync(path.join(conformanceDir, relative), 'utf8');
}

/** All `.json` files below a folder, as paths relative to the conformance dir. */
export function listJson(relative: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(conformanceDir, dir), {
      withFileTypes: true,
    })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.json')) out.push(rel);
    }
  };
  walk(relative);
  return out.sort();
}
