import { createHash } from 'crypto';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { sha256Hex } from '@assay/plugin-evidence-common';
import * as files from './files';

describe('files', () => {
  const dir = createMockDirectory();

  beforeEach(() => {
    dir.setContent({
      'b.txt': 'b\n',
      'a/x.bin': Buffer.from([0xff, 0x00, 0xfe]),
      '.git/HEAD': 'ref: refs/heads/main\n',
    });
  });

  it('lists regular files as sorted POSIX paths, skipping .git', async () => {
    await expect(files.listFiles(dir.path)).resolves.toEqual([
      'a/x.bin',
      'b.txt',
    ]);
  });

  it('digests bytes with the shared SHA-256 of @assay/plugin-evidence-common', async () => {
    // one SHA-256 helper for the suite: no local re-implementation
    expect(Object.keys(files)).not.toContain('sha256Hex');
    const bytes = Buffer.from([0xff, 0x00, 0xfe]);
    await expect(files.digestFiles(dir.path, ['a/x.bin'])).resolves.toEqual([
      { path: 'a/x.bin', sha256: sha256Hex(bytes), bytes: 3 },
    ]);
    expect(sha256Hex(bytes)).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    );
  });
});
