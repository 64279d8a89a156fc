import { addYears, EvidenceConfig, retentionYears } from '../config';
import { DatabaseEvidenceStore } from '../store/DatabaseEvidenceStore';
import type { RecordRow } from '../store/types';

/** The JSON shape of a stored record served by the API. */
export interface StoredRecordJson {
  envelope: any;
  hash: string;
  leafIndex: number;
  canonical: string;
  payloadPurged: boolean;
  retention: {
    years: number;
    expiresAt: string;
    mode: 'governance' | 'compliance';
    legalHold: boolean;
  };
}

export async function toStoredRecords(
  rows: RecordRow[],
  store: DatabaseEvidenceStore,
  config: EvidenceConfig,
): Promise<StoredRecordJson[]> {
  const envelopes = rows.map(r => JSON.parse(r.canonical));
  const digests = envelopes.flatMap(e => [
    ...(e.payloadDigest ? [e.payloadDigest] : []),
    ...(e.artifacts ?? []).map((a: any) => a.digest),
  ]);
  const purged = await store.purgedDigests([...new Set(digests)]);
  const holds = new Map<string, boolean>();
  for (const ref of new Set(rows.map(r => r.entityRef))) {
    holds.set(ref, Boolean(await store.getLegalHold(ref)));
  }
  return rows.map((r, i) => {
    const e = envelopes[i];
    const years = retentionYears(config, r.category);
    const cited = [
      e.payloadDigest,
      ...(e.artifacts ?? []).map((a: any) => a.digest),
    ].filter(Boolean);
    return {
      envelope: e,
      hash: r.hash,
      leafIndex: r.leafIndex,
      canonical: r.canonical,
      payloadPurged: cited.some((d: string) => purged.has(d)),
      retention: {
        years,
        expiresAt: addYears(r.recordedAt, years),
        mode: config.retention.mode,
        legalHold: holds.get(r.entityRef) ?? false,
      },
    };
  });
}

/**
 * The JSON text of one stored record ({@link StoredRecordJson}) built from
 * its stored bytes: the canonical envelope is valid JSON and is embedded as
 * `envelope` as is, so serving a page neither parses nor re-serializes
 * envelopes.
 */
export function storedRecordText(
  r: RecordRow,
  config: EvidenceConfig,
  state: { payloadPurged: boolean; legalHold: boolean },
): string {
  const years = retentionYears(config, r.category);
  return `{"envelope":${r.canonical},"hash":${JSON.stringify(
    r.hash,
  )},"leafIndex":${r.leafIndex},"canonical":${JSON.stringify(
    r.canonical,
  )},"payloadPurged":${state.payloadPurged},"retention":${JSON.stringify({
    years,
    expiresAt: addYears(r.recordedAt, years),
    mode: config.retention.mode,
    legalHold: state.legalHold,
  })}}`;
}

/**
 * A page of one entity's records as JSON text: which of them cite a purged
 * payload comes from the blob references (one query), legal hold is given.
 */
export async function storedPageText(
  rows: RecordRow[],
  store: DatabaseEvidenceStore,
  config: EvidenceConfig,
  legalHold: boolean,
): Promise<string> {
  const purged = await store.purgedLeaves(rows.map(r => r.leafIndex));
  return `[${rows
    .map(r =>
      storedRecordText(r, config, {
        payloadPurged: purged.has(r.leafIndex),
        legalHold,
      }),
    )
    .join(',')}]`;
}
