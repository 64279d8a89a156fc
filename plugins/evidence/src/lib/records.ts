import { StoredRecord } from '../api/types';

/**
 * The record with `envelope` taken from its canonical bytes — what the hash
 * covers — so the UI never shows facts the server sent alongside but did not
 * hash. Left unchanged when the bytes are not JSON (the integrity check
 * reports that record).
 */
export function withCanonicalEnvelope(record: StoredRecord): StoredRecord {
  try {
    const envelope = JSON.parse(record.canonical);
    if (envelope && typeof envelope === 'object' && !Array.isArray(envelope)) {
      return { ...record, envelope };
    }
  } catch {
    // fall through
  }
  return record;
}
