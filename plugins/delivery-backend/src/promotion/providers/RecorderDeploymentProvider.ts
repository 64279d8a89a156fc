import {
  DeploymentProvider,
  DeploymentRequest,
  DeploymentResult,
} from './types';

/**
 * The demo's deployment provider: records what would be deployed (image,
 * dashboards, alert rules by digest) and deploys nothing. Deterministic; a
 * test (or the orchestration's failure drills) can make an entity +
 * environment fail with {@link RecorderDeploymentProvider.failFor}.
 */
export class RecorderDeploymentProvider implements DeploymentProvider {
  readonly name = 'recorder';
  readonly deployments: Array<DeploymentRequest & { at: string }> = [];
  private readonly failures = new Map<string, string>();

  /** Makes the next deployments of entity + environment fail with `message`. */
  failFor(entityRef: string, environment: string, message: string) {
    this.failures.set(`${entityRef}|${environment}`, message);
  }

  clearFailures() {
    this.failures.clear();
  }

  async deploy(request: DeploymentRequest): Promise<DeploymentResult> {
    const failure = this.failures.get(
      `${request.entityRef}|${request.environment}`,
    );
    if (failure) throw new Error(failure);
    this.deployments.push({ ...request, at: new Date().toISOString() });
    const image = request.release.artifacts.find(a => a.kind === 'image');
    const restored = request.release.artifacts.filter(
      a => a.kind === 'dashboard' || a.kind === 'alert-rules',
    );
    return {
      ref: `recorder:${request.environment}:${
        image?.digest ?? request.release.hash
      }`,
      detail: `recorded ${request.release.version} in ${request.environment}${
        image ? ` (image ${image.digest})` : ''
      }${
        restored.length
          ? `; ${restored
              .map(a => `${a.kind} ${a.name}@${a.digest}`)
              .join(', ')}`
          : ''
      } — the recorder deploys nothing`,
    };
  }
}
