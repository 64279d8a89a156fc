/**
 * What this browser remembers about the last log checkpoint it verified, so
 * the next visit can demand a consistency proof (the log only ever grew) and
 * notice a changed signing key.
 *
 * Kept in the browser's own localStorage on purpose: Backstage's StorageApi
 * may be backed by the server, and the server is what we are checking.
 */
export interface SeenCheckpoint {
  origin: string;
  treeSize: number;
  /** base64 */
  rootHash: string;
  verifierKey: string;
  /** ISO time this browser verified it */
  seenAt: string;
}

export interface CheckpointMemory {
  get(origin: string): SeenCheckpoint | undefined;
  set(checkpoint: SeenCheckpoint): void;
}

const PREFIX = 'assay.evidence.checkpoint:';

function isSeenCheckpoint(v: unknown): v is SeenCheckpoint {
  const c = v as SeenCheckpoint;
  return (
    !!c &&
    typeof c.origin === 'string' &&
    Number.isSafeInteger(c.treeSize) &&
    typeof c.rootHash === 'string' &&
    typeof c.verifierKey === 'string' &&
    typeof c.seenAt === 'string'
  );
}

/** localStorage-backed memory; degrades to remembering nothing if storage is unavailable. */
export function createLocalCheckpointMemory(
  storage: Storage | undefined = globalThis.localStorage,
): CheckpointMemory {
  return {
    get(origin) {
      try {
        const raw = storage?.getItem(PREFIX + origin);
        const parsed = raw ? JSON.parse(raw) : undefined;
        return isSeenCheckpoint(parsed) && parsed.origin === origin
          ? parsed
          : undefined;
      } catch {
        return undefined;
      }
    },
    set(checkpoint) {
      try {
        storage?.setItem(
          PREFIX + checkpoint.origin,
          JSON.stringify(checkpoint),
        );
      } catch {
        // private mode / quota: verification still works, only memory is lost
      }
    },
  };
}

/** In-memory implementation, for tests and for callers that opt out of persistence. */
export function createInMemoryCheckpointMemory(
  initial: SeenCheckpoint[] = [],
): CheckpointMemory {
  const map = new Map(initial.map(c => [c.origin, c]));
  return {
    get: origin => map.get(origin),
    set: c => {
      map.set(c.origin, c);
    },
  };
}
