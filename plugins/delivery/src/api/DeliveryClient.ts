import { parseEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { DeliveryApi } from './DeliveryApi';
import {
  CanaryAction,
  CanaryConfig,
  CanaryRunDetail,
  CanaryRunList,
  StartCanaryRequest,
} from './types';

/**
 * HTTP client for the delivery backend.
 *
 * @public
 */
export class DeliveryClient implements DeliveryApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async getCanaryConfig(entityRef: string) {
    return this.request<CanaryConfig>(`${canaryPath(entityRef)}/config`);
  }

  async listCanaryRuns(entityRef: string, options: { limit?: number } = {}) {
    const qs = options.limit ? `?limit=${options.limit}` : '';
    return this.request<CanaryRunList>(`${canaryPath(entityRef)}/runs${qs}`);
  }

  async getCanaryRun(entityRef: string, runId: string) {
    return this.request<CanaryRunDetail>(
      `${canaryPath(entityRef)}/runs/${encodeURIComponent(runId)}`,
    );
  }

  async startCanaryRun(entityRef: string, request: StartCanaryRequest) {
    return this.request<CanaryRunDetail>(`${canaryPath(entityRef)}/runs`, {
      method: 'POST',
      body: request,
    });
  }

  async actOnCanaryRun(
    entityRef: string,
    runId: string,
    action: CanaryAction,
    options: { reason?: string } = {},
  ) {
    return this.request<CanaryRunDetail>(
      `${canaryPath(entityRef)}/runs/${encodeURIComponent(runId)}/${action}`,
      {
        method: 'POST',
        body: options.reason ? { reason: options.reason } : {},
      },
    );
  }

  private async request<T>(
    path: string,
    init?: { method: 'POST'; body: unknown },
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('delivery');
    const res = await this.fetchApi.fetch(
      `${baseUrl}${path}`,
      init && {
        method: init.method,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(init.body),
      },
    );
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return res.json();
  }
}

function canaryPath(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/v1/entities/${[kind, namespace, name]
    .map(p => encodeURIComponent(p.toLocaleLowerCase('en-US')))
    .join('/')}/canary`;
}
