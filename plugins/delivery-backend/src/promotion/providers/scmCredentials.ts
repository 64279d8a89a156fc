import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';

/** HTTP credentials for git over http(s), as one request header. */
export interface GitHttpAuth {
  /** Which `integrations.<kind>` entry supplied them (for messages). */
  source: string;
  /** Host (with port) the header is scoped to. */
  host: string;
  /** `Authorization: …` header value handed to git. */
  header: string;
}

/** Resolves the credentials for a repository URL; undefined = anonymous. */
export type GitCredentialsResolver = (
  url: string,
) => Promise<GitHttpAuth | undefined>;

const basic = (user: string, secret: string) =>
  `Authorization: Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;

/**
 * Credentials for git over http(s) from Backstage's SCM integrations
 * (`integrations.*` in app-config): GitHub through
 * `DefaultGithubCredentialsProvider` (token or GitHub App installation
 * token, sent as Basic `x-access-token:<token>`, which GitHub accepts for
 * both), GitLab (`oauth2:<token>`), Gitea and Bitbucket Server/Cloud from
 * their configured token or username/password. Non-http URLs and hosts with
 * no configured credentials resolve to undefined (git runs anonymously).
 */
export function scmCredentialsResolver(
  integrations: ScmIntegrationRegistry,
  github: GithubCredentialsProvider = DefaultGithubCredentialsProvider.fromIntegrations(
    integrations,
  ),
): GitCredentialsResolver {
  return async url => {
    if (!/^https?:\/\//i.test(url)) return undefined;
    const host = new URL(url).host;
    const at = (source: string, header: string): GitHttpAuth => ({
      source,
      host,
      header,
    });
    if (integrations.github.byUrl(url)) {
      const { token } = await github.getCredentials({ url });
      return token
        ? at('integrations.github', basic('x-access-token', token))
        : undefined;
    }
    const gitlab = integrations.gitlab.byUrl(url)?.config;
    if (gitlab) {
      return gitlab.token
        ? at('integrations.gitlab', basic('oauth2', gitlab.token))
        : undefined;
    }
    const gitea = integrations.gitea.byUrl(url)?.config;
    if (gitea) {
      return gitea.username && gitea.password
        ? at('integrations.gitea', basic(gitea.username, gitea.password))
        : undefined;
    }
    const bbs = integrations.bitbucketServer.byUrl(url)?.config;
    if (bbs) {
      if (bbs.token) {
        return at(
          'integrations.bitbucketServer',
          `Authorization: Bearer ${bbs.token}`,
        );
      }
      return bbs.username && bbs.password
        ? at('integrations.bitbucketServer', basic(bbs.username, bbs.password))
        : undefined;
    }
    const bbc = integrations.bitbucketCloud.byUrl(url)?.config;
    if (bbc) {
      if (bbc.username && (bbc.appPassword || bbc.token)) {
        return at(
          'integrations.bitbucketCloud',
          basic(bbc.username, (bbc.appPassword ?? bbc.token)!),
        );
      }
      return bbc.token
        ? at('integrations.bitbucketCloud', basic('x-token-auth', bbc.token))
        : undefined;
    }
    return undefined;
  };
}

/**
 * Environment handing the header to git as `http.<origin>/.extraHeader`
 * (GIT_CONFIG_COUNT/KEY/VALUE): never on the command line, in the remote
 * URL or in a file, and only sent to the repository's own host.
 */
export function gitAuthEnv(url: string, auth?: GitHttpAuth): NodeJS.ProcessEnv {
  if (!auth) return {};
  const { protocol } = new URL(url);
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${protocol}//${auth.host}/.extraHeader`,
    GIT_CONFIG_VALUE_0: auth.header,
  };
}
