import { NotFoundError } from '@backstage/errors';
import {
  inclusionProof,
  parseCheckpoint,
  parseHeadsExtension,
  toBase64,
} from '@assay/plugin-evidence-common';
import type { Response } from 'express';
import { nativeSha256 } from '../store/nodeHash';
import type { EvidenceLog } from './EvidenceLog';

/** Records read, proven and written per step. */
export const BUNDLE_PAGE = 1000;

/**
 * Streams an entity's offline bundle: the header (checkpoint, key, head
 * proof) on the first line ending in `"records":[`, then one record with
 * its inclusion proof per line, then `]}`. The whole is one JSON document
 * (any JSON parser reads it); `assay evidence verify` reads it line by line
 * in bounded memory. Records are read by keyset pages of 1,000 and their
 * proofs built per page, written with backpressure: memory stays bounded
 * whatever the entity's history. The bundle is a snapshot at the
 * checkpoint: records appended after it are not included.
 */
export async function streamBundle(
  log: EvidenceLog,
  entityRef: string,
  res: Response,
): Promise<void> {
  const store = log.store;
  let rows = await store.recordsAfter(entityRef, 0, BUNDLE_PAGE);
  if (!rows.length) {
    throw new NotFoundError(`No evidence recorded for ${entityRef}`);
  }
  const cp = await log.checkpoint();
  const text = cp.note.slice(0, cp.note.lastIndexOf('\n\n') + 1);
  const heads = parseHeadsExtension(parseCheckpoint(text).extensions);
  const header = {
    version: 1,
    entityRef,
    origin: log.origin,
    publicKey: log.verifierKey,
    checkpoint: cp.note,
    ...(heads
      ? { headProof: await log.headProof(entityRef, cp.treeSize) }
      : {}),
  };
  res.status(200).type('application/json; charset=utf-8');
  const write = (chunk: string) =>
    new Promise<void>((resolve, reject) => {
      if (res.destroyed) {
        reject(new Error('client went away'));
        return;
      }
      if (res.write(chunk)) resolve();
      else {
        res.once('drain', resolve);
        res.once('close', () => reject(new Error('client went away')));
      }
    });
  try {
    await write(`${JSON.stringify(header).slice(0, -1)},"records":[\n`);
    let first = true;
    for (;;) {
      const covered = rows.filter(r => r.leafIndex < cp.treeSize);
      const proofs = await store.withNodes(lookup =>
        covered.map(r =>
          inclusionProof(r.leafIndex, cp.treeSize, lookup, nativeSha256),
        ),
      );
      let chunk = '';
      for (let i = 0; i < covered.length; i++) {
        const r = covered[i];
        chunk += `${first ? '' : ',\n'}${JSON.stringify({
          leafIndex: r.leafIndex,
          hash: r.hash,
          canonical: r.canonical,
          inclusionProof: proofs[i].map(h => toBase64(h)),
        })}`;
        first = false;
      }
      if (chunk) await write(chunk);
      if (rows.length < BUNDLE_PAGE || covered.length < rows.length) break;
      rows = await store.recordsAfter(
        entityRef,
        rows[rows.length - 1].seq,
        BUNDLE_PAGE,
      );
      if (!rows.length) break;
    }
    await write('\n]}\n');
    res.end();
  } catch (e) {
    // the status line is sent: all we can do is cut the stream short (the
    // document is then invalid JSON, so no reader takes it for complete)
    res.destroy(e as Error);
  }
}
