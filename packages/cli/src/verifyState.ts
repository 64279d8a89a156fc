import fs from 'node:fs/promises';
import {
  Checkpoint,
  compareHead,
  EvidenceBundleHeader,
  fromBase64,
  openNote,
  parseCheckpoint,
  parseHeadsExtension,
  recordHashFromBytes,
  toBase64,
  utf8Encode,
  verifyChain,
  verifyConsistency,
  verifyHeadProof,
  verifyInclusion,
} from '@assay/plugin-evidence-common';
import { createEvidenceApi } from './api';
import { nativeHash } from './bundleStream';
import { CliContext, CliError } from './context';

/**
 * What `assay evidence verify --state <file>` remembers after a successful
 * verification: the signed checkpoint it verified against and the entity's
 * head at that point. Next time only the records after the head are
 * fetched and checked, linked to it, and the new checkpoint must be an
 * append-only extension of the remembered one (consistency proof).
 */
export interface VerifyState {
  version: 1;
  entityRef: string;
  origin: string;
  verifierKey: string;
  treeSize: number;
  /** base64 */
  rootHash: string;
  /** the newest verified record (null: the entity had none) */
  head: { seq: number; hash: string; leafIndex: number } | null;
  verifiedAt: string;
}

function isState(v: any): v is VerifyState {
  return (
    v?.version === 1 &&
    typeof v.entityRef === 'string' &&
    typeof v.origin === 'string' &&
    typeof v.verifierKey === 'string' &&
    Number.isSafeInteger(v.treeSize) &&
    typeof v.rootHash === 'string' &&
    (v.head === null ||
      (Number.isSafeInteger(v.head?.seq) &&
        typeof v.head?.hash === 'string' &&
        Number.isSafeInteger(v.head?.leafIndex)))
  );
}

/** The remembered state, or undefined when the file does not exist yet. */
export async function readState(
  file: string,
  entityRef: string,
): Promise<VerifyState | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not a verify state file (not JSON)`);
  }
  if (!isState(state)) {
    throw new CliError(`${file} is not a verify state file`);
  }
  if (state.entityRef !== entityRef) {
    throw new CliError(
      `${file} remembers ${state.entityRef}, not ${entityRef}; use one state file per entity`,
    );
  }
  return state;
}

export async function writeState(file: string, state: VerifyState) {
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await fs.rename(tmp, file);
}

export function stateFromBundle(
  header: EvidenceBundleHeader,
  checkpoint: Required<Checkpoint>,
  last: { seq: number; hash: string; leafIndex: number } | undefined,
): VerifyState {
  return {
    version: 1,
    entityRef: header.entityRef,
    origin: checkpoint.origin,
    verifierKey: header.publicKey,
    treeSize: checkpoint.treeSize,
    rootHash: toBase64(checkpoint.rootHash),
    head: last
      ? { seq: last.seq, hash: last.hash, leafIndex: last.leafIndex }
      : null,
    verifiedAt: new Date().toISOString(),
  };
}

type Api = ReturnType<typeof createEvidenceApi>;

/**
 * Re-verifies from the remembered head: fetches the records after it (pages
 * of 500) and the latest checkpoint, and checks (1) the checkpoint's
 * signature with the pinned key or the remembered one, (2) that it extends
 * the remembered checkpoint (RFC 9162 consistency proof), (3) the full
 * verifyChain check of every new record, the first linked to the
 * remembered head, (4) the new head's inclusion in the checkpoint and (5),
 * when the checkpoint commits to entity heads, that its committed head for
 * the entity is the one served (nothing newer hidden, nothing removed).
 */
export async function incrementalVerify(
  api: Api,
  state: VerifyState,
  options: { pinnedKey?: string; ctx: CliContext },
): Promise<{ ok: boolean; state: VerifyState }> {
  const { ctx } = options;
  const fail = (message: string) => {
    ctx.err(`FAILED: ${message}`);
    return { ok: false, state };
  };
  // 1. the remembered head (still served, same bytes) and the records after it
  const records: Array<{ hash: string; canonical: string; leafIndex: number }> =
    [];
  let after = Math.max(0, (state.head?.seq ?? 0) - 1);
  for (;;) {
    const page = await api.listRecordsAfter(state.entityRef, after);
    records.push(...page.items);
    if (!page.nextCursor || page.items.length === 0) break;
    after = Number(page.nextCursor);
  }
  if (state.head) {
    // removed or replaced since: what this verifier saw must still be served
    const first = records.shift();
    const where = `the head verified on ${state.verifiedAt} was #${
      state.head.seq
    } (${state.head.hash.slice(0, 16)}…)`;
    let firstSeq: unknown;
    try {
      firstSeq = first && JSON.parse(first.canonical).seq;
    } catch {
      firstSeq = undefined;
    }
    if (!first || firstSeq !== state.head.seq) {
      return fail(
        `truncated: ${where} but the server no longer serves record #${state.head.seq}`,
      );
    }
    if (first.hash !== state.head.hash) {
      return fail(
        `head replaced: ${where} but record #${
          state.head.seq
        } is now ${first.hash.slice(0, 16)}…`,
      );
    }
    // the served hash field is the server's word: the bytes must hash to it
    const recomputed = recordHashFromBytes(utf8Encode(first.canonical));
    if (recomputed !== state.head.hash) {
      return fail(
        `head replaced: ${where} but the bytes served for record #${
          state.head.seq
        } hash to ${recomputed.slice(0, 16)}…`,
      );
    }
  }
  // 2. the checkpoint (fetched after the records, so it covers them)
  const key = options.pinnedKey?.trim() ?? state.verifierKey;
  const [note, publicKey] = await Promise.all([
    api.getCheckpointNote(),
    api.getPublicKey(),
  ]);
  if (!options.pinnedKey && publicKey.verifierKey !== state.verifierKey) {
    return fail(
      `the log's signing key changed since ${state.verifiedAt} (was ${state.verifierKey}, now ${publicKey.verifierKey})`,
    );
  }
  let cp: Required<Checkpoint>;
  try {
    cp = parseCheckpoint(openNote(note, [key]).text);
  } catch (e) {
    return fail(`the checkpoint does not verify: ${(e as Error).message}`);
  }
  if (cp.origin !== state.origin) {
    return fail(`the checkpoint names log ${cp.origin}, not ${state.origin}`);
  }
  // the proofs this run needs, fetched together (one round trip)
  const coveredNow = records.filter(r => r.leafIndex < cp.treeSize);
  const newest = coveredNow[coveredNow.length - 1];
  const settle = <T>(p: Promise<T>) => {
    p.catch(() => undefined); // surfaced where awaited
    return p;
  };
  const consistencyP =
    cp.treeSize > state.treeSize && state.treeSize > 0
      ? settle(api.getConsistencyProof(state.treeSize, cp.treeSize))
      : undefined;
  const inclusionP = newest
    ? settle(api.getInclusionProof(newest.leafIndex, cp.treeSize))
    : undefined;
  const headProofP = parseHeadsExtension(cp.extensions)
    ? settle(api.getHeadProof(state.entityRef, cp.treeSize))
    : undefined;
  // 3. append-only since the remembered checkpoint
  if (cp.treeSize < state.treeSize) {
    return fail(
      `the log shrank: tree size ${cp.treeSize} < ${state.treeSize} verified on ${state.verifiedAt}`,
    );
  }
  try {
    if (cp.treeSize === state.treeSize) {
      if (toBase64(cp.rootHash) !== state.rootHash) {
        throw new Error(`same tree size ${cp.treeSize}, different root`);
      }
    } else if (consistencyP) {
      const proof = await consistencyP;
      verifyConsistency(
        {
          size1: state.treeSize,
          size2: cp.treeSize,
          root1: fromBase64(state.rootHash),
          root2: cp.rootHash,
          proof: proof.hashes.map(h => fromBase64(h)),
        },
        nativeHash.hash,
      );
    }
  } catch (e) {
    return fail(
      `the log is not an append-only extension of the checkpoint verified on ${
        state.verifiedAt
      } (tree size ${state.treeSize}): ${(e as Error).message}`,
    );
  }
  // records the checkpoint does not cover yet wait for the next run
  const covered = coveredNow;
  // 4. the new records, linked to the remembered head
  const chain = verifyChain(covered, {
    expectedFirstSeq: (state.head?.seq ?? 0) + 1,
    previousHash: state.head?.hash ?? null,
    entityRef: state.entityRef,
    hash: nativeHash.hash,
    hashHex: nativeHash.hashHex,
  });
  if (!chain.ok) {
    return fail(
      `record #${chain.firstBad.seq} (${chain.firstBad.hash}): ${chain.firstBad.reason}`,
    );
  }
  const last = covered[covered.length - 1];
  const head = last
    ? {
        seq: (state.head?.seq ?? 0) + covered.length,
        hash: last.hash,
        leafIndex: last.leafIndex,
      }
    : state.head;
  // 5. the new head is in the signed log
  if (last) {
    try {
      const proof = await inclusionP!;
      verifyInclusion(
        {
          leafIndex: last.leafIndex,
          treeSize: cp.treeSize,
          leafHash: nativeHash.leafHashOf(last.canonical),
          proof: proof.hashes.map(h => fromBase64(h)),
          rootHash: cp.rootHash,
        },
        nativeHash.hash,
      );
    } catch (e) {
      if (e instanceof CliError) throw e;
      return fail(
        `record #${head!.seq} is not included in the signed checkpoint: ${
          (e as Error).message
        }`,
      );
    }
  }
  // 6. the head the checkpoint commits to is the one served
  let bound = false;
  if (headProofP) {
    try {
      const proof = await headProofP!;
      const committed = verifyHeadProof(
        proof,
        cp,
        state.entityRef,
        nativeHash.hash,
      );
      const mismatch = compareHead(committed, head ?? undefined);
      if (mismatch) return fail(mismatch.message);
      bound = true;
    } catch (e) {
      if (e instanceof CliError) throw e;
      return fail((e as Error).message);
    }
  }
  const next: VerifyState = {
    ...state,
    verifierKey: key,
    treeSize: cp.treeSize,
    rootHash: toBase64(cp.rootHash),
    head: head ?? null,
    verifiedAt: new Date().toISOString(),
  };
  ctx.out(
    `Evidence of ${state.entityRef}, re-verified from the remembered head`,
  );
  ctx.out(
    `  log:        ${cp.origin} (tree size ${state.treeSize} → ${cp.treeSize}, consistent)`,
  );
  ctx.out(
    `  chain:      ${covered.length} new records after #${
      state.head?.seq ?? 0
    }, head #${head?.seq ?? 0}${
      bound ? ' (the head the checkpoint commits to)' : ''
    }`,
  );
  ctx.out(
    `OK: all ${head?.seq ?? 0} records of ${state.entityRef} verify (${
      covered.length
    } checked now, the rest on ${state.verifiedAt}).`,
  );
  return { ok: true, state: next };
}
