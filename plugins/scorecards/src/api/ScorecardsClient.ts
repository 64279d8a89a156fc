import { parseEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { ScorecardsApi } from './ScorecardsApi';
import {
  CheckDefinition,
  Control,
  EntityResult,
  HistoryPoint,
  Overview,
  OverviewFilters,
  OverviewQuery,
  Rollup,
  RollupDimension,
  TrendPoint,
  Waiver,
  WaiverRequest,
  WaiverStatus,
} from './types';

type Params = Record<string, string | number | undefined>;

/**
 * HTTP client for the scorecards backend.
 *
 * @public
 */
export class ScorecardsClient implements ScorecardsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listChecks() {
    return (await this.json<{ items: CheckDefinition[] }>('/v1/checks')).items;
  }

  async getEntityResult(entityRef: string) {
    return this.json<EntityResult>(entityPath(entityRef));
  }

  async getEntityHistory(entityRef: string, options: { days?: number } = {}) {
    const res = await this.json<{ points: HistoryPoint[] }>(
      `${entityPath(entityRef)}/history${query({ days: options.days })}`,
    );
    return res.points;
  }

  async refreshEntity(entityRef: string) {
    return this.json<EntityResult>(`${entityPath(entityRef)}/refresh`, {
      method: 'POST',
    });
  }

  async listEntityWaivers(entityRef: string) {
    const res = await this.json<{ items: Waiver[] }>(
      `${entityPath(entityRef)}/waivers`,
    );
    return res.items;
  }

  async requestWaiver(entityRef: string, request: WaiverRequest) {
    return this.json<Waiver>(`${entityPath(entityRef)}/waivers`, {
      method: 'POST',
      body: request,
    });
  }

  async listWaivers(
    options: { status?: WaiverStatus; entityRef?: string } = {},
  ) {
    const res = await this.json<{ items: Waiver[] }>(
      `/v1/waivers${query(options)}`,
    );
    return res.items;
  }

  async approveWaiver(id: string, options: { comment?: string } = {}) {
    return this.json<Waiver>(`/v1/waivers/${encodeURIComponent(id)}/approve`, {
      method: 'POST',
      body: options,
    });
  }

  async rejectWaiver(id: string, options: { comment?: string } = {}) {
    return this.json<Waiver>(`/v1/waivers/${encodeURIComponent(id)}/reject`, {
      method: 'POST',
      body: options,
    });
  }

  async getOverview(q: OverviewQuery = {}) {
    return this.json<Overview>(`/v1/overview${query({ ...q })}`);
  }

  async exportOverview(filters: OverviewFilters = {}) {
    return (
      await this.request(`/v1/overview/export${query({ ...filters })}`)
    ).text();
  }

  async getRollups(dimension: RollupDimension) {
    const res = await this.json<{ items: Rollup[] }>(
      `/v1/rollups/${encodeURIComponent(dimension)}`,
    );
    return res.items;
  }

  async getTrends(options: { days?: number; owner?: string } = {}) {
    const res = await this.json<{ points: TrendPoint[] }>(
      `/v1/trends${query(options)}`,
    );
    return res.points;
  }

  async getControls(options: { framework?: string } = {}) {
    const res = await this.json<{ items: Control[] }>(
      `/v1/controls${query(options)}`,
    );
    return res.items;
  }

  async exportControls(options: {
    framework?: string;
    format: 'csv' | 'json';
  }) {
    return (await this.request(`/v1/controls/export${query(options)}`)).text();
  }

  private async request(
    path: string,
    init: { method?: string; body?: unknown } = {},
  ): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('scorecards');
    const res = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method: init.method ?? 'GET',
      ...(init.body !== undefined
        ? {
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(init.body),
          }
        : {}),
    });
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return res;
  }

  private async json<T>(
    path: string,
    init?: { method?: string; body?: unknown },
  ): Promise<T> {
    return (await this.request(path, init)).json();
  }
}

/** `/v1/entities/<kind>/<namespace>/<name>` for an entity ref. */
export function entityPath(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/v1/entities/${[
    kind.toLocaleLowerCase('en-US'),
    namespace.toLocaleLowerCase('en-US'),
    name,
  ]
    .map(encodeURIComponent)
    .join('/')}`;
}

function query(params: Params): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}
