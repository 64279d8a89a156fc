import { createHash } from 'crypto';
import fs from 'fs';
import path from 'path';

/**
 * The `assay` CLI as one file for pipelines: a Node 20+ CommonJS bundle with
 * no dependencies to install, and its SHA-256 (hex). Pipelines download it
 * from the portal and check the digest pinned at onboarding.
 *
 * @public
 */
export interface CliBundle {
  content: Buffer;
  sha256: string;
  /** the @assay/cli version it was built from */
  version: string;
}

let cached: Promise<CliBundle> | undefined;

function cliPackageDir(): string {
  return path.dirname(require.resolve('@assay/cli/package.json'));
}

/**
 * Builds (once per process) the single-file CLI: the prebuilt
 * `dist/assay.cjs` of `@assay/cli` when present (production images), else
 * bundled from its sources with esbuild (development). Deterministic: the
 * same sources give the same bytes, so the evidence backend that serves it
 * and the onboarding template that pins its digest agree.
 *
 * @public
 */
export function loadCliBundle(): Promise<CliBundle> {
  cached ??= (async () => {
    const dir = cliPackageDir();
    const { version } = JSON.parse(
      fs.readFileSync(path.join(dir, 'package.json'), 'utf8'),
    );
    const prebuilt = path.join(dir, 'dist', 'assay.cjs');
    let content: Buffer;
    if (fs.existsSync(prebuilt)) {
      content = fs.readFileSync(prebuilt);
    } else {
      const { bundleCliSource } = require('./cliBundleBuild');
      content = await bundleCliSource(dir);
    }
    return {
      content,
      sha256: createHash('sha256').update(content).digest('hex'),
      version,
    };
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
