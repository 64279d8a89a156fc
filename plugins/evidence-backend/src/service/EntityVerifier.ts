import { ChainVerification } from '@assay/plugin-evidence-common';
import { DatabaseEvidenceStore } from '../store/DatabaseEvidenceStore';
import { nativeSha256Hex } from '../store/nodeHash';
import { VerifyWorker } from './verifyWorker';

/**
 * Records per database page and per worker batch. Small: on SQLite a page
 * is read synchronously on the event loop (about 1.5 ms for 250 records),
 * and every page is copied to the worker.
 */
export const VERIFY_PAGE = 250;

/** The verified head is persisted at most this often during a run (and at its end). */
const PERSIST_EVERY_MS = 1000;

/** What `/verify` answers: the chain verdict plus where this run started. */
export type EntityVerification = ChainVerification & {
  /** seq of the persisted verified head this run continued from (0: from the start) */
  verifiedFrom: number;
};

/**
 * Server-side verification with bounded cost per request. Per entity it
 * persists the newest record verified so far (`evidence_verified_heads`);
 * a run first checks that this record is still stored with the same bytes
 * and hash, then verifies only the records after it — the full verifyChain
 * check plus the stored leaf hash of each — linked to it, in pages of 1,000
 * read by keyset and checked in a worker thread, advancing the persisted
 * head after each page (an interrupted run resumes). Concurrent requests for
 * one entity share one run.
 *
 * What a run does not re-check is the prefix it verified before: rewriting
 * those stored bytes is caught by the chain link of the verified head (its
 * bytes are re-hashed each run), by the signed checkpoints and by the global
 * audit task, which re-hashes every record in bounded batches.
 */
export class EntityVerifier {
  private readonly inFlight = new Map<string, Promise<EntityVerification>>();

  constructor(
    private readonly store: DatabaseEvidenceStore,
    private readonly worker: VerifyWorker,
  ) {}

  close(): Promise<void> {
    return this.worker.close();
  }

  verify(entityRef: string): Promise<EntityVerification> {
    let run = this.inFlight.get(entityRef);
    if (!run) {
      run = this.run(entityRef).finally(() => this.inFlight.delete(entityRef));
      this.inFlight.set(entityRef, run);
    }
    return run;
  }

  private async run(entityRef: string): Promise<EntityVerification> {
    const verified = await this.store.getVerifiedHead(entityRef);
    let seq = 0;
    let previousHash: string | null = null;
    if (verified) {
      const row = await this.store.getBySeq(entityRef, verified.seq);
      let problem: string | undefined;
      if (!row) problem = 'is missing';
      else if (
        row.hash !== verified.hash ||
        nativeSha256Hex(row.canonical) !== verified.hash
      ) {
        problem = 'was changed';
      }
      if (problem) {
        return {
          ok: false,
          checked: 0,
          verifiedFrom: verified.seq,
          firstBad: {
            seq: verified.seq,
            hash: verified.hash,
            reason: `record #${verified.seq}, verified on ${verified.verifiedAt}, ${problem} (expected hash ${verified.hash}): the stored chain was truncated or rewritten`,
          },
        };
      }
      seq = verified.seq;
      previousHash = verified.hash;
    }
    const verifiedFrom = seq;
    // persisted after each second of work and at the end: an interrupted
    // run resumes from there
    let verifiedHead:
      | { seq: number; hash: string; leafIndex: number }
      | undefined;
    let persistedAt = Date.now();
    let page = this.store.recordsAfter(entityRef, seq, VERIFY_PAGE);
    for (;;) {
      const rows = await page;
      if (!rows.length) break;
      // read the next page while the worker checks this one
      const last = rows[rows.length - 1];
      page =
        rows.length === VERIFY_PAGE
          ? this.store.recordsAfter(entityRef, last.seq, VERIFY_PAGE)
          : Promise.resolve([]);
      page.catch(() => undefined); // surfaced when awaited
      const result = await this.worker.verify({
        records: rows.map(r => ({
          hash: r.hash,
          canonical: r.canonical,
          leafIndex: r.leafIndex,
          leafHash: r.leafHash,
        })),
        options: { expectedFirstSeq: seq + 1, previousHash, entityRef },
      });
      if (!result.ok) {
        if (verifiedHead) {
          await this.store.putVerifiedHead(entityRef, verifiedHead);
        }
        return { ...result, checked: seq + result.checked, verifiedFrom };
      }
      seq += rows.length;
      previousHash = last.hash;
      verifiedHead = { seq, hash: last.hash, leafIndex: last.leafIndex };
      if (Date.now() - persistedAt >= PERSIST_EVERY_MS) {
        await this.store.putVerifiedHead(entityRef, verifiedHead);
        persistedAt = Date.now();
        verifiedHead = undefined;
      }
    }
    if (verifiedHead) {
      await this.store.putVerifiedHead(entityRef, verifiedHead);
    }
    return { ok: true, checked: seq, headHash: previousHash, verifiedFrom };
  }
}
