import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { loadCliBundle } from './cliBundle';
import { bundleCliSource } from './cliBundleBuild';

jest.setTimeout(60_000);

describe('loadCliBundle', () => {
  it('is one self-contained file that runs the assay CLI, with its sha256', async () => {
    const bundle = await loadCliBundle();
    expect(bundle.sha256).toBe(
      createHash('sha256').update(bundle.content).digest('hex'),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-cli-bundle-'));
    try {
      // alone in an empty folder: nothing to resolve from node_modules
      const file = path.join(dir, 'assay.cjs');
      fs.writeFileSync(file, bundle.content);
      const help = execFileSync(
        process.execPath,
        [file, 'evidence', '--help'],
        {
          cwd: dir,
        },
      ).toString();
      expect(help).toContain('push');
      expect(help).toContain('latest');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(bundle.content.toString('utf8')).not.toContain(os.homedir());
  });

  it('is reproducible: the same sources give the same bytes', async () => {
    const dir = path.dirname(require.resolve('@assay/cli/package.json'));
    const [a, b] = await Promise.all([
      bundleCliSource(dir),
      bundleCliSource(dir),
    ]);
    expect(a.equals(b)).toBe(true);
  });
});
