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

/** Whether `target` is `root` or below it (both absolute and normalized). */
function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return (
    relative === '' ||
    (!relative.startsWith(`..${path.sep}`) &&
      relative !== '..' &&
      !path.isAbsolute(relative))
  );
}

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

  /**
   * Whether a URL is a file URL that names a path inside the publish
   * directory. This is the reader's predicate, so it is lexical and never
   * throws; `toPath` re-checks against the real (symlink-free) paths before
   * anything is read.
   */
  owns(url: URL): boolean {
    if (url.protocol !== 'file:') return false;
    let target: string;
    try {
      // throws on file://host/... (a remote host) and on encoded separators
      target = path.resolve(fileURLToPath(url));
    } catch {
      return false;
    }
    return isInside(this.root, target);
  }

  /**
   * The real path of a URL inside the publish directory. Symlinks are
   * resolved (on the directory and on the target) before the containment
   * check, so a link in a published checkout cannot point a read outside.
   */
  private async toPath(url: string): Promise<string> {
    const parsed = new URL(url);
    if (!this.owns(parsed)) {
      throw new NotFoundError(`${url} is outside the local publish directory`);
    }
    const [root, target] = await Promise.all([
      fs.promises.realpath(this.root),
      fs.promises.realpath(fileURLToPath(parsed)),
    ]).catch(() => {
      throw new NotFoundError(`${url} not found`);
    });
    if (!isInside(root, target)) {
      throw new NotFoundError(`${url} is outside the local publish directory`);
    }
    return target;
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
    const file = await this.toPath(url);
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
    const dir = await this.toPath(url);
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
