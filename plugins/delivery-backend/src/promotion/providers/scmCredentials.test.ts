import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Release } from '@assay/plugin-delivery-common';
import { GitOpsDeploymentProvider } from './GitOpsDeploymentProvider';
import { gitAuthEnv, scmCredentialsResolver } from './scmCredentials';

jest.setTimeout(60_000);

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

const integrationsFor = (integrations: object) =>
  ScmIntegrations.fromConfig(new ConfigReader({ integrations }));

const basicOf = (user: string, secret: string) =>
  `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;

/**
 * A smart-HTTP git server: `git http-backend` (CGI) over the bare
 * repositories in `root`, refusing with 401 every request whose
 * Authorization header is not `expected`.
 */
function startGitServer(root: string, expected: string) {
  const seen: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers.authorization);
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
      res.end('unauthorized');
      return;
    }
    const url = new URL(req.url!, 'http://localhost');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...process.env,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        REMOTE_USER: 'assay',
        REQUEST_METHOD: req.method,
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      },
    });
    req.pipe(cgi.stdin);
    let buf = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      buf = Buffer.concat([buf, chunk]);
      const sep = buf.indexOf('\r\n\r\n');
      const sepLf = buf.indexOf('\n\n');
      const [end, len] =
        sep >= 0 && (sepLf < 0 || sep < sepLf) ? [sep, 4] : [sepLf, 2];
      if (end < 0) return;
      let status = 200;
      for (const line of buf.subarray(0, end).toString().split(/\r?\n/)) {
        const i = line.indexOf(':');
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === 'status') status = parseInt(value, 10);
        else res.setHeader(name, value);
      }
      res.statusCode = status;
      headersDone = true;
      res.write(buf.subarray(end + len));
    });
    cgi.on('close', () => res.end());
  });
  return new Promise<{ url: string; seen: typeof seen; close(): void }>(
    resolve =>
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        resolve({
          url: `http://127.0.0.1:${port}`,
          seen,
          close: () => server.close(),
        });
      }),
  );
}

const release: Release = {
  hash: 'a'.repeat(64),
  entityRef: 'component:default/service-a',
  version: '1.2.0',
  producer: 'user:default/bob',
  createdAt: '2026-11-30T08:00:00.000Z',
  evidence: [],
  artifacts: [
    {
      name: 'ghcr.io/example/service-a',
      kind: 'image',
      digest: `sha256:${'a'.repeat(64)}`,
    },
  ],
};

describe('scmCredentialsResolver', () => {
  it('resolves GitHub, GitLab and Bitbucket Server tokens by host', async () => {
    const resolve = scmCredentialsResolver(
      integrationsFor({
        github: [{ host: 'github.example.com', token: 'ghs_1' }],
        gitlab: [
          {
            host: 'gitlab.example.com',
            apiBaseUrl: 'https://gitlab.example.com/api/v4',
            token: 'glpat',
          },
        ],
        bitbucketServer: [{ host: 'bb.example.com', token: 'bbt' }],
      }),
    );
    await expect(
      resolve('https://github.example.com/org/deploy.git'),
    ).resolves.toEqual({
      source: 'integrations.github',
      host: 'github.example.com',
      header: `Authorization: ${basicOf('x-access-token', 'ghs_1')}`,
    });
    await expect(
      resolve('https://gitlab.example.com/org/deploy.git'),
    ).resolves.toMatchObject({
      source: 'integrations.gitlab',
      header: `Authorization: ${basicOf('oauth2', 'glpat')}`,
    });
    await expect(
      resolve('https://bb.example.com/scm/org/deploy.git'),
    ).resolves.toMatchObject({ header: 'Authorization: Bearer bbt' });
    // no integration for the host, or not http(s): anonymous
    await expect(
      resolve('https://elsewhere.example.com/deploy.git'),
    ).resolves.toBeUndefined();
    await expect(resolve('/srv/git/deploy.git')).resolves.toBeUndefined();
    // github.com is always an integration, but without a token: anonymous
    await expect(
      resolve('https://github.com/org/deploy.git'),
    ).resolves.toBeUndefined();
  });

  it('scopes the header to the repository origin, in env only', () => {
    expect(
      gitAuthEnv('https://git.example.com:8443/a.git', {
        source: 'x',
        host: 'git.example.com:8443',
        header: 'Authorization: Bearer t',
      }),
    ).toEqual({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.https://git.example.com:8443/.extraHeader',
      GIT_CONFIG_VALUE_0: 'Authorization: Bearer t',
    });
    expect(gitAuthEnv('https://a/b.git', undefined)).toEqual({});
  });
});

describe('GitOpsDeploymentProvider over smart HTTP with SCM credentials', () => {
  let root: string;
  let server: Awaited<ReturnType<typeof startGitServer>>;
  const token = 'ghs_installation_token_123';

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-gitops-http-'));
    const bare = path.join(root, 'deploy.git');
    git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
    const work = path.join(root, 'seed');
    git(root, 'clone', '--quiet', bare, work);
    fs.mkdirSync(path.join(work, 'deploy/staging/service-a'), {
      recursive: true,
    });
    fs.writeFileSync(
      path.join(work, 'deploy/staging/service-a/kustomization.yaml'),
      'images:\n  - name: ghcr.io/example/service-a\n    newTag: "1.0.0"\n',
    );
    git(work, 'add', '.');
    git(work, 'commit', '--quiet', '-m', 'seed');
    git(work, 'push', '--quiet', 'origin', 'HEAD:main');
    server = await startGitServer(root, basicOf('x-access-token', token));
  });

  afterEach(() => {
    server.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const provider = (integrations: object) =>
    new GitOpsDeploymentProvider(
      {
        repoUrl: `${server.url}/deploy.git`,
        branch: 'main',
        pathTemplate: 'deploy/{{env}}/{{name}}/kustomization.yaml',
        authorName: 'Assay',
        authorEmail: 'assay@example.com',
      },
      undefined,
      scmCredentialsResolver(integrationsFor(integrations)),
    );
  const hostOf = () => new URL(server.url).host;
  const request = {
    entityRef: release.entityRef,
    environment: 'staging',
    release,
    previous: null,
    actor: 'user:default/carol',
    kind: 'promotion' as const,
    promotionId: 'p-1',
  };

  it('pushes with the token of the integrations.github entry for the host', async () => {
    const result = await provider({
      github: [
        {
          host: hostOf(),
          apiBaseUrl: `${server.url}/api/unused`,
          token,
        },
      ],
    }).deploy(request);
    const bare = path.join(root, 'deploy.git');
    expect(git(bare, 'rev-parse', 'main')).toBe(result.ref);
    expect(
      git(bare, 'show', 'main:deploy/staging/service-a/kustomization.yaml'),
    ).toContain(`digest: sha256:${'a'.repeat(64)}`);
    // every request carried the header (clone and push)
    expect(server.seen.length).toBeGreaterThan(2);
    expect(server.seen.every(a => a === basicOf('x-access-token', token))).toBe(
      true,
    );
  });

  it('fails with a message naming the integration when the token is wrong', async () => {
    const before = git(path.join(root, 'deploy.git'), 'rev-parse', 'main');
    await expect(
      provider({
        github: [{ host: hostOf(), token: 'wrong' }],
      }).deploy(request),
    ).rejects.toThrow(
      `GitOps repository at ${hostOf()} refused the credentials from integrations.github`,
    );
    expect(git(path.join(root, 'deploy.git'), 'rev-parse', 'main')).toBe(
      before,
    );
  });

  it('fails clearly when no integration supplies credentials', async () => {
    await expect(provider({}).deploy(request)).rejects.toThrow(
      /requires credentials and no SCM integration/,
    );
    expect(server.seen.every(a => a === undefined)).toBe(true);
  });
});
