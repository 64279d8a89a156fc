import { parseEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { EvidenceApi } from './EvidenceApi';
import {
  AuditStatus,
  ConsistencyProofResponse,
  EvidenceBundle,
  EvidenceSummary,
  HeadProof,
  IncrementResponse,
  InclusionProofResponse,
  PublicKeyInfo,
  RecordsPage,
  RecordsQuery,
  ServerVerifyResult,
  StoredRecord,
} from './types';

/**
 * HTTP client for the evidence backend.
 *
 * @public
 */
export class EvidenceClient implements EvidenceApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listRecords(entityRef: string, query: RecordsQuery = {}) {
    const params = new URLSearchParams();
    if (query.categories?.length) {
      params.set('category', query.categories.join(','));
    }
    if (query.since) params.set('since', query.since);
    if (query.until) params.set('until', query.until);
    if (query.subject) params.set('subject', query.subject);
    if (query.cursor) params.set('cursor', query.cursor);
    if (query.limit) params.set('limit', String(query.limit));
    if (query.order) params.set('order', query.order);
    const qs = params.toString();
    return this.json<RecordsPage>(
      `${entityPath(entityRef)}/records${qs ? `?${qs}` : ''}`,
    );
  }

  async getSummary(entityRef: string) {
    return this.json<EvidenceSummary>(`${entityPath(entityRef)}/summary`);
  }

  async getRecord(hash: string) {
    return this.json<StoredRecord>(`/v1/records/${encodeURIComponent(hash)}`);
  }

  async getArtifact(hash: string, digest: string) {
    const res = await this.get(
      `/v1/records/${encodeURIComponent(hash)}/artifacts/${encodeURIComponent(
        digest,
      )}`,
    );
    return res.blob();
  }

  async getCheckpoint() {
    return (await this.get('/v1/checkpoint')).text();
  }

  async getPublicKey() {
    return this.json<PublicKeyInfo>('/v1/public-key');
  }

  async getInclusionProof(options: { leafIndex: number; treeSize: number }) {
    return this.json<InclusionProofResponse>(
      `/v1/proofs/inclusion?leafIndex=${options.leafIndex}&treeSize=${options.treeSize}`,
    );
  }

  async getConsistencyProof(options: { from: number; to: number }) {
    return this.json<ConsistencyProofResponse>(
      `/v1/proofs/consistency?from=${options.from}&to=${options.to}`,
    );
  }

  async getBundle(entityRef: string) {
    return this.json<EvidenceBundle>(`${entityPath(entityRef)}/bundle`);
  }

  async getAudit() {
    return this.json<AuditStatus>('/v1/audit');
  }

  async getHeadProof(entityRef: string, treeSize: number) {
    return this.json<HeadProof>(
      `${entityPath(entityRef)}/head-proof?treeSize=${treeSize}`,
    );
  }

  async getIncrement(
    entityRef: string,
    query: { after: number; treeSize: number; window: number },
  ) {
    return this.json<IncrementResponse>(
      `${entityPath(entityRef)}/increment?after=${query.after}&treeSize=${
        query.treeSize
      }&window=${query.window}`,
    );
  }

  async verifyOnServer(entityRef: string) {
    return this.json<ServerVerifyResult>(`${entityPath(entityRef)}/verify`);
  }

  async setLegalHold(entityRef: string, reason: string) {
    await this.send(`${entityPath(entityRef)}/legal-hold`, 'PUT', { reason });
  }

  async releaseLegalHold(entityRef: string) {
    await this.send(`${entityPath(entityRef)}/legal-hold`, 'DELETE');
  }

  async purgeEarly(
    entityRef: string,
    options: { reason: string; categories?: string[] },
  ) {
    return (
      await this.send(`${entityPath(entityRef)}/purge`, 'POST', options)
    ).json();
  }

  private async send(
    path: string,
    method: string,
    body?: unknown,
  ): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('evidence');
    const res = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : {
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          }),
    });
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return res;
  }

  private async get(path: string): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('evidence');
    const res = await this.fetchApi.fetch(`${baseUrl}${path}`);
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return res;
  }

  private async json<T>(path: string): Promise<T> {
    return (await this.get(path)).json();
  }
}

function entityPath(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/v1/entities/${[kind, namespace, name]
    .map(p => encodeURIComponent(p.toLocaleLowerCase('en-US')))
    .join('/')}`;
}
