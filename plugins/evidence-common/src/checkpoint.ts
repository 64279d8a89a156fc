import { fromBase64, toBase64 } from './bytes';
import { NoteError } from './noteError';

/**
 * A C2SP tlog-checkpoint body.
 *
 * @public
 */
export type Checkpoint = {
  /** Unique identity of the log, e.g. `assay.example.com/evidence`. */
  origin: string;
  treeSize: number;
  /** The 32-byte RFC 6962 root hash. */
  rootHash: Uint8Array;
  /** Optional extension lines (opaque, non-empty). */
  extensions?: string[];
};

const isLine = (s: string) => s.length > 0 && !s.includes('\n');

/**
 * Formats a checkpoint body:
 * `<origin>\n<treeSize>\n<base64 rootHash>\n[extension lines]`, each line
 * ending with a newline (ready for {@link signNote}).
 *
 * @public
 */
export function formatCheckpoint(cp: Checkpoint): string {
  const extensions = cp.extensions ?? [];
  if (!isLine(cp.origin) || !extensions.every(isLine)) {
    throw new NoteError(
      'checkpoint origin and extensions must be non-empty single lines',
    );
  }
  if (!Number.isSafeInteger(cp.treeSize) || cp.treeSize < 0) {
    throw new NoteError(
      'checkpoint treeSize must be a non-negative safe integer',
    );
  }
  if (cp.rootHash.length !== 32) {
    throw new NoteError('checkpoint rootHash must be 32 bytes');
  }
  const lines = [
    cp.origin,
    String(cp.treeSize),
    toBase64(cp.rootHash),
    ...extensions,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Parses a checkpoint body (the text of an opened note), strictly: a decimal
 * tree size without leading zeros, a base64 32-byte root and no empty lines.
 * Throws a {@link NoteError} when malformed.
 *
 * @public
 */
export function parseCheckpoint(text: string): Required<Checkpoint> {
  if (!text.endsWith('\n')) {
    throw new NoteError('malformed checkpoint: must end with a newline');
  }
  const [origin, size, root, ...extensions] = text.slice(0, -1).split('\n');
  if (root === undefined) {
    throw new NoteError(
      'malformed checkpoint: needs origin, size and root lines',
    );
  }
  if (!isLine(origin) || !extensions.every(isLine)) {
    throw new NoteError('malformed checkpoint: empty line');
  }
  const treeSize = Number(size);
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(treeSize)) {
    throw new NoteError(
      `malformed checkpoint: invalid tree size ${JSON.stringify(size)}`,
    );
  }
  let rootHash: Uint8Array;
  try {
    rootHash = fromBase64(root);
  } catch {
    throw new NoteError('malformed checkpoint: root hash is not base64');
  }
  if (rootHash.length !== 32) {
    throw new NoteError('malformed checkpoint: root hash must be 32 bytes');
  }
  return { origin, treeSize, rootHash, extensions };
}
