import {
  EvidenceBundle,
  HeadProof,
  parseEntityRefStrict,
} from '@assay/plugin-evidence-common';
import { CliContext, CliError } from './context';

/** Connection options shared by every command. */
export interface ConnectionOptions {
  url?: string;
  token?: string;
}

async function errorMessage(res: Response): Promise<string> {
  const text = await res.text();
  try {
    const body = JSON.parse(text);
    const message = body?.error?.message ?? body?.message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.trim().slice(0, 500) || res.statusText;
}

/** A small client for the evidence backend's `/api/evidence/v1` routes. */
export function createEvidenceApi(options: ConnectionOptions, ctx: CliContext) {
  const base = (
    options.url ??
    ctx.env.ASSAY_URL ??
    'http://localhost:7007'
  ).replace(/\/+$/, '');
  const token = options.token ?? ctx.env.ASSAY_TOKEN;

  const entityPath = (entityRef: string) => {
    const { kind, namespace, name } = parseEntityRefStrict(entityRef);
    return [kind, namespace, name].map(encodeURIComponent).join('/');
  };

  /** A successful response (not yet read). */
  async function send(path: string, init: RequestInit = {}) {
    const url = `${base}/api/evidence/v1${path}`;
    const headers = new Headers(init.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    let res: Response;
    try {
      res = await fetch(url, { ...init, headers });
    } catch (e) {
      const cause = (e as { cause?: Error }).cause;
      throw new CliError(
        `cannot reach ${base}: ${cause?.message ?? (e as Error).message}`,
      );
    }
    if (!res.ok) {
      throw new CliError(
        `${init.method ?? 'GET'} ${url} failed with ${
          res.status
        }: ${await errorMessage(res)}`,
      );
    }
    return res;
  }

  async function request(
    path: string,
    init: RequestInit = {},
  ): Promise<unknown> {
    const url = `${base}/api/evidence/v1${path}`;
    const headers = new Headers(init.headers);
    headers.set('accept', 'application/json');
    if (token) headers.set('authorization', `Bearer ${token}`);
    let res: Response;
    try {
      res = await fetch(url, { ...init, headers });
    } catch (e) {
      const cause = (e as { cause?: Error }).cause;
      throw new CliError(
        `cannot reach ${base}: ${cause?.message ?? (e as Error).message}`,
      );
    }
    if (!res.ok) {
      throw new CliError(
        `${init.method ?? 'GET'} ${url} failed with ${
          res.status
        }: ${await errorMessage(res)}`,
      );
    }
    try {
      return await res.json();
    } catch {
      throw new CliError(`${url} did not return JSON`);
    }
  }

  return {
    base,
    postRecord(body: unknown, idempotencyKey?: string) {
      return request('/records', {
        method: 'POST',
        body: JSON.stringify(body),
        headers: {
          'content-type': 'application/json',
          ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
        },
      });
    },
    getBundle(entityRef: string): Promise<EvidenceBundle> {
      const { kind, namespace, name } = parseEntityRefStrict(entityRef);
      const path = [kind, namespace, name].map(encodeURIComponent).join('/');
      return request(`/entities/${path}/bundle`) as Promise<EvidenceBundle>;
    },
    /** The bundle as a byte stream (the backend streams one record per line). */
    async openBundle(entityRef: string): Promise<AsyncIterable<Uint8Array>> {
      const res = await send(`/entities/${entityPath(entityRef)}/bundle`);
      return res.body as unknown as AsyncIterable<Uint8Array>;
    },
    /** The latest signed checkpoint (note text). */
    async getCheckpointNote(): Promise<string> {
      return (await send('/checkpoint')).text();
    },
    getPublicKey() {
      return request('/public-key') as Promise<{
        origin: string;
        verifierKey: string;
      }>;
    },
    /** One page of records after `afterSeq`, oldest first. */
    listRecordsAfter(entityRef: string, afterSeq: number, limit = 500) {
      const query = new URLSearchParams({
        order: 'asc',
        limit: String(limit),
        ...(afterSeq > 0 ? { cursor: String(afterSeq) } : {}),
      });
      return request(
        `/entities/${entityPath(entityRef)}/records?${query}`,
      ) as Promise<{
        items: Array<{ hash: string; canonical: string; leafIndex: number }>;
        nextCursor?: string;
      }>;
    },
    /**
     * What a returning verifier needs since the head it remembered (seq
     * `after`, checkpoint `treeSize`), with `window` records before it.
     */
    getIncrement(
      entityRef: string,
      after: number,
      treeSize: number,
      window: number,
    ) {
      const query = new URLSearchParams({
        after: String(after),
        treeSize: String(treeSize),
        window: String(window),
      });
      return request(
        `/entities/${entityPath(entityRef)}/increment?${query}`,
      ) as Promise<{
        checkpoint: string;
        complete: boolean;
        records: Array<{ hash: string; canonical: string; leafIndex: number }>;
        consistency: string[] | null;
        inclusion: { leafIndex: number; hashes: string[] } | null;
        headProof: HeadProof | null;
      }>;
    },
    getInclusionProof(leafIndex: number, treeSize: number) {
      return request(
        `/proofs/inclusion?leafIndex=${leafIndex}&treeSize=${treeSize}`,
      ) as Promise<{ hashes: string[] }>;
    },
    getHeadProof(entityRef: string, treeSize: number) {
      return request(
        `/entities/${entityPath(entityRef)}/head-proof?treeSize=${treeSize}`,
      ) as Promise<HeadProof>;
    },
    getConsistencyProof(from: number, to: number) {
      return request(`/proofs/consistency?from=${from}&to=${to}`) as Promise<{
        hashes: string[];
      }>;
    },
    /** The newest record of one category of an entity, or undefined. */
    async getLatest(
      entityRef: string,
      category: string,
    ): Promise<{ envelope: unknown; hash: string } | undefined> {
      const { kind, namespace, name } = parseEntityRefStrict(entityRef);
      const path = [kind, namespace, name].map(encodeURIComponent).join('/');
      const query = new URLSearchParams({
        category,
        order: 'desc',
        limit: '1',
      });
      const page = (await request(`/entities/${path}/records?${query}`)) as {
        items?: { envelope: unknown; hash: string }[];
      };
      return page.items?.[0];
    },
  };
}
