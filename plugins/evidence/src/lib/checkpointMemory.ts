import { normalizeEntityRef } from '@assay/plugin-evidence-common';

/**
 * What this browser remembers about the last log checkpoint it verified, so
 * the next visit can demand a consistency proof (the log only ever grew) and
 * notice a changed signing key.
 *
 * Kept in the browser's own localStorage on purpose: Backstage's StorageApi
 * may be backed by the server, and the server is what we are checking.
 *
 * Entries are keyed by what the viewer asked for (see {@link entityMemoryKey}
 * and {@link LOG_MEMORY_KEY}), never by anything the server sends: keyed by
 * the checkpoint's origin, a server that changed its origin together with its
 * key would look like a first visit.
 */
export interface SeenCheckpoint {
  /** the checkpoint's origin, as signed (informational, not the key) */
  origin: string;
  treeSize: number;
  /** base64 */
  rootHash: string;
  verifierKey: string;
  /** ISO time this browser verified it */
  seenAt: string;
  /** the entity's newest record this browser verified (absent for the log page) */
  head?: { seq: number; hash: string };
}

export interface CheckpointMemory {
  get(key: string): SeenCheckpoint | undefined;
  set(key: string, checkpoint: SeenCheckpoint): void;
}

/** Memory key of the last checkpoint this browser verified for an entity. */
export function entityMemoryKey(entityRef: string): string {
  let ref = entityRef;
  try {
    ref = normalizeEntityRef(entityRef);
  } catch {
    // keep as given
  }
  // Backstage compares entity refs case-insensitively
  return `entity:${ref.toLocaleLowerCase('en-US')}`;
}

/** Memory key of the log page (the whole log this backend serves). */
export const LOG_MEMORY_KEY = 'log';

const PREFIX = 'assay.evidence.checkpoint:';

function isSeenCheckpoint(v: unknown): v is SeenCheckpoint {
  const c = v as SeenCheckpoint;
  return (
    !!c &&
    typeof c.origin === 'string' &&
    Number.isSafeInteger(c.treeSize) &&
    typeof c.rootHash === 'string' &&
    typeof c.verifierKey === 'string' &&
    typeof c.seenAt === 'string' &&
    (c.head === undefined ||
      (Number.isSafeInteger(c.head?.seq) && typeof c.head?.hash === 'string'))
  );
}

/** localStorage-backed memory; degrades to remembering nothing if storage is unavailable. */
export function createLocalCheckpointMemory(
  storage: Storage | undefined = globalThis.localStorage,
): CheckpointMemory {
  return {
    get(key) {
      try {
        const raw = storage?.getItem(PREFIX + key);
        const parsed = raw ? JSON.parse(raw) : undefined;
        return isSeenCheckpoint(parsed) ? parsed : undefined;
      } catch {
        return undefined;
      }
    },
    set(key, checkpoint) {
      try {
        storage?.setItem(PREFIX + key, JSON.stringify(checkpoint));
      } catch {
        // private mode / quota: verification still works, only memory is lost
      }
    },
  };
}

/** In-memory implementation, for tests and for callers that opt out of persistence. */
export function createInMemoryCheckpointMemory(
  initial: Array<[string, SeenCheckpoint]> = [],
): CheckpointMemory {
  const map = new Map(initial);
  return {
    get: key => map.get(key),
    set: (key, c) => {
      map.set(key, c);
    },
  };
}
