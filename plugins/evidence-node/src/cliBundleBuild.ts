import path from 'path';

/** esbuild over `@assay/cli`'s sources (see loadCliBundle). */
export async function bundleCliSource(cliDir: string): Promise<Buffer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild: typeof import('esbuild') = require('esbuild');
  const result = await esbuild.build({
    entryPoints: [path.join(cliDir, 'src', 'index.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    minify: false,
    legalComments: 'inline',
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'silent',
    // reproducible: no absolute paths in the output
    absWorkingDir: cliDir,
  });
  return Buffer.from(result.outputFiles[0].contents);
}
