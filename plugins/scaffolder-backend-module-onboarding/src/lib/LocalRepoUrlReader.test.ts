import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import { NotFoundError, NotModifiedError } from '@backstage/errors';
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

  describe('symlinks in a published checkout', () => {
    beforeEach(() => {
      dir.addContent({ 'outside/private.yaml': 'kind: Secret\n' });
      fs.symlinkSync(
        dir.resolve('secret.txt'),
        path.join(root, 'service-c/leak.yaml'),
      );
      fs.symlinkSync(dir.resolve('outside'), path.join(root, 'service-d'));
      fs.symlinkSync(
        path.join(root, 'service-c/catalog-info.yaml'),
        path.join(root, 'service-c/alias.yaml'),
      );
    });

    it('does not follow a file symlink out of the publish directory', async () => {
      await expect(reader.readUrl(url('service-c/leak.yaml'))).rejects.toThrow(
        NotFoundError,
      );
      await expect(reader.readUrl(url('service-c/leak.yaml'))).rejects.toThrow(
        /outside the local publish directory/,
      );
      const found = await reader.search(url('service-c/leak.yaml'));
      expect(found.files).toEqual([]);
    });

    it('does not follow a directory symlink out of the publish directory', async () => {
      await expect(
        reader.readUrl(url('service-d/private.yaml')),
      ).rejects.toThrow(/outside the local publish directory/);
      await expect(reader.readTree(url('service-d'))).rejects.toThrow(
        /outside the local publish directory/,
      );
    });

    it('leaves links out of trees, and follows links that stay inside', async () => {
      const tree = await reader.readTree(url('service-c'));
      const files = await tree.files();
      expect(files.map(f => f.path).sort()).toEqual([
        'catalog-info.yaml',
        'docs/index.md',
      ]);
      const alias = await reader.readUrl(url('service-c/alias.yaml'));
      expect((await alias.buffer()).toString()).toBe('kind: Component\n');
    });

    it('follows a symlinked publish directory itself', async () => {
      const linked = dir.resolve('linked-repos');
      fs.symlinkSync(root, linked);
      const viaLink = UrlReaders.default({
        config: mockServices.rootConfig({
          data: { assay: { onboarding: { localPublishDir: linked } } },
        }),
        logger: mockServices.logger.mock(),
        factories: [LocalRepoUrlReader.factory],
      });
      const response = await viaLink.readUrl(
        pathToFileURL(path.join(linked, 'service-c/catalog-info.yaml')).href,
      );
      expect((await response.buffer()).toString()).toBe('kind: Component\n');
      await expect(
        viaLink.readUrl(
          pathToFileURL(path.join(linked, 'service-c/leak.yaml')).href,
        ),
      ).rejects.toThrow(NotFoundError);
    });
  });

  it('does not own file URLs with a host, and does not throw on them', () => {
    const [{ predicate }] = LocalRepoUrlReader.factory({
      config: mockServices.rootConfig({
        data: { assay: { onboarding: { localPublishDir: root } } },
      }),
      logger: mockServices.logger.mock(),
      treeResponseFactory: {} as any,
    });
    const hostUrl = new URL(`file://example.com${root}/service-c/x.yaml`);
    expect(() => predicate(hostUrl)).not.toThrow();
    expect(predicate(hostUrl)).toBe(false);
    expect(predicate(new URL(url('service-c/catalog-info.yaml')))).toBe(true);
    expect(predicate(new URL('https://example.com/x.yaml'))).toBe(false);
  });
});
