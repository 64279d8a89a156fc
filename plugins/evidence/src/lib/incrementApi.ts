import { EvidenceApi } from '../api/EvidenceApi';
import {
  IncrementResponse,
  PublicKeyInfo,
  RecordsPage,
  RecordsQuery,
  StoredRecord,
} from '../api/types';

type Served = { seq: number; record: StoredRecord };

/**
 * A returning visit's requests in one round trip: fetches the backend's
 * `/increment` (the records from `windowStart` after the remembered head
 * `after`, the latest checkpoint and the proofs) together with the public
 * key, and returns an {@link EvidenceApi} that answers verifyIntegrity's
 * calls from that response where it holds the answer (the same calls, the
 * same checks: only the transport changes) and from the backend otherwise.
 * Resolves to the plain api when the backend has no `/increment` (404).
 *
 * The seqs used to answer listings are read from the canonical bytes; the
 * verifier checks them (seq continuity, links, hashes) like any served
 * record, so a wrong answer here can only make verification fail.
 */
export async function prefetchIncrement(
  api: EvidenceApi,
  entityRef: string,
  query: { after: number; treeSize: number; windowStart: number },
): Promise<EvidenceApi> {
  if (!api.getIncrement) return api;
  const publicKey = api.getPublicKey();
  publicKey.catch(() => undefined); // surfaced when asked for
  let inc: IncrementResponse;
  try {
    inc = await api.getIncrement(entityRef, {
      after: query.after,
      treeSize: query.treeSize,
      window: query.after > 0 ? query.after - query.windowStart + 1 : 0,
    });
  } catch (e) {
    if ((e as { response?: { status?: number } }).response?.status === 404) {
      return api;
    }
    throw e;
  }
  const served: Served[] = [];
  for (const r of Array.isArray(inc.records) ? inc.records : []) {
    let seq: unknown;
    try {
      seq = JSON.parse(r.canonical).seq;
    } catch {
      return api; // not readable: let the separate routes serve (and fail)
    }
    if (!Number.isSafeInteger(seq)) return api;
    if (served.length && (seq as number) <= served[served.length - 1].seq) {
      return api;
    }
    served.push({
      seq: seq as number,
      record: { ...r, envelope: undefined } as unknown as StoredRecord,
    });
  }
  const first = served.length ? served[0].seq : query.after + 1;
  const last = served.length ? served[served.length - 1].seq : query.after;
  const complete = inc.complete !== false;
  let checkpointServed = false;
  let keyServed = false;

  const listRecords = async (
    ref: string,
    q: RecordsQuery = {},
  ): Promise<RecordsPage> => {
    const plain =
      ref === entityRef &&
      !q.categories?.length &&
      !q.since &&
      !q.until &&
      !q.subject;
    const limit = q.limit ?? 50;
    if (plain && q.order === 'asc') {
      const after = q.cursor === undefined ? 0 : Number(q.cursor);
      // the answer must start inside what was served (or right after it)
      if (after >= first - 1 && after <= last) {
        const items = served.filter(s => s.seq > after).slice(0, limit);
        const more =
          items.length === limit
            ? items[items.length - 1].seq < last || !complete
            : false;
        if (items.length === limit || complete) {
          return {
            items: items.map(s => s.record),
            totalCount: last,
            nextCursor: more ? String(items[items.length - 1].seq) : undefined,
          };
        }
      }
    }
    if (plain && q.order === 'desc' && q.cursor !== undefined) {
      const before = Number(q.cursor);
      const items = served
        .filter(s => s.seq < before)
        .reverse()
        .slice(0, limit);
      // all of them present: the newest below `before` down to `limit`
      if (
        items.length === limit &&
        before - 1 <= last &&
        items[0].seq === before - 1
      ) {
        return { items: items.map(s => s.record), totalCount: last };
      }
    }
    return api.listRecords(ref, q);
  };

  return {
    ...bindAll(api),
    listRecords,
    async getCheckpoint() {
      if (!checkpointServed) {
        checkpointServed = true;
        return inc.checkpoint;
      }
      return api.getCheckpoint();
    },
    async getPublicKey(): Promise<PublicKeyInfo> {
      if (!keyServed) {
        keyServed = true;
        return publicKey;
      }
      return api.getPublicKey();
    },
    async getInclusionProof(options) {
      if (
        inc.inclusion &&
        options.treeSize === inc.treeSize &&
        options.leafIndex === inc.inclusion.leafIndex
      ) {
        return {
          leafIndex: options.leafIndex,
          treeSize: options.treeSize,
          rootHash: '',
          hashes: inc.inclusion.hashes,
        };
      }
      return api.getInclusionProof(options);
    },
    async getConsistencyProof(options) {
      if (
        inc.consistency &&
        options.from === query.treeSize &&
        options.to === inc.treeSize
      ) {
        return { ...options, rootHash: '', hashes: inc.consistency };
      }
      return api.getConsistencyProof(options);
    },
    async getHeadProof(ref, treeSize) {
      if (ref === entityRef && inc.headProof && treeSize === inc.treeSize) {
        return inc.headProof;
      }
      return api.getHeadProof(ref, treeSize);
    },
  };
}

/** The api's methods bound to it (a class instance's methods live on its prototype). */
function bindAll(api: EvidenceApi): EvidenceApi {
  const out: Record<string, unknown> = {};
  let proto: object | null = api;
  while (proto && proto !== Object.prototype) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const value = (api as unknown as Record<string, unknown>)[key];
      if (
        key !== 'constructor' &&
        typeof value === 'function' &&
        !(key in out)
      ) {
        out[key] = (value as (...a: unknown[]) => unknown).bind(api);
      }
    }
    proto = Object.getPrototypeOf(proto);
  }
  return out as unknown as EvidenceApi;
}
