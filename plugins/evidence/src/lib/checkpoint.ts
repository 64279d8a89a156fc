import {
  fromBase64,
  leafHash,
  openNote,
  parseCheckpoint,
  toBase64,
  utf8Encode,
  verifyInclusion,
} from '@assay/plugin-evidence-common';
import { EvidenceApi } from '../api/EvidenceApi';
import { StoredRecord } from '../api/types';

/** A checkpoint whose Ed25519 signature this browser has checked. */
export interface VerifiedCheckpoint {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
  rootHashBase64: string;
  /** the checkpoint's signed extension lines (e.g. the heads line) */
  extensions: string[];
  /** the signed note as served */
  note: string;
  verifierKey: string;
  /** where the trusted key came from: pinned in app config, or served by the backend */
  keySource: 'config' | 'server';
  verifiedBy: string[];
}

/** Thrown when the checkpoint or its signature cannot be trusted. */
export class CheckpointTrustError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointTrustError';
  }
}

/**
 * Fetches the latest checkpoint and checks its signature in the browser.
 * With `pinnedKeys` (from app config) only those keys are trusted; otherwise
 * the backend's published key is used (trust on first use — the caller
 * compares it with the key this browser saw before).
 */
export async function fetchVerifiedCheckpoint(options: {
  api: EvidenceApi;
  pinnedKeys?: string[];
}): Promise<VerifiedCheckpoint> {
  const { api, pinnedKeys } = options;
  const [note, publicKey] = await Promise.all([
    api.getCheckpoint(),
    api.getPublicKey(),
  ]);
  const keySource = pinnedKeys?.length ? 'config' : 'server';
  const keys = pinnedKeys?.length ? pinnedKeys : [publicKey.verifierKey];
  let opened;
  try {
    opened = openNote(note, keys);
  } catch (e) {
    throw new CheckpointTrustError(
      `the log checkpoint's signature does not verify (${
        (e as Error).message
      })`,
    );
  }
  let cp;
  try {
    cp = parseCheckpoint(opened.text);
  } catch (e) {
    throw new CheckpointTrustError(
      `the signed checkpoint is malformed (${(e as Error).message})`,
    );
  }
  if (cp.origin !== publicKey.origin) {
    throw new CheckpointTrustError(
      `the checkpoint names log "${cp.origin}" but the backend serves "${publicKey.origin}"`,
    );
  }
  return {
    origin: cp.origin,
    treeSize: cp.treeSize,
    rootHash: cp.rootHash,
    rootHashBase64: toBase64(cp.rootHash),
    extensions: cp.extensions,
    note,
    verifierKey: keys.length === 1 ? keys[0] : publicKey.verifierKey,
    keySource,
    verifiedBy: opened.verifiedBy,
  };
}

/** Outcome of checking one record against a verified checkpoint. */
export interface InclusionCheck {
  leafIndex: number;
  treeSize: number;
  /** base64 proof hashes, bottom-up */
  hashes: string[];
}

/**
 * Verifies that the record's canonical bytes are leaf `leafIndex` of the
 * checkpointed tree. Throws a ProofError (from evidence-common) when not.
 * The caller must make sure `record.leafIndex < checkpoint.treeSize`.
 */
export async function verifyRecordInclusion(options: {
  api: EvidenceApi;
  record: Pick<StoredRecord, 'leafIndex' | 'canonical'>;
  checkpoint: VerifiedCheckpoint;
}): Promise<InclusionCheck> {
  const { api, record, checkpoint } = options;
  const proof = await api.getInclusionProof({
    leafIndex: record.leafIndex,
    treeSize: checkpoint.treeSize,
  });
  const hashes = Array.isArray(proof.hashes) ? proof.hashes : [];
  verifyInclusion({
    leafIndex: record.leafIndex,
    treeSize: checkpoint.treeSize,
    leafHash: leafHash(utf8Encode(record.canonical)),
    proof: hashes.map(h => fromBase64(h)),
    rootHash: checkpoint.rootHash,
  });
  return {
    leafIndex: record.leafIndex,
    treeSize: checkpoint.treeSize,
    hashes,
  };
}
