import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { parseEntityRefStrict } from '@assay/plugin-evidence-common';
import type {
  EvidenceAppendRequest,
  EvidenceAppendResult,
  EvidenceLatestItem,
  EvidenceLatestOptions,
  EvidenceListOptions,
  EvidenceListResult,
  EvidenceRemoteAccess,
  EvidenceRemoteReader,
  EvidenceRemoteWriter,
  EvidenceService,
} from './service';

/** Records per `POST /v1/records/batch` request (the route's maximum). */
const APPEND_BATCH = 500;

/** An append request as the API takes it (artifacts in base64). */
function wireRequest(request: Omit<EvidenceAppendRequest, 'idempotencyKey'>) {
  const { artifacts, ...rest } = request;
  return {
    ...rest,
    artifacts: artifacts?.map(a => ({
      name: a.name,
      mediaType: a.mediaType,
      format: a.format,
      contentBase64: a.content.toString('base64'),
    })),
  };
}

/**
 * EvidenceService over the evidence backend's HTTP API, authenticated with a
 * service token issued on behalf of the caller's credentials. Works whether
 * the evidence plugin runs in the same backend process or elsewhere.
 *
 * @public
 */
export class EvidenceClient implements EvidenceService {
  static create(options: { discovery: DiscoveryService; auth: AuthService }) {
    return new EvidenceClient(options.discovery, options.auth);
  }

  /**
   * Reads the evidence API at `access.baseUrl` with `access.token` (from
   * {@link EvidenceService.remoteAccess} in the thread that has the
   * backend's services), e.g. in a worker thread. Only the bulk read, and
   * no credentials to pass: whatever it reads, it reads as the principal the
   * token was issued on behalf of.
   */
  static remoteReader(access: EvidenceRemoteAccess): EvidenceRemoteReader {
    const { client, credentials } = EvidenceClient.fromAccess(access);
    return {
      latestForEntities: (entityRefs, options = {}) =>
        client.latestForEntities(entityRefs, { ...options, credentials }),
    };
  }

  /**
   * Appends to the evidence API at `access.baseUrl` with `access.token`
   * (see {@link EvidenceClient.remoteReader}): as the principal the token
   * was issued on behalf of, e.g. a worker thread recording what it
   * computed.
   */
  static remoteWriter(access: EvidenceRemoteAccess): EvidenceRemoteWriter {
    const { client, credentials } = EvidenceClient.fromAccess(access);
    return {
      append: request => client.append(request, { credentials }),
      appendMany: requests => client.appendMany(requests, { credentials }),
    };
  }

  /** A client whose every request carries `access.token`. */
  private static fromAccess(access: EvidenceRemoteAccess) {
    const discovery: Pick<DiscoveryService, 'getBaseUrl'> = {
      getBaseUrl: async () => access.baseUrl,
    };
    const auth: Pick<AuthService, 'getPluginRequestToken'> = {
      getPluginRequestToken: async () => ({ token: access.token }),
    };
    const client = new EvidenceClient(
      discovery as DiscoveryService,
      auth as AuthService,
    );
    // every request carries the token: these credentials are never read
    const credentials = {
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'none' },
    } as BackstageCredentials;
    return { client, credentials };
  }

  private constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
  ) {}

  async append(
    request: EvidenceAppendRequest,
    options: { credentials: BackstageCredentials },
  ): Promise<EvidenceAppendResult> {
    const { idempotencyKey, ...rest } = request;
    const body = wireRequest(rest);
    const res = await this.fetch('/v1/records', options.credentials, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    return { ...json, replayed: res.status === 200 };
  }

  async appendMany(
    requests: EvidenceAppendRequest[],
    options: { credentials: BackstageCredentials },
  ): Promise<EvidenceAppendResult[]> {
    const out: EvidenceAppendResult[] = [];
    for (let i = 0; i < requests.length; i += APPEND_BATCH) {
      const records = requests
        .slice(i, i + APPEND_BATCH)
        .map(({ idempotencyKey, ...rest }) => ({
          ...wireRequest(rest),
          ...(idempotencyKey ? { idempotencyKey } : {}),
        }));
      const res = await this.fetch('/v1/records/batch', options.credentials, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ records }),
      });
      const { items }: { items: EvidenceAppendResult[] } = await res.json();
      // one result per record sent, in order: anything else is not an answer
      // this client can attribute
      if (!Array.isArray(items) || items.length !== records.length) {
        throw new Error(
          `evidence: POST /v1/records/batch answered ${
            Array.isArray(items) ? items.length : 'no'
          } results for ${records.length} records`,
        );
      }
      out.push(...items);
    }
    return out;
  }

  async list(
    entityRef: string,
    options: EvidenceListOptions & { credentials: BackstageCredentials },
  ): Promise<EvidenceListResult> {
    const { credentials, category, ...query } = options;
    const params = new URLSearchParams();
    if (category?.length) params.set('category', category.join(','));
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined) params.set(k, String(v));
    }
    const { kind, namespace, name } = parseEntityRefStrict(entityRef);
    const enc = encodeURIComponent;
    const res = await this.fetch(
      `/v1/entities/${enc(kind)}/${enc(namespace)}/${enc(
        name,
      )}/records?${params}`,
      credentials,
    );
    return res.json();
  }

  async latestForEntities(
    entityRefs: string[],
    options: EvidenceLatestOptions & { credentials: BackstageCredentials },
  ): Promise<EvidenceLatestItem[]> {
    const { credentials, categories, window } = options;
    const out: EvidenceLatestItem[] = [];
    let todo = [...new Set(entityRefs)];
    while (todo.length) {
      const chunk = todo.slice(0, 500);
      const res = await this.fetch('/v1/latest', credentials, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ entityRefs: chunk, categories, window }),
      });
      const body: {
        items: Array<
          Omit<EvidenceLatestItem, 'records'> & {
            records?: EvidenceLatestItem['records'];
          }
        >;
        rest: string[];
      } = await res.json();
      for (const item of body.items) {
        out.push({ ...item, records: item.records ?? [] });
      }
      // entities the response had no room for are asked again (each
      // response answers at least one entity)
      if (body.rest.length >= chunk.length) {
        throw new Error('evidence /v1/latest answered no entity');
      }
      todo = [...body.rest, ...todo.slice(500)];
    }
    return out;
  }

  async remoteAccess(options: {
    credentials: BackstageCredentials;
  }): Promise<EvidenceRemoteAccess> {
    const baseUrl = await this.discovery.getBaseUrl('evidence');
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: options.credentials,
      targetPluginId: 'evidence',
    });
    return { baseUrl, token };
  }

  private async fetch(
    path: string,
    credentials: BackstageCredentials,
    init: RequestInit = {},
  ): Promise<Response> {
    const { baseUrl, token } = await this.remoteAccess({ credentials });
    const res = await fetch(`${baseUrl}${path}`, {
      ...init,
      headers: { ...(init.headers ?? {}), authorization: `Bearer ${token}` },
    });
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return res;
  }
}
