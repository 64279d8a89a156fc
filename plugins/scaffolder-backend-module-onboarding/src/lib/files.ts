import fs from 'fs/promises';
import path from 'path';
import { sha256Hex } from '@assay/plugin-evidence-common';

/** A file with its digest, as listed in a manifest. */
export interface FileDigest {
  /** POSIX path relative to the root that was listed */
  path: string;
  /** hex SHA-256 of the file's bytes */
  sha256: string;
  bytes: number;
}

/** Every regular file under `root`, as sorted POSIX relative paths, skipping `.git`. */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string) {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile())
        out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  }
  await walk(root);
  return out.sort();
}

/** Digests of the given files under `root`. */
export async function digestFiles(
  root: string,
  files: string[],
): Promise<FileDigest[]> {
  return Promise.all(
    files.map(async file => {
      const data = await fs.readFile(path.join(root, file));
      return { path: file, sha256: sha256Hex(data), bytes: data.length };
    }),
  );
}

/** Writes pretty JSON with a trailing newline, creating parent folders. */
export async function writeJson(file: string, value: unknown): Promise<Buffer> {
  const data = Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, data);
  return data;
}
