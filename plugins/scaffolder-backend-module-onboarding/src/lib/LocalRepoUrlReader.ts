import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';
import { createHash } from 'crypto';
import { Readable } from 'stream';
import {
  RootConfigService,
  UrlReaderService,
  UrlReaderServiceReadTreeOptions,
  UrlReaderServiceReadTreeResponse,
  UrlReaderServiceReadUrlOptions,
  UrlReaderServiceReadUrlResponse,
  UrlReaderServiceSearchOptions,
  UrlReaderServiceSearchResponse,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  ReadTreeResponseFactory,
  ReadUrlResponseFactory,
  ReaderFactory,
  urlReaderFactoriesServiceRef,
} from '@backstage/backend-defaults/urlReader';
import { NotFoundError, NotModifiedError } from '@backstage/errors';
import { resolveLocalPublishDir } from './config';
import { listFiles } from './files';

/** A stream that opens the file only when it is first read. */
function lazyFileStream(file: string): Readable {
  return Readable.from(
    (async function* read() {
      yield await fs.promises.readFile(file);
    })(),
  );
}

/**
 * Reads `file://` URLs inside the local publish directory, and nothing else,
 * so that `catalog:register` and catalog refreshes work for repositories
 * published by `assay:publish:local`.
 *
 * @public
 */
export class LocalRepoUrlReader implements UrlReaderService {
  static factory: ReaderFactory = ({ config, treeResponseFactory }) => {
    const reader = LocalRepoUrlReader.create({ config, treeResponseFactory });
    return [{ reader, predicate: url => reader.owns(url) }];
  };

  static create(options: {
    config: RootConfigService;
    treeResponseFactory: ReadTreeResponseFactory;
  }) {
    return new LocalRepoUrlReader(
      resolveLocalPublishDir(options.config),
      options.treeResponseFactory,
    );
  }

  private constructor(
    private readonly root: string,
    private readonly treeResponseFactory: ReadTreeResponseFactory,
  ) {}

  /** Whether a URL is a file URL inside the publish directory. */
  owns(url: URL): boolean {
    if (url.protocol !== 'file:') return false;
    const target = path.resolve(fileURLToPath(url));
    return target === this.root || target.startsWith(`${this.root}${path.sep}`);
  }

  private toPath(url: string): string {
    const parsed = new URL(url);
    if (!this.owns(parsed)) {
      throw new NotFoundError(`${url} is outside the local publish directory`);
    }
    return path.resolve(fileURLToPath(parsed));
  }

  private static etagOf(stat: fs.Stats): string {
    return createHash('sha1')
      .update(`${stat.size}:${stat.mtimeMs}`)
      .digest('hex');
  }

  async read(url: string): Promise<Buffer> {
    const response = await this.readUrl(url);
    return response.buffer();
  }

  async readUrl(
    url: string,
    options?: UrlReaderServiceReadUrlOptions,
  ): Promise<UrlReaderServiceReadUrlResponse> {
    const file = this.toPath(url);
    const stat = await fs.promises.stat(file).catch(() => undefined);
    if (!stat?.isFile()) throw new NotFoundError(`${url} not found`);
    const etag = LocalRepoUrlReader.etagOf(stat);
    if (options?.etag === etag) throw new NotModifiedError();
    if (options?.lastModifiedAfter && stat.mtime <= options.lastModifiedAfter) {
      throw new NotModifiedError();
    }
    return ReadUrlResponseFactory.fromReadable(lazyFileStream(file), {
      etag,
      lastModifiedAt: stat.mtime,
    });
  }

  async readTree(
    url: string,
    options?: UrlReaderServiceReadTreeOptions,
  ): Promise<UrlReaderServiceReadTreeResponse> {
    const dir = this.toPath(url);
    const stat = await fs.promises.stat(dir).catch(() => undefined);
    if (!stat?.isDirectory())
      throw new NotFoundError(`${url} is not a directory`);
    const files = await listFiles(dir);
    const stats = await Promise.all(
      files.map(f => fs.promises.stat(path.join(dir, f))),
    );
    const etag = createHash('sha1')
      .update(
        files
          .map((f, i) => `${f}:${stats[i].size}:${stats[i].mtimeMs}`)
          .join('\n'),
      )
      .digest('hex');
    if (options?.etag === etag) throw new NotModifiedError();
    const selected = files
      .map((f, i) => ({ f, stat: stats[i] }))
      .filter(
        ({ f, stat: s }) =>
          !options?.filter || options.filter(f, { size: s.size }),
      );
    const tree = await this.treeResponseFactory.fromReadableArray(
      selected.map(({ f, stat: s }) => ({
        data: lazyFileStream(path.join(dir, f)),
        path: f,
        lastModifiedAt: s.mtime,
      })),
    );
    return {
      files: () => tree.files(),
      archive: () => tree.archive(),
      dir: dirOptions => tree.dir(dirOptions),
      etag,
    };
  }

  async search(
    url: string,
    options?: UrlReaderServiceSearchOptions,
  ): Promise<UrlReaderServiceSearchResponse> {
    if (/[*?[\]{}]/.test(new URL(url).pathname)) {
      throw new NotFoundError(
        `Glob patterns are not supported for local repositories: ${url}`,
      );
    }
    try {
      const response = await this.readUrl(url, { etag: options?.etag });
      return {
        files: [
          {
            url,
            content: () => response.buffer(),
            lastModifiedAt: response.lastModifiedAt,
          },
        ],
        etag: response.etag ?? '',
      };
    } catch (error) {
      if ((error as Error).name === 'NotFoundError')
        return { files: [], etag: '' };
      throw error;
    }
  }

  toString() {
    return `local-repos{root=${this.root}}`;
  }
}

/**
 * Adds {@link LocalRepoUrlReader} to the backend's URL readers.
 *
 * @public
 */
export const localRepoUrlReaderFactory = createServiceFactory({
  service: urlReaderFactoriesServiceRef,
  deps: {},
  async factory() {
    return LocalRepoUrlReader.factory;
  },
});
