import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';
import git from 'isomorphic-git';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { SERVICE_NAME_PATTERN } from '@assay/plugin-onboarding-common';
import { examples } from './publishLocal.examples';

/** Where a repository named `name` lives under the publish directory. */
export function localRepoPaths(publishDir: string, name: string) {
  const gitdir = resolveSafeChildPath(publishDir, `${name}.git`);
  const checkout = resolveSafeChildPath(publishDir, name);
  return { gitdir, checkout };
}

const dirUrl = (dir: string) => `${pathToFileURL(dir).href}/`;

/**
 * `assay:publish:local` — commits the workspace into a bare git repository
 * `<publishDir>/<name>.git` (no network: objects are written straight into
 * it), points the feature branch at the same commit, and refreshes the
 * checkout `<publishDir>/<name>/` that the catalog reads via `file://` URLs.
 * Publishing again adds a commit on top.
 *
 * @public
 */
export function createPublishLocalAction(options: { publishDir: string }) {
  const { publishDir } = options;
  return createTemplateAction({
    id: 'assay:publish:local',
    description:
      'Publishes the workspace to a local bare git repository under assay.onboarding.localPublishDir and outputs remoteUrl, repoContentsUrl and a catalogInfoUrl that catalog:register can read.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        repoName: z =>
          z
            .string({
              description: 'Repository name, a DNS label such as service-c',
            })
            .regex(new RegExp(SERVICE_NAME_PATTERN))
            .max(63),
        sourcePath: z =>
          z
            .string({ description: 'Workspace folder to publish, default "."' })
            .optional(),
        defaultBranch: z =>
          z
            .string({ description: 'Default branch, default "main"' })
            .optional(),
        featureBranch: z =>
          z
            .string({
              description:
                'Extra branch pointing at the same commit, e.g. auto/spec-implementation/<featureId>',
            })
            .optional(),
        commitMessage: z =>
          z.string({ description: 'Commit message' }).optional(),
        catalogInfoPath: z =>
          z
            .string({
              description:
                'Path of the catalog descriptor in the repository, default catalog-info.yaml',
            })
            .optional(),
        gitAuthorName: z =>
          z
            .string({
              description:
                'Commit author name, default the initiating user or "Assay Scaffolder"',
            })
            .optional(),
        gitAuthorEmail: z =>
          z.string({ description: 'Commit author email' }).optional(),
      },
      output: {
        remoteUrl: z =>
          z.string({ description: 'file:// URL of the bare repository' }),
        repoContentsUrl: z =>
          z.string({ description: 'file:// URL of the checked-out contents' }),
        catalogInfoUrl: z =>
          z.string({
            description:
              'file:// URL of catalog-info.yaml for catalog:register',
          }),
        commitHash: z => z.string({ description: 'The published commit' }),
        defaultBranch: z => z.string({ description: 'The default branch' }),
      },
    },
    async handler(ctx) {
      const { repoName } = ctx.input;
      const defaultBranch = ctx.input.defaultBranch ?? 'main';
      const catalogInfoPath = (
        ctx.input.catalogInfoPath ?? 'catalog-info.yaml'
      ).replace(/^\/+/, '');
      const source = resolveSafeChildPath(
        ctx.workspacePath,
        ctx.input.sourcePath ?? '.',
      );
      const { gitdir, checkout } = localRepoPaths(publishDir, repoName);
      const remoteUrl = pathToFileURL(gitdir).href;
      const repoContentsUrl = dirUrl(checkout);
      const catalogInfoUrl = new URL(catalogInfoPath, repoContentsUrl).href;
      ctx.output('remoteUrl', remoteUrl);
      ctx.output('repoContentsUrl', repoContentsUrl);
      ctx.output('catalogInfoUrl', catalogInfoUrl);
      ctx.output('defaultBranch', defaultBranch);

      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would publish to ${remoteUrl}`);
        ctx.output('commitHash', '0'.repeat(40));
        return;
      }

      const commitHash = await ctx.checkpoint({
        key: `assay-publish-local-${repoName}`,
        fn: async () => {
          await fs.promises.mkdir(gitdir, { recursive: true });
          if (!fs.existsSync(`${gitdir}/HEAD`)) {
            await git.init({
              fs,
              dir: source,
              gitdir,
              bare: true,
              defaultBranch,
            });
          }
          // Stage exactly the workspace: start from an empty index every time.
          await fs.promises.rm(`${gitdir}/index`, { force: true });
          try {
            await git.add({ fs, dir: source, gitdir, filepath: '.' });
          } catch (e) {
            // isomorphic-git collects per-file failures in `errors`
            const errors = (e as { errors?: Error[] }).errors;
            throw errors?.length
              ? new Error(
                  `git add failed: ${errors.map(x => x.message).join('; ')}`,
                )
              : e;
          }
          const author = {
            name:
              ctx.input.gitAuthorName ??
              ctx.user?.entity?.spec?.profile?.displayName ??
              'Assay Scaffolder',
            email:
              ctx.input.gitAuthorEmail ??
              ctx.user?.entity?.spec?.profile?.email ??
              'scaffolder@assay.local',
          };
          const oid = await git.commit({
            fs,
            dir: source,
            gitdir,
            ref: `refs/heads/${defaultBranch}`,
            message: ctx.input.commitMessage ?? `Onboard ${repoName}`,
            author,
          });
          if (ctx.input.featureBranch) {
            await git.writeRef({
              fs,
              gitdir,
              ref: `refs/heads/${ctx.input.featureBranch}`,
              value: oid,
              force: true,
            });
          }
          await fs.promises.rm(checkout, { recursive: true, force: true });
          await fs.promises.mkdir(checkout, { recursive: true });
          // isomorphic-git creates a symlink's parent folder only when a
          // regular file in it comes first (reports/<id>/latest is a link):
          // create every folder of the tree up front.
          const paths = await git.listFiles({ fs, gitdir, ref: defaultBranch });
          for (const dir of new Set(paths.map(p => path.posix.dirname(p)))) {
            await fs.promises.mkdir(path.join(checkout, dir), {
              recursive: true,
            });
          }
          await git.checkout({
            fs,
            dir: checkout,
            gitdir,
            ref: defaultBranch,
            force: true,
          });
          return oid;
        },
      });
      ctx.logger.info(`Published ${repoName} at ${commitHash} to ${remoteUrl}`);
      ctx.output('commitHash', commitHash);
    },
  });
}
