import { EvidenceEnvelope, StoredRecord } from '../api/types';

/**
 * A record as the UI shows it: `envelope` comes from the canonical bytes, so
 * only hashed facts are ever displayed. `unreadable` is set (with the reason)
 * when those bytes are not a JSON object; then `envelope` holds no facts at
 * all and the row and drawer say the record is broken.
 */
export type DisplayRecord = StoredRecord & { unreadable?: string };

/** Stand-in for an unreadable record's envelope: nothing the server sent. */
const NO_ENVELOPE: EvidenceEnvelope = {
  v: 1,
  entityRef: '',
  seq: Number.NaN,
  category: '',
  summary: {},
  payloadDigest: null,
  artifacts: [],
  producer: '',
  producedAt: '',
  recordedAt: '',
  previousHash: null,
};

/**
 * The record with `envelope` taken from its canonical bytes — what the hash
 * covers — so the UI never shows facts the server sent alongside but did not
 * hash. When the bytes are not a JSON object, the server's `envelope` is
 * dropped too and the record is flagged `unreadable`.
 */
export function withCanonicalEnvelope(record: StoredRecord): DisplayRecord {
  try {
    const envelope = JSON.parse(record.canonical);
    if (envelope && typeof envelope === 'object' && !Array.isArray(envelope)) {
      return { ...record, envelope };
    }
  } catch {
    // not JSON
  }
  return {
    ...record,
    envelope: NO_ENVELOPE,
    unreadable:
      'unreadable canonical bytes: the hashed text is not a JSON envelope',
  };
}
