import { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import type { GitOpsConfig } from '../config';
import {
  GitCredentialsResolver,
  GitHttpAuth,
  gitAuthEnv,
} from './scmCredentials';
import {
  DeploymentProvider,
  DeploymentRequest,
  DeploymentResult,
} from './types';

const run = promisify(execFile);

/** Thrown when the environment's file cannot take the release. */
export class GitOpsFileError extends Error {}

/** Everything about the release the file records besides the image digest. */
function releaseAnnotations(request: DeploymentRequest) {
  const out: Record<string, string> = {
    'assay.dev/release': request.release.version,
    'assay.dev/release-hash': request.release.hash,
  };
  for (const a of request.release.artifacts) {
    if (a.kind === 'dashboard' || a.kind === 'alert-rules') {
      const key = a.name.toLowerCase().replace(/[^a-z0-9.-]+/g, '-');
      out[`assay.dev/${a.kind}.${key}`] = a.digest;
    }
  }
  return out;
}

/**
 * Writes the release into a kustomization: `images[]` entries get the
 * release's image digests (`digest`, no `newTag`), `commonAnnotations` the
 * release, its hash and the digests of its dashboards and alert rules (a
 * rollback restores them with the image). Only image entries whose name
 * matches an image artifact's name (or, with one image artifact, the only
 * entry) are changed.
 */
export function editKustomization(text: string, request: DeploymentRequest) {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length) {
    throw new GitOpsFileError(`not YAML: ${doc.errors[0].message}`);
  }
  const images = request.release.artifacts.filter(a => a.kind === 'image');
  if (!images.length) {
    throw new GitOpsFileError(
      `release ${request.release.version} has no image artifact to deploy`,
    );
  }
  let list = doc.get('images') as YAML.YAMLSeq | undefined;
  if (!list) {
    list = doc.createNode([]) as YAML.YAMLSeq;
    doc.set('images', list);
  }
  const entries = list.items as YAML.YAMLMap[];
  for (const image of images) {
    let entry =
      entries.find(e => e.get('name') === image.name) ??
      (images.length === 1 && entries.length === 1 ? entries[0] : undefined);
    if (!entry) {
      entry = doc.createNode({ name: image.name }) as YAML.YAMLMap;
      list.items.push(entry);
    }
    entry.delete('newTag');
    entry.set('digest', image.digest);
  }
  const annotations = releaseAnnotations(request);
  let common = doc.get('commonAnnotations') as YAML.YAMLMap | undefined;
  if (!common) {
    common = doc.createNode({}) as YAML.YAMLMap;
    doc.set('commonAnnotations', common);
  }
  // drop the previous release's dashboard/alert digests
  for (const item of [...common.items]) {
    const k = String((item.key as any)?.value ?? item.key);
    if (/^assay\.dev\/(dashboard|alert-rules)\./.test(k)) common.delete(k);
  }
  for (const [k, v] of Object.entries(annotations)) common.set(k, v);
  return doc.toString();
}

/**
 * Writes the release into Helm values: `image.digest` (single image) or
 * `images.<name>.digest`, and `assay.release`, `assay.releaseHash`,
 * `assay.dashboards`, `assay.alertRules` (digests by name).
 */
export function editHelmValues(text: string, request: DeploymentRequest) {
  const doc = YAML.parseDocument(text || '{}');
  if (doc.errors.length) {
    throw new GitOpsFileError(`not YAML: ${doc.errors[0].message}`);
  }
  const images = request.release.artifacts.filter(a => a.kind === 'image');
  if (!images.length) {
    throw new GitOpsFileError(
      `release ${request.release.version} has no image artifact to deploy`,
    );
  }
  if (images.length === 1) doc.setIn(['image', 'digest'], images[0].digest);
  else
    for (const i of images) doc.setIn(['images', i.name, 'digest'], i.digest);
  const byKind = (kind: string) =>
    Object.fromEntries(
      request.release.artifacts
        .filter(a => a.kind === kind)
        .map(a => [a.name, a.digest]),
    );
  doc.setIn(['assay', 'release'], request.release.version);
  doc.setIn(['assay', 'releaseHash'], request.release.hash);
  doc.setIn(['assay', 'dashboards'], doc.createNode(byKind('dashboard')));
  doc.setIn(['assay', 'alertRules'], doc.createNode(byKind('alert-rules')));
  return doc.toString();
}

/** `user:default/carol` → `carol`. */
function actorName(actor: string) {
  try {
    return parseEntityRef(actor).name;
  } catch {
    return actor.replace(/[^\w.-]+/g, '-');
  }
}

/**
 * GitOps deployments: clones the configured repository (git CLI), writes
 * the release's digests into the environment's file (kustomization or Helm
 * values, by file name), commits with the acting user as author and pushes;
 * Argo CD / Flux deploy what the branch says. A push that loses a race is
 * retried on a fresh clone.
 */
export class GitOpsDeploymentProvider implements DeploymentProvider {
  readonly name = 'gitops';

  constructor(
    private readonly config: GitOpsConfig,
    private readonly logger?: LoggerService,
    /** http(s) repositories: credentials from the SCM integrations. */
    private readonly credentials?: GitCredentialsResolver,
  ) {}

  /** Turns an authentication failure of git into a message naming its cause. */
  private authError(e: unknown, auth: GitHttpAuth | undefined): unknown {
    const text = String((e as any)?.stderr ?? (e as Error)?.message ?? e);
    if (
      !/Authentication failed|could not read Username|terminal prompts disabled|\b(401|403)\b/i.test(
        text,
      )
    ) {
      return e;
    }
    const { repoUrl } = this.config;
    const host = /^https?:\/\//i.test(repoUrl)
      ? new URL(repoUrl).host
      : repoUrl;
    return new Error(
      auth
        ? `GitOps repository at ${host} refused the credentials from ${auth.source}`
        : `GitOps repository at ${host} requires credentials and no SCM integration (integrations.*) supplies them for that host`,
    );
  }

  filePath(request: DeploymentRequest) {
    const ref = parseEntityRef(request.entityRef);
    const p = this.config.pathTemplate
      .replace(/\{\{\s*env\s*\}\}/g, request.environment)
      .replace(/\{\{\s*name\s*\}\}/g, ref.name)
      .replace(/\{\{\s*namespace\s*\}\}/g, ref.namespace)
      .replace(/\{\{\s*kind\s*\}\}/g, ref.kind.toLowerCase());
    const normalized = path.posix.normalize(p);
    if (normalized.startsWith('..') || path.posix.isAbsolute(normalized)) {
      throw new GitOpsFileError(`path ${p} leaves the repository`);
    }
    return normalized;
  }

  private async git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
    const { stdout } = await run('git', args, {
      cwd,
      env: {
        ...process.env,
        GIT_TERMINAL_PROMPT: '0',
        GIT_CONFIG_NOSYSTEM: '1',
        ...env,
      },
      maxBuffer: 10 * 1024 * 1024,
    });
    return stdout.trim();
  }

  async deploy(request: DeploymentRequest): Promise<DeploymentResult> {
    const file = this.filePath(request);
    let lastError: unknown;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-gitops-'));
      try {
        return await this.attempt(dir, file, request);
      } catch (e) {
        lastError = e;
        if (e instanceof GitOpsFileError) throw e;
        const rejected = /rejected|non-fast-forward|fetch first/i.test(
          String((e as any)?.stderr ?? (e as Error).message),
        );
        if (!rejected) throw e;
        this.logger?.info(
          `gitops: push of ${request.entityRef} to ${request.environment} lost a race (attempt ${attempt}); retrying`,
        );
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    }
    throw lastError;
  }

  private async attempt(
    dir: string,
    file: string,
    request: DeploymentRequest,
  ): Promise<DeploymentResult> {
    const { repoUrl, branch } = this.config;
    const auth = await this.credentials?.(repoUrl);
    const authEnv = gitAuthEnv(repoUrl, auth);
    await this.git(
      dir,
      ['clone', '--quiet', '--depth', '1', '--branch', branch, repoUrl, '.'],
      authEnv,
    ).catch(e => {
      throw this.authError(e, auth);
    });
    const abs = path.join(dir, file);
    // the environment's file must be a regular file inside the clone: a
    // symlink (of the file or a directory on its path) could read or
    // overwrite files elsewhere on this machine
    const stat = await fs.lstat(abs).catch(() => undefined);
    if (stat && !stat.isFile()) {
      throw new GitOpsFileError(
        `${file} on ${branch} of the GitOps repository is ${
          stat.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'
        }; refusing to follow it`,
      );
    }
    if (stat) {
      const [root, real] = await Promise.all([
        fs.realpath(dir),
        fs.realpath(abs),
      ]);
      const rel = path.relative(root, real);
      if (rel.startsWith('..') || path.isAbsolute(rel)) {
        throw new GitOpsFileError(
          `${file} on ${branch} of the GitOps repository resolves outside the repository; refusing to follow it`,
        );
      }
    }
    let text = '';
    try {
      text = await fs.readFile(abs, 'utf8');
    } catch {
      throw new GitOpsFileError(
        `${file} does not exist on ${branch} of the GitOps repository`,
      );
    }
    const helm = /values[^/]*\.ya?ml$/i.test(path.basename(file));
    const next = helm
      ? editHelmValues(text, request)
      : editKustomization(text, request);
    if (next === text) {
      const head = await this.git(dir, ['rev-parse', 'HEAD']);
      return {
        ref: head,
        detail: `${file} already names release ${request.release.version}; nothing to commit`,
      };
    }
    await fs.writeFile(abs, next);
    const name = actorName(request.actor);
    const email = this.config.authorEmailDomain
      ? `${name}@${this.config.authorEmailDomain}`
      : this.config.authorEmail;
    await this.git(dir, ['add', '--', file]);
    const verb = request.kind === 'rollback' ? 'roll back' : 'promote';
    await this.git(
      dir,
      [
        '-c',
        'commit.gpgsign=false',
        'commit',
        '--quiet',
        '-m',
        `${verb} ${parseEntityRef(request.entityRef).name} ${
          request.release.version
        } to ${request.environment}`,
        '-m',
        [
          `Assay-Promotion: ${request.promotionId}`,
          `Assay-Release: ${request.release.hash}`,
          `Assay-Entity: ${request.entityRef}`,
        ].join('\n'),
      ],
      {
        GIT_AUTHOR_NAME: name,
        GIT_AUTHOR_EMAIL: email,
        GIT_COMMITTER_NAME: this.config.authorName,
        GIT_COMMITTER_EMAIL: this.config.authorEmail,
      },
    );
    await this.git(
      dir,
      ['push', '--quiet', 'origin', `HEAD:${branch}`],
      authEnv,
    ).catch(e => {
      throw this.authError(e, auth);
    });
    const sha = await this.git(dir, ['rev-parse', 'HEAD']);
    return {
      ref: sha,
      detail: `committed ${sha.slice(0, 12)} to ${branch}: ${file}`,
    };
  }
}
