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
import { nodeEd25519Verify } from './nodeEd25519';
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
 * Records before the remembered head a returning verifier re-checks (as the
 * browser does): an in-place edit of the newest records it verified before is
 * named, not only one of the remembered head itself.
 */
export const RECHECK_WINDOW = 500;

/** The record's seq as its canonical bytes state it (undefined: unreadable). */
function seqOf(record: { canonical: string }): unknown {
  try {
    return JSON.parse(record.canonical).seq;
  } catch {
    return undefined;
  }
}

/**
 * Re-verifies from the remembered head, with one request (the backend's
 * `/increment`: the records from RECHECK_WINDOW before the remembered head
 * up to the newest one the latest checkpoint covers, that checkpoint and
 * the proofs), and checks (1) that the remembered head is still served with
 * the same bytes, (2) the checkpoint's signature with the pinned key or the
 * remembered one, (3) that it extends the remembered checkpoint (RFC 9162
 * consistency proof), (4) the full verifyChain check of the re-check window
 * and of every new record, the first new one linked to the remembered head,
 * (5) the new head's inclusion in the checkpoint and (6), when the
 * checkpoint commits to entity heads, that its committed head for the
 * entity is the one served (nothing newer hidden, nothing removed). More
 * new records than one increment carries: the same again from the head
 * just verified.
 */
export async function incrementalVerify(
  api: Api,
  state: VerifyState,
  options: { pinnedKey?: string; ctx: CliContext },
): Promise<{ ok: boolean; state: VerifyState }> {
  const started = state;
  let current = state;
  let checkedNow = 0;
  let bound = false;
  for (;;) {
    const step = await incrementOnce(api, current, options);
    if (!step.ok) return { ok: false, state: started };
    checkedNow += step.checked;
    current = step.state;
    bound = step.bound;
    if (step.complete) break;
  }
  const { ctx } = options;
  ctx.out(
    `Evidence of ${current.entityRef}, re-verified from the remembered head`,
  );
  ctx.out(
    `  log:        ${current.origin} (tree size ${started.treeSize} → ${current.treeSize}, consistent)`,
  );
  ctx.out(
    `  chain:      ${checkedNow} new records after #${
      started.head?.seq ?? 0
    }, head #${current.head?.seq ?? 0}${
      current.head && bound ? ' (the head the checkpoint commits to)' : ''
    }${
      started.head
        ? `; records #${Math.max(1, started.head.seq - RECHECK_WINDOW + 1)}–#${
            started.head.seq
          } (verified before) re-checked`
        : ''
    }`,
  );
  ctx.out(
    `OK: all ${current.head?.seq ?? 0} records of ${
      current.entityRef
    } verify (${checkedNow} checked now, the rest on ${started.verifiedAt}).`,
  );
  return { ok: true, state: current };
}

async function incrementOnce(
  api: Api,
  state: VerifyState,
  options: { pinnedKey?: string; ctx: CliContext },
): Promise<
  | { ok: false }
  | {
      ok: true;
      state: VerifyState;
      checked: number;
      complete: boolean;
      bound: boolean;
    }
> {
  const { ctx } = options;
  const fail = (message: string) => {
    ctx.err(`FAILED: ${message}`);
    return { ok: false as const };
  };
  const base = state.head?.seq ?? 0;
  const windowStart = Math.max(1, base - RECHECK_WINDOW + 1);
  const inc = await api.getIncrement(
    state.entityRef,
    base,
    state.treeSize,
    state.head ? base - windowStart + 1 : 0,
  );
  const served = Array.isArray(inc.records) ? inc.records : [];
  // 1. the remembered head (still served, same bytes)
  const atBase = base - windowStart; // its index in `served`
  if (state.head) {
    const where = `the head verified on ${state.verifiedAt} was #${
      state.head.seq
    } (${state.head.hash.slice(0, 16)}…)`;
    const first = served[atBase];
    if (!first || seqOf(first) !== state.head.seq) {
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
    const recomputed = recordHashFromBytes(
      utf8Encode(first.canonical),
      nativeHash.hash,
    );
    if (recomputed !== state.head.hash) {
      return fail(
        `head replaced: ${where} but the bytes served for record #${
          state.head.seq
        } hash to ${recomputed.slice(0, 16)}…`,
      );
    }
  }
  // 2. the checkpoint, with the pinned key or the one remembered
  const key = options.pinnedKey?.trim() ?? state.verifierKey;
  let cp: Required<Checkpoint>;
  try {
    cp = parseCheckpoint(
      openNote(String(inc.checkpoint), [key], nodeEd25519Verify).text,
    );
  } catch (e) {
    if (!options.pinnedKey) {
      const publicKey = await api.getPublicKey();
      if (publicKey.verifierKey !== state.verifierKey) {
        return fail(
          `the log's signing key changed since ${state.verifiedAt} (was ${state.verifierKey}, now ${publicKey.verifierKey})`,
        );
      }
    }
    return fail(`the checkpoint does not verify: ${(e as Error).message}`);
  }
  if (cp.origin !== state.origin) {
    return fail(`the checkpoint names log ${cp.origin}, not ${state.origin}`);
  }
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
    } else if (state.treeSize > 0) {
      if (!Array.isArray(inc.consistency)) {
        throw new Error('no consistency proof was served');
      }
      verifyConsistency(
        {
          size1: state.treeSize,
          size2: cp.treeSize,
          root1: fromBase64(state.rootHash),
          root2: cp.rootHash,
          proof: inc.consistency.map(h => fromBase64(h)),
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
  // 4. the re-check window and the new records: one chain, linked to the
  // remembered head (the window's first record links to what precedes it,
  // verified before; at seq 1 to nothing)
  const recheck = served.slice(0, state.head ? atBase + 1 : 0);
  // records the checkpoint does not cover yet wait for the next run
  const fresh: typeof served = [];
  for (const r of served.slice(recheck.length)) {
    if (!(r.leafIndex < cp.treeSize)) break;
    fresh.push(r);
  }
  const chain = verifyChain([...recheck, ...fresh], {
    expectedFirstSeq: state.head ? windowStart : 1,
    ...(windowStart === 1 || !state.head ? { previousHash: null } : {}),
    entityRef: state.entityRef,
    hash: nativeHash.hash,
    hashHex: nativeHash.hashHex,
  });
  if (!chain.ok) {
    return fail(
      `record #${chain.firstBad.seq} (${chain.firstBad.hash}): ${chain.firstBad.reason}`,
    );
  }
  const last = fresh[fresh.length - 1];
  const head = last
    ? { seq: base + fresh.length, hash: last.hash, leafIndex: last.leafIndex }
    : state.head;
  // 5. the new head is in the signed log
  if (last) {
    try {
      if (!inc.inclusion || inc.inclusion.leafIndex !== last.leafIndex) {
        throw new Error(`no inclusion proof for leaf ${last.leafIndex}`);
      }
      verifyInclusion(
        {
          leafIndex: last.leafIndex,
          treeSize: cp.treeSize,
          leafHash: nativeHash.leafHashOf(last.canonical),
          proof: inc.inclusion.hashes.map(h => fromBase64(h)),
          rootHash: cp.rootHash,
        },
        nativeHash.hash,
      );
    } catch (e) {
      return fail(
        `record #${head!.seq} is not included in the signed checkpoint: ${
          (e as Error).message
        }`,
      );
    }
  }
  // 6. the head the checkpoint commits to is the one served
  let bound = false;
  if (parseHeadsExtension(cp.extensions)) {
    try {
      if (!inc.headProof) throw new Error('no head proof was served');
      const committed = verifyHeadProof(
        inc.headProof,
        cp,
        state.entityRef,
        nativeHash.hash,
      );
      const mismatch = compareHead(committed, head ?? undefined);
      if (mismatch) return fail(mismatch.message);
      bound = true;
    } catch (e) {
      return fail((e as Error).message);
    }
  }
  return {
    ok: true,
    checked: fresh.length,
    bound,
    // a full increment that stopped at the cap: continue from this head
    complete: inc.complete !== false || fresh.length === 0,
    state: {
      ...state,
      verifierKey: key,
      treeSize: cp.treeSize,
      rootHash: toBase64(cp.rootHash),
      head: head ?? null,
      verifiedAt: new Date().toISOString(),
    },
  };
}
