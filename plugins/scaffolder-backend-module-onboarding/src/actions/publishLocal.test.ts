import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';
import git from 'isomorphic-git';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { createPublishLocalAction } from './publishLocal';
import { examples } from './publishLocal.examples';
import { exampleInputs, mockContext } from '../__testUtils__/actionContext';

describe('assay:publish:local', () => {
  const workspace = createMockDirectory();
  const repos = createMockDirectory();
  const action = createPublishLocalAction({ publishDir: repos.path });
  const run = async (input: any, isDryRun = false) => {
    const { ctx, outputs } = mockContext({
      input,
      workspacePath: workspace.path,
      isDryRun,
    });
    await action.handler(ctx);
    return outputs;
  };

  beforeEach(() => {
    repos.clear();
    workspace.setContent({
      'catalog-info.yaml':
        'apiVersion: backstage.io/v1alpha1\nkind: Component\n',
      'src/app.py': 'print("hi")\n',
      'k8s/deployment.yaml': 'kind: Deployment\n',
    });
  });

  it('commits the workspace into a bare repository and checks it out for the catalog', async () => {
    const outputs = await run({
      repoName: 'service-c',
      featureBranch: 'auto/spec-implementation/0123456789ab',
      gitAuthorName: 'Test',
      gitAuthorEmail: 'test@example.com',
    });
    const gitdir = path.join(repos.path, 'service-c.git');
    expect(outputs).toEqual({
      remoteUrl: `file://${gitdir}`,
      repoContentsUrl: `file://${path.join(repos.path, 'service-c')}/`,
      catalogInfoUrl: `file://${path.join(
        repos.path,
        'service-c',
        'catalog-info.yaml',
      )}`,
      defaultBranch: 'main',
      commitHash: expect.stringMatching(/^[0-9a-f]{40}$/),
    });

    expect(fs.readFileSync(path.join(gitdir, 'HEAD'), 'utf8').trim()).toBe(
      'ref: refs/heads/main',
    );
    expect(await git.resolveRef({ fs, gitdir, ref: 'main' })).toBe(
      outputs.commitHash,
    );
    expect(
      await git.resolveRef({
        fs,
        gitdir,
        ref: 'auto/spec-implementation/0123456789ab',
      }),
    ).toBe(outputs.commitHash);
    const files = await git.listFiles({ fs, gitdir, ref: 'main' });
    expect(files.sort()).toEqual([
      'catalog-info.yaml',
      'k8s/deployment.yaml',
      'src/app.py',
    ]);
    const [commit] = await git.log({ fs, gitdir, ref: 'main' });
    expect(commit.commit.author).toMatchObject({
      name: 'Test',
      email: 'test@example.com',
    });
    expect(commit.commit.message.trim()).toBe('Onboard service-c');

    expect(
      fs.readFileSync(fileURLToPath(outputs.catalogInfoUrl), 'utf8'),
    ).toContain('kind: Component');
    expect(
      fs.readFileSync(path.join(repos.path, 'service-c', 'src/app.py'), 'utf8'),
    ).toBe('print("hi")\n');
  });

  it('adds a commit on top when publishing again, with exactly the new files', async () => {
    const first = await run({ repoName: 'service-c' });
    workspace.setContent({
      'catalog-info.yaml': 'kind: Component\n',
      'README.md': '# v2\n',
    });
    const second = await run({
      repoName: 'service-c',
      commitMessage: 'Second',
    });
    const gitdir = path.join(repos.path, 'service-c.git');
    const log = await git.log({ fs, gitdir, ref: 'main' });
    expect(log.map(c => c.oid)).toEqual([second.commitHash, first.commitHash]);
    expect((await git.listFiles({ fs, gitdir, ref: 'main' })).sort()).toEqual([
      'README.md',
      'catalog-info.yaml',
    ]);
    expect(fs.existsSync(path.join(repos.path, 'service-c', 'src'))).toBe(
      false,
    );
  });

  it('publishes a sub folder with a custom branch and descriptor path', async () => {
    workspace.setContent({ 'svc/catalog/entity.yaml': 'kind: Component\n' });
    const outputs = await run({
      repoName: 'svc',
      sourcePath: 'svc',
      defaultBranch: 'trunk',
      catalogInfoPath: '/catalog/entity.yaml',
    });
    expect(outputs.catalogInfoUrl).toBe(
      `file://${path.join(repos.path, 'svc', 'catalog', 'entity.yaml')}`,
    );
    expect(
      await git.resolveRef({
        fs,
        gitdir: path.join(repos.path, 'svc.git'),
        ref: 'trunk',
      }),
    ).toBe(outputs.commitHash);
  });

  it('writes nothing in dry-run but reports the URLs', async () => {
    expect(action.supportsDryRun).toBe(true);
    const outputs = await run({ repoName: 'service-c' }, true);
    expect(outputs.remoteUrl).toBe(
      `file://${path.join(repos.path, 'service-c.git')}`,
    );
    expect(outputs.commitHash).toBe('0'.repeat(40));
    expect(fs.readdirSync(repos.path)).toEqual([]);
  });

  it('refuses names that would escape the publish directory', async () => {
    await expect(run({ repoName: '../evil' })).rejects.toThrow();
    expect(fs.readdirSync(repos.path)).toEqual([]);
  });

  describe('examples', () => {
    it.each(exampleInputs(action, examples))(
      '%s',
      async (_description, input) => {
        const outputs = await run(input);
        expect(outputs.commitHash).toMatch(/^[0-9a-f]{40}$/);
      },
    );
  });
});
