/**
 * Thrown for malformed signed notes, checkpoints and keys, for notes without
 * a signature from a trusted key, and for invalid signatures.
 *
 * @public
 */
export class NoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoteError';
  }
}
