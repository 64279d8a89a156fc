import {
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { parseEntityRef } from '@backstage/catalog-model';
import { renderTemplate, TrafficProvider, TrafficTarget } from './types';

/** Annotation naming the VirtualService (`namespace/name` or `name`). */
export const VIRTUAL_SERVICE_ANNOTATION = 'assay.dev/istio-virtualservice';

export interface IstioOptions {
  /** Kubernetes API access; `loadFromDefault()` when undefined. */
  kubeConfig?: KubeConfig;
  /** Namespace of the VirtualService when the annotation gives none. */
  namespace: string;
  /** VirtualService name template (`${name}` = entity name). */
  virtualService: string;
  stableSubset: string;
  canarySubset: string;
  /** Retries on a resourceVersion conflict. */
  conflictRetries?: number;
}

const GROUP = 'networking.istio.io';
const VERSION = 'v1';
const PLURAL = 'virtualservices';

/**
 * Sets the canary weight on an Istio VirtualService through the Kubernetes
 * API: reads the object, computes the new weights of every HTTP route that
 * splits between the stable and canary subsets, and sends a JSON Patch that
 * first tests `metadata.resourceVersion` (optimistic concurrency) and then
 * replaces exactly those weights.
 */
export class IstioTrafficProvider implements TrafficProvider {
  readonly type = 'istio' as const;
  private readonly api: CustomObjectsApi;

  constructor(private readonly options: IstioOptions) {
    const kc = options.kubeConfig ?? new KubeConfig();
    if (!options.kubeConfig) kc.loadFromDefault();
    this.api = kc.makeApiClient(CustomObjectsApi);
  }

  locate(target: TrafficTarget): { namespace: string; name: string } {
    const ref = parseEntityRef(target.entityRef);
    const override = target.annotations?.[VIRTUAL_SERVICE_ANNOTATION];
    if (override) {
      const [a, b] = override.split('/');
      return b
        ? { namespace: a, name: b }
        : { namespace: this.options.namespace, name: a };
    }
    return {
      namespace: this.options.namespace,
      name: renderTemplate(this.options.virtualService, {
        name: ref.name,
        namespace: ref.namespace,
      }),
    };
  }

  async setWeight(target: TrafficTarget, canaryWeight: number): Promise<void> {
    const { namespace, name } = this.locate(target);
    const retries = this.options.conflictRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      const vs: any = await this.api.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
        name,
      });
      const ops: any[] = [
        {
          op: 'test',
          path: '/metadata/resourceVersion',
          value: vs.metadata?.resourceVersion,
        },
      ];
      const http: any[] = vs.spec?.http ?? [];
      http.forEach((route, i) => {
        const dests: any[] = route.route ?? [];
        const stable = dests.findIndex(
          d => d.destination?.subset === this.options.stableSubset,
        );
        const canary = dests.findIndex(
          d => d.destination?.subset === this.options.canarySubset,
        );
        if (stable < 0 || canary < 0) return;
        for (const [j, w] of [
          [stable, 100 - canaryWeight],
          [canary, canaryWeight],
        ]) {
          ops.push({
            op: dests[j].weight === undefined ? 'add' : 'replace',
            path: `/spec/http/${i}/route/${j}/weight`,
            value: w,
          });
        }
      });
      if (ops.length === 1) {
        throw new Error(
          `VirtualService ${namespace}/${name} has no HTTP route with both subsets "${this.options.stableSubset}" and "${this.options.canarySubset}"`,
        );
      }
      try {
        await this.api.patchNamespacedCustomObject(
          {
            group: GROUP,
            version: VERSION,
            namespace,
            plural: PLURAL,
            name,
            body: ops,
          },
          setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
        );
        return;
      } catch (e: any) {
        const code = e?.code ?? e?.statusCode;
        // 409 conflict / 422 failed test: someone changed it in between
        if ((code === 409 || code === 422) && attempt < retries) continue;
        throw e;
      }
    }
  }
}
