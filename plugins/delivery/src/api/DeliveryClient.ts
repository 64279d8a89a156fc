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
import {
  CreateReleaseRequest,
  PlanPreview,
  PlanRequest,
  Promotion,
  PromotionHistoryPage,
  PromotionKpis,
  PromotionOverview,
  PromotionPlan,
  PromotionPlanList,
  PromotionPreview,
  PromotionPreviewRequest,
  PromotionRequest,
  Release,
  RollbackRequest,
  ReleaseVerification,
} from './promotionTypes';

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

  async getPromotionOverview(entityRef: string) {
    return this.request<PromotionOverview>(promotionEntityPath(entityRef));
  }

  async createRelease(entityRef: string, request: CreateReleaseRequest) {
    return this.request<Release>(`${promotionEntityPath(entityRef)}/releases`, {
      method: 'POST',
      body: request,
    });
  }

  async verifyRelease(entityRef: string, releaseHash: string) {
    return this.request<ReleaseVerification>(
      `${promotionEntityPath(entityRef)}/releases/${encodeURIComponent(
        releaseHash,
      )}/verify`,
    );
  }

  async previewPromotion(entityRef: string, request: PromotionPreviewRequest) {
    return this.request<PromotionPreview>(
      `${promotionEntityPath(entityRef)}/preview`,
      { method: 'POST', body: request },
    );
  }

  async promote(entityRef: string, request: PromotionRequest) {
    return this.request<Promotion>(
      `${promotionEntityPath(entityRef)}/promotions`,
      { method: 'POST', body: request },
    );
  }

  async approvePromotion(
    promotionId: string,
    options: { comment?: string } = {},
  ) {
    return this.request<Promotion>(
      `/v1/promotion/promotions/${encodeURIComponent(promotionId)}/approvals`,
      {
        method: 'POST',
        body: options.comment ? { comment: options.comment } : {},
      },
    );
  }

  async cancelPromotion(
    promotionId: string,
    options: { reason?: string } = {},
  ) {
    return this.request<Promotion>(
      `/v1/promotion/promotions/${encodeURIComponent(promotionId)}/cancel`,
      {
        method: 'POST',
        body: options.reason ? { reason: options.reason } : {},
      },
    );
  }

  async rollback(entityRef: string, request: RollbackRequest) {
    return this.request<Promotion>(
      `${promotionEntityPath(entityRef)}/rollback`,
      { method: 'POST', body: request },
    );
  }

  async getPromotionHistory(
    entityRef: string,
    options: { limit?: number; cursor?: string } = {},
  ) {
    return this.request<PromotionHistoryPage>(
      `${promotionEntityPath(entityRef)}/history${query(options)}`,
    );
  }

  async getPromotion(promotionId: string) {
    return this.request<Promotion>(
      `/v1/promotion/promotions/${encodeURIComponent(promotionId)}`,
    );
  }

  async getPromotionKpis(options: { entityRef?: string; owner?: string } = {}) {
    return this.request<PromotionKpis>(`/v1/promotion/kpis${query(options)}`);
  }

  async previewPlan(request: PlanRequest) {
    return this.request<PlanPreview>('/v1/promotion/plans/preview', {
      method: 'POST',
      body: request,
    });
  }

  async startPlan(request: PlanRequest) {
    return this.request<PromotionPlan>('/v1/promotion/plans', {
      method: 'POST',
      body: request,
    });
  }

  async listPlans(options: { limit?: number; cursor?: string } = {}) {
    return this.request<PromotionPlanList>(
      `/v1/promotion/plans${query(options)}`,
    );
  }

  async getPlan(planId: string) {
    return this.request<PromotionPlan>(
      `/v1/promotion/plans/${encodeURIComponent(planId)}`,
    );
  }

  async abortPlan(planId: string, options: { reason?: string } = {}) {
    return this.request<PromotionPlan>(
      `/v1/promotion/plans/${encodeURIComponent(planId)}/abort`,
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

/** `?a=1&b=x` from the defined values, '' when there are none. */
function query(params: Record<string, string | number | undefined>): string {
  const qs = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') qs.set(key, String(value));
  }
  const text = qs.toString();
  return text ? `?${text}` : '';
}

function entitySegments(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return [kind, namespace, name]
    .map(p => encodeURIComponent(p.toLocaleLowerCase('en-US')))
    .join('/');
}

function promotionEntityPath(entityRef: string): string {
  return `/v1/promotion/entities/${entitySegments(entityRef)}`;
}

function canaryPath(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/v1/entities/${[kind, namespace, name]
    .map(p => encodeURIComponent(p.toLocaleLowerCase('en-US')))
    .join('/')}/canary`;
}
