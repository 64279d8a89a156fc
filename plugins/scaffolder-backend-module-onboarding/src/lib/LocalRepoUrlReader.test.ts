import path from 'path';
import { pathToFileURL } from 'url';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import { NotModifiedError } from '@backstage/errors';
import { LocalRepoUrlReader } from './LocalRepoUrlReader';

describe('LocalRepoUrlReader', () => {
  const dir = createMockDirectory();
  const root = dir.resolve('repos');
  const url = (p: string) => pathToFileURL(path.join(root, p)).href;
  const reader = UrlReaders.default({
    config: mockServices.rootConfig({
      data: { assay: { onboarding: { localPublishDir: root } } },
    }),
    logger: mockServices.logger.mock(),
    factories: [LocalRepoUrlReader.factory],
  });

  beforeEach(() => {
    dir.setContent({
      'repos/service-c/catalog-info.yaml': 'kind: Component\n',
      'repos/service-c/docs/index.md': '# Docs\n',
      'secret.txt': 'not yours',
    });
  });

  it('reads files inside the publish directory, with etags', async () => {
    const response = await reader.readUrl(url('service-c/catalog-info.yaml'));
    expect((await response.buffer()).toString()).toBe('kind: Component\n');
    expect(response.etag).toMatch(/^[0-9a-f]{40}$/);
    await expect(
      reader.readUrl(url('service-c/catalog-info.yaml'), {
        etag: response.etag,
      }),
    ).rejects.toThrow(NotModifiedError);
  });

  it('serves catalog searches for exact files, empty when missing', async () => {
    const found = await reader.search(url('service-c/catalog-info.yaml'));
    expect(found.files).toHaveLength(1);
    expect((await found.files[0].content()).toString()).toBe(
      'kind: Component\n',
    );
    const missing = await reader.search(url('service-d/catalog-info.yaml'));
    expect(missing.files).toEqual([]);
  });

  it('reads trees', async () => {
    const tree = await reader.readTree(url('service-c'));
    const files = await tree.files();
    expect(files.map(f => f.path).sort()).toEqual([
      'catalog-info.yaml',
      'docs/index.md',
    ]);
    expect(tree.etag).toMatch(/^[0-9a-f]{40}$/);
  });

  it('does not read anything outside the publish directory', async () => {
    const outside = pathToFileURL(dir.resolve('secret.txt')).href;
    await expect(reader.readUrl(outside)).rejects.toThrow();
    await expect(
      reader.readUrl(`${url('service-c')}/../../secret.txt`),
    ).rejects.toThrow();
    await expect(
      reader.readUrl('https://example.com/x.yaml'),
    ).rejects.toThrow();
  });
});
