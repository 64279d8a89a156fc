import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import type { Release } from '@assay/plugin-delivery-common';
import { GitOpsDeploymentProvider } from './GitOpsDeploymentProvider';
import type { DeploymentRequest } from './types';

jest.setTimeout(60_000);

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'seed',
      GIT_AUTHOR_EMAIL: 'seed@example.com',
      GIT_COMMITTER_NAME: 'seed',
      GIT_COMMITTER_EMAIL: 'seed@example.com',
    },
  })
    .toString()
    .trim();

const release = (version: string, c: string): Release => ({
  hash: c.repeat(64),
  entityRef: 'component:default/service-a',
  version,
  producer: 'user:default/bob',
  createdAt: '2026-11-30T08:00:00.000Z',
  evidence: [],
  artifacts: [
    { name: 'ghcr.io/example/service-a', kind: 'image', digest: digest(c) },
    {
      name: 'Overview',
      kind: 'dashboard',
      digest: digest(c === 'a' ? 'd' : 'e'),
    },
    { name: 'slo', kind: 'alert-rules', digest: digest(c === 'a' ? '1' : '2') },
  ],
});

const request = (
  r: Release,
  environment = 'staging',
  kind: 'promotion' | 'rollback' = 'promotion',
): DeploymentRequest => ({
  entityRef: r.entityRef,
  environment,
  release: r,
  previous: null,
  actor: 'user:default/carol',
  kind,
  promotionId: `p-${r.version}`,
});

describe('GitOpsDeploymentProvider against a local bare repository', () => {
  let root: string;
  let bare: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-gitops-test-'));
    bare = path.join(root, 'deploy.git');
    git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
    const work = path.join(root, 'seed');
    git(root, 'clone', '--quiet', bare, work);
    fs.mkdirSync(path.join(work, 'deploy/staging/service-a'), {
      recursive: true,
    });
    fs.writeFileSync(
      path.join(work, 'deploy/staging/service-a/kustomization.yaml'),
      [
        '# staging overlay of service-a',
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'resources:',
        '  - ../../base/service-a',
        'images:',
        '  - name: ghcr.io/example/service-a',
        '    newTag: "1.0.0" # replaced by digests',
        '',
      ].join('\n'),
    );
    fs.mkdirSync(path.join(work, 'deploy/dev/service-a'), { recursive: true });
    fs.writeFileSync(
      path.join(work, 'deploy/dev/service-a/kustomization.yaml'),
      'images:\n  - name: ghcr.io/example/service-a\n',
    );
    fs.mkdirSync(path.join(work, 'helm/prod'), { recursive: true });
    fs.writeFileSync(
      path.join(work, 'helm/prod/service-a-values.yaml'),
      'replicaCount: 3\nimage:\n  repository: ghcr.io/example/service-a\n',
    );
    git(work, 'add', '.');
    git(work, 'commit', '--quiet', '-m', 'seed');
    git(work, 'push', '--quiet', 'origin', 'HEAD:main');
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const provider = (
    pathTemplate = 'deploy/{{env}}/{{name}}/kustomization.yaml',
  ) =>
    new GitOpsDeploymentProvider({
      repoUrl: bare,
      branch: 'main',
      pathTemplate,
      authorName: 'Assay',
      authorEmail: 'assay@example.com',
      authorEmailDomain: 'example.com',
    });

  const read = (file: string) => {
    const check = path.join(root, `check-${Date.now()}-${Math.random()}`);
    git(root, 'clone', '--quiet', bare, check);
    return {
      text: fs.readFileSync(path.join(check, file), 'utf8'),
      log: git(check, 'log', '-1', '--format=%an <%ae>|%cn|%s|%b'),
    };
  };

  it('writes the image digest into the kustomization, commits as the actor, pushes; rollback restores dashboards and alert digests', async () => {
    const p = provider();
    const r1 = release('1.1.0', 'a');
    const res = await p.deploy(request(r1));
    const file = 'deploy/staging/service-a/kustomization.yaml';
    let { text, log } = read(file);
    expect(res.ref).toMatch(/^[0-9a-f]{40}$/);
    const doc = YAML.parse(text);
    expect(doc.images).toEqual([
      { name: 'ghcr.io/example/service-a', digest: digest('a') },
    ]);
    expect(doc.commonAnnotations).toMatchObject({
      'assay.dev/release': '1.1.0',
      'assay.dev/release-hash': 'a'.repeat(64),
      'assay.dev/dashboard.overview': digest('d'),
      'assay.dev/alert-rules.slo': digest('1'),
    });
    expect(text).toContain('# staging overlay of service-a'); // comments kept
    expect(log).toMatch(
      /^carol <carol@example\.com>\|Assay\|promote service-a 1\.1\.0 to staging\|Assay-Promotion: p-1\.1\.0/,
    );

    const r2 = release('1.2.0', 'b');
    await p.deploy(request(r2));
    await p.deploy(request(r1, 'staging', 'rollback'));
    ({ text, log } = read(file));
    const back = YAML.parse(text);
    expect(back.images[0].digest).toBe(digest('a'));
    expect(back.commonAnnotations['assay.dev/dashboard.overview']).toBe(
      digest('d'),
    );
    expect(back.commonAnnotations['assay.dev/alert-rules.slo']).toBe(
      digest('1'),
    );
    expect(log).toContain('roll back service-a 1.1.0 to staging');
  });

  it('edits Helm values (image.digest and the release digests) and refuses a missing file or a path leaving the repository', async () => {
    const p = provider('helm/{{env}}/{{name}}-values.yaml');
    await p.deploy(request(release('2.0.0', 'c'), 'prod'));
    const values = YAML.parse(read('helm/prod/service-a-values.yaml').text);
    expect(values).toMatchObject({
      replicaCount: 3,
      image: { repository: 'ghcr.io/example/service-a', digest: digest('c') },
      assay: {
        release: '2.0.0',
        dashboards: { Overview: digest('e') },
        alertRules: { slo: digest('2') },
      },
    });
    await expect(
      p.deploy(request(release('2.0.0', 'c'), 'qa')),
    ).rejects.toThrow(/does not exist on main/);
    await expect(
      provider('../{{env}}.yaml').deploy(request(release('2.0.0', 'c'))),
    ).rejects.toThrow(/leaves the repository/);
  });

  it('refuses an environment file that is a symlink or sits under a symlinked directory (nothing outside the clone is read or written)', async () => {
    const outside = path.join(root, 'outside.yaml');
    const original = 'images:\n  - name: ghcr.io/example/service-a\n';
    fs.writeFileSync(outside, original);
    fs.mkdirSync(path.join(root, 'outdir/service-a'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'outdir/service-a/kustomization.yaml'),
      original,
    );
    const work = path.join(root, 'evil');
    git(root, 'clone', '--quiet', bare, work);
    fs.mkdirSync(path.join(work, 'deploy/prod/service-a'), {
      recursive: true,
    });
    fs.symlinkSync(
      outside,
      path.join(work, 'deploy/prod/service-a/kustomization.yaml'),
    );
    fs.symlinkSync(path.join(root, 'outdir'), path.join(work, 'deploy/qa'));
    git(work, 'add', '.');
    git(work, 'commit', '--quiet', '-m', 'links');
    git(work, 'push', '--quiet', 'origin', 'HEAD:main');
    const before = git(bare, 'rev-parse', 'main');
    await expect(
      provider().deploy(request(release('2.0.0', 'c'), 'prod')),
    ).rejects.toThrow(/is a symbolic link; refusing to follow it/);
    await expect(
      provider().deploy(request(release('2.0.0', 'c'), 'qa')),
    ).rejects.toThrow(/resolves outside the repository/);
    expect(fs.readFileSync(outside, 'utf8')).toBe(original);
    expect(
      fs.readFileSync(
        path.join(root, 'outdir/service-a/kustomization.yaml'),
        'utf8',
      ),
    ).toBe(original);
    expect(git(bare, 'rev-parse', 'main')).toBe(before);
  });

  it('retries on a fresh clone when another push wins the race: both changes land', async () => {
    const p = provider();
    const results = await Promise.all(
      ['dev', 'staging'].map(env =>
        p.deploy(request(release('1.1.0', 'a'), env)),
      ),
    );
    expect(new Set(results.map(r => r.ref)).size).toBe(2);
    for (const env of ['dev', 'staging']) {
      const file = read(`deploy/${env}/service-a/kustomization.yaml`);
      expect(YAML.parse(file.text).images[0].digest).toBe(digest('a'));
    }
    const check = path.join(root, 'count');
    git(root, 'clone', '--quiet', bare, check);
    expect(git(check, 'rev-list', '--count', 'HEAD')).toBe('3');
  });
});
