import {
  compareHead,
  compareRememberedHead,
  fromBase64,
  HeadMismatch,
  normalizeEntityRef,
  parseHeadsExtension,
  verifyChain,
  verifyConsistency,
  verifyHeadProof,
} from '@assay/plugin-evidence-common';
import { EvidenceApi } from '../api/EvidenceApi';
import { RecordsPage, StoredRecord } from '../api/types';
import {
  CheckpointTrustError,
  fetchVerifiedCheckpoint,
  VerifiedCheckpoint,
  verifyRecordInclusion,
} from './checkpoint';
import { prefetchIncrement } from './incrementApi';
import {
  CheckpointMemory,
  entityMemoryKey,
  SeenCheckpoint,
} from './checkpointMemory';

/** Records per request when walking the whole chain (the API maximum). */
export const VERIFY_PAGE_SIZE = 500;

/** Records before the remembered head that a returning visit re-checks. */
export const RECHECK_WINDOW = 500;

export type IntegrityPhase =
  | 'records'
  | 'checkpoint'
  | 'inclusion'
  | 'heads'
  | 'consistency';

export interface IntegrityProgress {
  phase: IntegrityPhase;
  /** records hashed and linked so far */
  verified: number;
  /** records received so far */
  fetched: number;
  /** records the server says exist (may grow while we run) */
  total: number;
}

export type IntegrityProblem = {
  /** which check failed */
  stage: 'chain' | 'signature' | 'inclusion' | 'heads' | 'consistency' | 'key';
  message: string;
  /** for `heads`: the newest records were removed, or the head replaced */
  kind?: HeadMismatch['kind'];
  /** the first bad record, when the failure is about one */
  record?: { seq: number; hash: string };
};

export type ConsistencyOutcome =
  | { kind: 'first-visit' }
  | { kind: 'unchanged'; seenAt: string }
  | { kind: 'extended'; fromSize: number; seenAt: string };

export type IntegrityReport =
  | {
      status: 'verified';
      /** records whose hash and chain link were recomputed */
      checked: number;
      /**
       * set when this run continued from the head this browser verified
       * before: only the records after `fromSeq` were fetched and checked
       */
      incremental?: { fromSeq: number; checkedNow: number };
      head?: { seq: number; hash: string; leafIndex: number };
      checkpoint: VerifiedCheckpoint;
      /**
       * the newest record, proven included in the checkpoint (which, through
       * the chain, commits every earlier record); absent when there are none
       */
      includedRecord?: { seq: number; hash: string; leafIndex: number };
      consistency: ConsistencyOutcome;
      /**
       * `bound`: the checkpoint commits to this entity's head and it is the
       * newest record served; `unbound`: a checkpoint signed before heads
       * were bound (truncation is then only detected against memory)
       */
      heads: { status: 'bound' | 'unbound'; entities?: number };
    }
  | {
      status: 'broken';
      checked: number;
      problem: IntegrityProblem;
      checkpoint?: VerifiedCheckpoint;
    };

export interface VerifyIntegrityOptions {
  api: EvidenceApi;
  entityRef: string;
  /** the last checkpoint this browser verified, remembered per entity */
  memory: CheckpointMemory;
  /** verifier keys pinned in app config; when absent the backend's key is trusted on first use */
  pinnedKeys?: string[];
  onProgress?: (progress: IntegrityProgress) => void;
  signal?: AbortSignal;
  /** clock, for tests */
  now?: () => Date;
}

/** The record's seq as its verified canonical bytes state it. */
function seqOf(r: StoredRecord): number {
  try {
    return JSON.parse(r.canonical).seq;
  } catch {
    return r.envelope?.seq ?? Number.NaN;
  }
}

function throwIfAborted(signal?: AbortSignal) {
  if (signal?.aborted) {
    throw Object.assign(new Error('verification cancelled'), {
      name: 'AbortError',
    });
  }
}

/**
 * Verifies an entity's evidence in the browser:
 * 1. walks every record (ascending pages of 500) through the same full check
 *    as `/verify`, the CLI and the audit pack (`verifyChain`): canonical
 *    RFC 8785 bytes, envelope schema, recomputed hash, seq, entityRef and
 *    previousHash link;
 * 2. checks the Ed25519 signature of the log's latest checkpoint (and, when
 *    no key is pinned, that its key is the one this browser saw for the
 *    entity before);
 * 3. proves the newest record is a leaf of that checkpoint's tree (which,
 *    through the chain, commits every earlier record). A record the
 *    checkpoint does not cover yet gets one re-fetch (the backend signs a
 *    newer checkpoint on demand); still uncovered, the evidence is broken;
 * 3b. checks the head the checkpoint commits to (its `assay-heads/v1` line
 *    and the entity's head proof) is the newest record served, and that the
 *    head this browser verified last time is still served: removed newest
 *    records are named "truncated", another record at that seq "head replaced";
 * 4. proves the checkpoint extends the one this browser saw last time for
 *    the entity.
 * Network and permission failures reject; integrity failures resolve to a
 * `broken` report naming what failed.
 */
export async function verifyIntegrity(
  options: VerifyIntegrityOptions,
): Promise<IntegrityReport> {
  const { entityRef, memory, pinnedKeys, onProgress, signal } = options;
  const now = options.now ?? (() => new Date());
  const memoryKey = entityMemoryKey(entityRef);
  const seen = memory.get(memoryKey);
  // Incremental: continue from the head this browser verified before (the
  // full pass runs only the first time). Records up to it were verified
  // then; the log's consistency proof from the checkpoint seen then (step 4)
  // shows the log only grew, the first new record must link to that head,
  // and the head must still be served (step 3b).
  const resume = seen?.head && seen.head.seq > 0 ? seen.head : undefined;
  const base = resume?.seq ?? 0;
  // A returning visit fetches what it checks in one round trip (the same
  // calls below are answered from it; see incrementApi.ts)
  const api =
    resume && seen
      ? await prefetchIncrement(options.api, entityRef, {
          after: base,
          treeSize: seen.treeSize,
          windowStart: Math.max(1, base - RECHECK_WINDOW + 1),
        })
      : options.api;
  /** only the records after `base` (all of them on a first visit) */
  const records: StoredRecord[] = [];
  let total = 0;
  const progress = (phase: IntegrityPhase) =>
    onProgress?.({
      phase,
      verified: base + records.length,
      fetched: base + records.length,
      total,
    });

  // 1. the chain, verified page by page while the next page downloads
  const fetchPage = (cursor?: string) =>
    api.listRecords(entityRef, {
      order: 'asc',
      limit: VERIFY_PAGE_SIZE,
      cursor,
    });
  let page: RecordsPage = await fetchPage(resume ? String(base) : undefined);
  let previousHash: string | null | undefined = resume?.hash;
  for (;;) {
    throwIfAborted(signal);
    total = Math.max(
      page.totalCount ?? 0,
      base + records.length + page.items.length,
    );
    const next = page.nextCursor ? fetchPage(page.nextCursor) : undefined;
    next?.catch(() => undefined); // surfaced when awaited below
    // The full check, as the backend's /verify, the CLI and the audit pack
    // run it: a fast path that reads only part of the bytes could call
    // "verified" what they reject.
    const result = verifyChain(page.items, {
      expectedFirstSeq: base + records.length + 1,
      previousHash,
      entityRef,
    });
    if (!result.ok) {
      return {
        status: 'broken',
        checked: base + records.length + result.checked,
        problem: {
          stage: 'chain',
          message: result.firstBad.reason,
          record: { seq: result.firstBad.seq, hash: result.firstBad.hash },
        },
      };
    }
    records.push(...page.items);
    previousHash = result.headHash;
    progress('records');
    if (!next) break;
    page = await next;
    await new Promise(resolve => setTimeout(resolve, 0));
  }

  // 1b. A returning visit also re-checks the newest records before the head
  // it remembered (one page, what the table shows first): a record edited
  // in place there is named as on a first visit. Older records are checked
  // by the server's integrity audit and by any browser's first full pass.
  if (resume) {
    const windowStart = Math.max(1, base - RECHECK_WINDOW + 1);
    const window = await api.listRecords(entityRef, {
      order: 'asc',
      limit: base - windowStart + 1,
      cursor: windowStart > 1 ? String(windowStart - 1) : undefined,
    });
    const recent = window.items.filter(r => seqOf(r) <= base);
    const result = verifyChain(recent, {
      expectedFirstSeq: windowStart,
      ...(windowStart === 1 ? { previousHash: null } : {}),
      entityRef,
    });
    if (!result.ok) {
      return {
        status: 'broken',
        checked: windowStart - 1 + result.checked,
        problem: {
          stage: 'chain',
          message: result.firstBad.reason,
          record: { seq: result.firstBad.seq, hash: result.firstBad.hash },
        },
      };
    }
  }

  // 2. the signed checkpoint, signed by the key this browser saw before
  const fetchTrustedCheckpoint = async (): Promise<
    VerifiedCheckpoint | IntegrityReport
  > => {
    throwIfAborted(signal);
    progress('checkpoint');
    let cp: VerifiedCheckpoint;
    try {
      cp = await fetchVerifiedCheckpoint({ api, pinnedKeys });
    } catch (e) {
      if (e instanceof CheckpointTrustError) {
        return {
          status: 'broken',
          checked: records.length,
          problem: { stage: 'signature', message: e.message },
        };
      }
      throw e;
    }
    if (!pinnedKeys?.length && seen && seen.verifierKey !== cp.verifierKey) {
      return {
        status: 'broken',
        checked: records.length,
        checkpoint: cp,
        problem: {
          stage: 'key',
          message: `the log's signing key changed since this browser last verified this entity on ${seen.seenAt} (was ${seen.verifierKey}, now ${cp.verifierKey})`,
        },
      };
    }
    return cp;
  };
  const isReport = (
    x: VerifiedCheckpoint | IntegrityReport,
  ): x is IntegrityReport => 'status' in x;

  let fetched = await fetchTrustedCheckpoint();
  if (isReport(fetched)) return fetched;
  let checkpoint: VerifiedCheckpoint = fetched;
  // records come in seq order with growing leaf indexes, so the uncovered
  // ones are a suffix; the newest record must be covered, as its inclusion
  // proof is what commits the whole chain to the signed log
  const firstUncovered = (cp: VerifiedCheckpoint) => {
    let i = records.length;
    while (i > 0 && records[i - 1].leafIndex >= cp.treeSize) i--;
    return i;
  };
  let covered = firstUncovered(checkpoint);
  if (covered < records.length) {
    // newer than the checkpoint: the backend signs a newer one on demand
    fetched = await fetchTrustedCheckpoint();
    if (isReport(fetched)) return fetched;
    checkpoint = fetched;
    covered = firstUncovered(checkpoint);
  }
  if (covered < records.length) {
    const first = records[covered];
    const last = records[records.length - 1];
    const which =
      first === last
        ? `record #${seqOf(first)}`
        : `records #${seqOf(first)}–#${seqOf(last)}`;
    return {
      status: 'broken',
      checked: covered,
      checkpoint,
      problem: {
        stage: 'inclusion',
        message: `no signed checkpoint covers ${which}: the latest checkpoint (tree size ${checkpoint.treeSize}, fetched twice) ends before leaf ${first.leafIndex}`,
        record: { seq: seqOf(first), hash: first.hash },
      },
    };
  }

  // 3. inclusion of the newest record (it commits every earlier one)
  throwIfAborted(signal);
  progress('inclusion');
  const included = records[records.length - 1];
  if (included) {
    try {
      await verifyRecordInclusion({ api, record: included, checkpoint });
    } catch (e) {
      if ((e as Error).name === 'ResponseError') throw e;
      return {
        status: 'broken',
        checked: records.length,
        checkpoint,
        problem: {
          stage: 'inclusion',
          message: `not included in the signed log at leaf ${
            included.leafIndex
          } of ${checkpoint.treeSize}: ${(e as Error).message}`,
          record: { seq: seqOf(included), hash: included.hash },
        },
      };
    }
  }

  // 3b. the head the signed checkpoint commits to, and the one this browser
  // saw before: removed or replaced newest records are named
  throwIfAborted(signal);
  progress('heads');
  const headCheck = await checkHeads({
    api,
    entityRef,
    checkpoint,
    records,
    seen,
    fetchPage,
    base,
  });
  if (headCheck.problem) {
    return {
      status: 'broken',
      checked: records.length,
      checkpoint,
      problem: headCheck.problem,
    };
  }

  // 4. consistency with what this browser saw before
  throwIfAborted(signal);
  progress('consistency');
  let consistency: ConsistencyOutcome = { kind: 'first-visit' };
  if (seen) {
    const problem = await checkConsistency(api, seen, checkpoint);
    if (typeof problem === 'string') {
      return {
        status: 'broken',
        checked: records.length,
        checkpoint,
        problem: { stage: 'consistency', message: problem },
      };
    }
    consistency = problem;
  }
  const head = records[records.length - 1];
  const headRef = head ? { seq: seqOf(head), hash: head.hash } : resume;
  if (!seen || checkpoint.treeSize >= seen.treeSize) {
    memory.set(memoryKey, {
      origin: checkpoint.origin,
      treeSize: checkpoint.treeSize,
      rootHash: checkpoint.rootHashBase64,
      verifierKey: checkpoint.verifierKey,
      seenAt: now().toISOString(),
      ...(headRef ? { head: headRef } : {}),
    });
  }

  return {
    status: 'verified',
    checked: base + records.length,
    ...(resume
      ? { incremental: { fromSeq: base, checkedNow: records.length } }
      : {}),
    head: head
      ? {
          seq: seqOf(head),
          hash: head.hash,
          leafIndex: head.leafIndex,
        }
      : headCheck.resumedHead,
    checkpoint,
    includedRecord: included && {
      seq: seqOf(included),
      hash: included.hash,
      leafIndex: included.leafIndex,
    },
    consistency,
    heads: headCheck.heads,
  };
}

/**
 * Checks the entity's head against (a) the head the signed checkpoint
 * commits to (its `assay-heads/v1` line + the served head proof) and (b) the
 * head this browser verified before. Records appended between the listing
 * and the checkpoint are fetched and chain-checked first. Mutates `records`.
 */
async function checkHeads(options: {
  api: EvidenceApi;
  entityRef: string;
  checkpoint: VerifiedCheckpoint;
  records: StoredRecord[];
  seen?: SeenCheckpoint;
  fetchPage: (cursor?: string) => Promise<RecordsPage>;
  /** records up to this seq were verified on an earlier visit (not in `records`) */
  base: number;
}): Promise<{
  problem?: IntegrityProblem;
  heads: { status: 'bound' | 'unbound'; entities?: number };
  resumedHead?: { seq: number; hash: string; leafIndex: number };
}> {
  const { api, checkpoint, records, seen, base } = options;
  const unbound = { status: 'unbound' as const };
  const broken = (message: string, extra: Partial<IntegrityProblem> = {}) => ({
    problem: { stage: 'heads' as const, message, ...extra },
    heads: unbound,
  });
  let ref = options.entityRef;
  try {
    ref = normalizeEntityRef(ref);
  } catch {
    // compared as given
  }
  // incremental: the record at `base`, as served now (the newest at or below it)
  let prior: StoredRecord | undefined;
  if (base > 0) {
    const page = await api.listRecords(options.entityRef, {
      order: 'desc',
      limit: 1,
      cursor: String(base + 1),
    });
    prior = page.items[0];
  }
  const last = () => records[records.length - 1] ?? prior;
  const asHead = (r?: StoredRecord) => r && { seq: seqOf(r), hash: r.hash };
  const servedAt = (seq: number) =>
    seq > base
      ? records[seq - base - 1]?.hash
      : (prior && seqOf(prior) === seq && prior.hash) || undefined;
  const resumedHead = prior && {
    seq: seqOf(prior),
    hash: prior.hash,
    leafIndex: prior.leafIndex,
  };

  let heads: { status: 'bound' | 'unbound'; entities?: number } = unbound;
  let line;
  try {
    line = parseHeadsExtension(checkpoint.extensions);
  } catch (e) {
    return broken((e as Error).message);
  }
  if (line) {
    const proof = await api.getHeadProof(
      options.entityRef,
      checkpoint.treeSize,
    );
    let committed;
    try {
      committed = verifyHeadProof(proof, checkpoint, ref);
    } catch (e) {
      if ((e as Error).name !== 'HeadProofError') throw e;
      return broken(
        `the head proof does not match the signed checkpoint: ${
          (e as Error).message
        }`,
      );
    }
    // appended after our listing but already in this checkpoint
    while (committed && last() && committed.seq > seqOf(last()!)) {
      const page = await options.fetchPage(String(seqOf(last()!)));
      const more = page.items.filter(r => seqOf(r) <= committed!.seq);
      if (!more.length) break;
      const result = verifyChain(more, {
        expectedFirstSeq: seqOf(last()!) + 1,
        previousHash: last()!.hash,
        entityRef: options.entityRef,
      });
      if (!result.ok) {
        return {
          problem: {
            stage: 'chain',
            message: result.firstBad.reason,
            record: { seq: result.firstBad.seq, hash: result.firstBad.hash },
          },
          heads: unbound,
        };
      }
      records.push(...more);
    }
    const covered = [...(prior ? [prior] : []), ...records].filter(
      r => r.leafIndex < checkpoint.treeSize,
    );
    const mismatch = compareHead(
      committed,
      asHead(covered[covered.length - 1]),
    );
    if (mismatch) {
      return broken(mismatch.message, {
        kind: mismatch.kind,
        ...(mismatch.expected ? { record: mismatch.expected } : {}),
      });
    }
    heads = { status: 'bound', entities: line.count };
  }
  if (seen?.head) {
    const mismatch = compareRememberedHead(
      seen.head,
      asHead(last()),
      servedAt,
      seen.seenAt,
    );
    if (mismatch) {
      return broken(mismatch.message, {
        kind: mismatch.kind,
        record: seen.head,
      });
    }
  }
  return { heads, resumedHead };
}

/** Returns the outcome, or a string saying why the log is not consistent. */
async function checkConsistency(
  api: EvidenceApi,
  seen: SeenCheckpoint,
  cp: VerifiedCheckpoint,
): Promise<ConsistencyOutcome | string> {
  const before = `the checkpoint this browser verified for this entity on ${seen.seenAt} (tree size ${seen.treeSize})`;
  if (cp.treeSize < seen.treeSize) {
    return `the log shrank: tree size ${cp.treeSize} is smaller than ${before}`;
  }
  if (cp.treeSize === seen.treeSize) {
    return cp.rootHashBase64 === seen.rootHash
      ? { kind: 'unchanged', seenAt: seen.seenAt }
      : `the log was rewritten: same tree size ${cp.treeSize} but a different root than ${before}`;
  }
  if (seen.treeSize === 0) {
    return { kind: 'extended', fromSize: 0, seenAt: seen.seenAt };
  }
  const proof = await api.getConsistencyProof({
    from: seen.treeSize,
    to: cp.treeSize,
  });
  try {
    verifyConsistency({
      size1: seen.treeSize,
      size2: cp.treeSize,
      root1: fromBase64(seen.rootHash),
      root2: cp.rootHash,
      proof: (proof.hashes ?? []).map(h => fromBase64(h)),
    });
  } catch (e) {
    return `the log is not an append-only extension of ${before}: ${
      (e as Error).message
    }`;
  }
  return { kind: 'extended', fromSize: seen.treeSize, seenAt: seen.seenAt };
}
