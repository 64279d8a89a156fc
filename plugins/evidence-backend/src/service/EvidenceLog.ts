import { LoggerService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  formatCheckpoint,
  generateSignerKey,
  inclusionProof,
  consistencyProof,
  verifierKeyFromSignerKey,
  signNote,
  subtreeHash,
  toBase64,
  EvidenceBundle,
  parseCheckpoint,
} from '@assay/plugin-evidence-common';
import { DatabaseEvidenceStore } from '../store/DatabaseEvidenceStore';
import { EntityVerifier } from './EntityVerifier';
import { VerifyWorker } from './verifyWorker';
import { IncrementalHeadsTree } from './headsTree';
import { nativeSha256 } from '../store/nodeHash';
import { nodeEd25519Sign } from './nodeEd25519';
import type { AppendOutcome, PreparedAppend, RecordRow } from '../store/types';
import { EvidenceConfig } from '../config';

/** One request's appends: committed in one transaction, never split. */
interface Pending {
  items: PreparedAppend[];
  /** runs in the append's transaction first (early purge); appended alone */
  prelude?: (tx: Knex.Transaction) => Promise<void>;
  resolve: (o: AppendOutcome[]) => void;
  reject: (e: unknown) => void;
}

const MAX_BATCH = 64;

/** Quiet time after the last append before the log signs its new size. */
const SIGN_WHEN_SETTLED_MS = 50;

/** The longest a flush waits for appends still being prepared (group commit). */
const GROUP_COMMIT_WAIT_MS = 2;

/** Appends between a kept heads tree and a newer size it is updated to (more: rebuilt). */
const MAX_HEADS_INCREMENT = 200_000;

/**
 * The log: batches concurrent appends into single transactions (group
 * commit), signs checkpoints and serves proofs from stored subtree hashes.
 */
export class EvidenceLog {
  private queue: Pending[] = [];
  private flushing = false;
  private signer?: { key: string; verifierKey: string };

  constructor(
    readonly store: DatabaseEvidenceStore,
    private readonly config: EvidenceConfig,
    private readonly logger: LoggerService,
  ) {}

  async init() {
    let key = this.config.signerKey;
    if (!key && process.env.NODE_ENV === 'production') {
      throw new Error(
        'evidence: no checkpoint signing key configured. In production (NODE_ENV=production) the evidence backend refuses to start without one: set ASSAY_EVIDENCE_SIGNING_KEY (config evidence.signing.key) to a key from `assay evidence keygen --origin <origin>`; a key generated into the database would let anyone with database access re-sign a rewritten log.',
      );
    }
    if (!key) {
      const res = await this.store.getOrCreateSignerKey(
        this.config.origin,
        () => generateSignerKey(this.config.origin),
      );
      key = res.key;
      if (res.created) {
        this.logger.warn(
          `evidence: no evidence.signing.key configured; generated a checkpoint signing key for '${this.config.origin}' and stored it in the plugin database. Configure evidence.signing.key in production.`,
        );
      }
    }
    this.signer = { key, verifierKey: verifierKeyFromSignerKey(key) };
  }

  get verifierKey(): string {
    return this.signer!.verifierKey;
  }

  get origin(): string {
    return this.config.origin;
  }

  private readonly appendedListeners: Array<(rows: RecordRow[]) => void> = [];

  /**
   * Calls `listener` after every committed append with the new rows (replays
   * of an idempotency key are not new). Used to publish
   * `assay.evidence.appended` on the events service.
   */
  onAppended(listener: (rows: RecordRow[]) => void) {
    this.appendedListeners.push(listener);
  }

  private notifyAppended(outcomes: AppendOutcome[]) {
    const rows = outcomes.filter(o => !o.replayed).map(o => o.row);
    if (!rows.length) return;
    for (const listener of this.appendedListeners) {
      try {
        listener(rows);
      } catch (e) {
        this.logger.warn(`evidence: appended listener failed: ${e}`);
      }
    }
  }

  /** Append requests being authorized and validated, by ticket (see {@link preparing}). */
  private readonly inPreparation = new Set<number>();
  private nextTicket = 0;

  /**
   * Marks an append request that will call {@link append} soon (it is being
   * authorized and validated). A flush waits for the requests that were
   * being prepared when it started (not for later ones), at most
   * GROUP_COMMIT_WAIT_MS, so that they join its batch: one statement for
   * many appends (group commit). Call the returned function when the
   * request has called `append` or failed (idempotent).
   */
  preparing(): () => void {
    const ticket = this.nextTicket++;
    this.inPreparation.add(ticket);
    return () => {
      if (this.inPreparation.delete(ticket)) this.gathered?.();
    };
  }

  append(
    item: PreparedAppend,
    prelude?: (tx: Knex.Transaction) => Promise<void>,
  ): Promise<AppendOutcome> {
    return this.enqueue([item], prelude).then(out => out[0]);
  }

  /**
   * Appends `items` (one request's records, in order) all or nothing: they
   * are committed in one transaction, possibly with other requests' appends
   * (group commit), and never split, so a failure of one (e.g. an
   * idempotency key reused with other content) stores none of them.
   */
  appendAll(items: PreparedAppend[]): Promise<AppendOutcome[]> {
    if (!items.length) return Promise.resolve([]);
    return this.enqueue(items);
  }

  private enqueue(
    items: PreparedAppend[],
    prelude?: (tx: Knex.Transaction) => Promise<void>,
  ): Promise<AppendOutcome[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ items, prelude, resolve, reject });
      this.queuedItems += items.length;
      this.gathered?.();
      void this.flush();
    });
  }

  /** Appends waiting in {@link queue}. */
  private queuedItems = 0;

  private async flush() {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length) {
        await this.gather();
        // an append with a prelude goes alone, in its own transaction; a
        // batch takes whole requests, up to MAX_BATCH appends (one request
        // of more goes alone)
        let take = 0;
        let count = 0;
        for (const p of this.queue) {
          if (p.prelude && take > 0) break;
          if (take > 0 && count + p.items.length > MAX_BATCH) break;
          take += 1;
          count += p.items.length;
          if (p.prelude) break;
        }
        const batch = this.queue.splice(0, take);
        this.queuedItems -= count;
        await this.commit(batch);
      }
    } finally {
      this.flushing = false;
    }
    this.signWhenSettled();
  }

  /**
   * Appends a batch in one transaction. When it fails (e.g. one request
   * reuses an idempotency key with other content: 409), the failing append
   * is isolated by halving — in order, so seqs and leaves keep the queue's
   * order — which costs about 2·log2(n) transactions instead of one per
   * append, so one bad request cannot make every writer's batch go one by
   * one. Each request gets its own outcome.
   */
  private async commit(batch: Pending[]): Promise<void> {
    try {
      const out = await this.withRetry(() =>
        this.store.appendBatch(
          batch.flatMap(p => p.items),
          undefined,
          batch[0].prelude,
        ),
      );
      let at = 0;
      for (const p of batch) {
        p.resolve(out.slice(at, at + p.items.length));
        at += p.items.length;
      }
      this.notifyAppended(out);
    } catch (e) {
      if (batch.length === 1) {
        batch[0].reject(e);
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await this.commit(batch.slice(0, half));
      await this.commit(batch.slice(half));
    }
  }

  private settleTimer?: ReturnType<typeof setTimeout>;
  private closed = false;

  /**
   * Once appends have settled (no flush for {@link SIGN_WHEN_SETTLED_MS}),
   * the log signs the checkpoint for its new size in the background, so a
   * verifier's request (`/checkpoint`, `/increment`, a bundle) finds it
   * signed instead of signing it (heads tree update, root check, Ed25519,
   * three statements). Continuous appends postpone it; nothing waits for it.
   */
  private signWhenSettled() {
    if (this.closed || !this.signer) return;
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      if (this.flushing || this.queue.length || this.closed) return;
      this.checkpoint().catch(e =>
        this.logger.warn(
          `evidence: signing the checkpoint after appends failed (a request signs it instead): ${e}`,
        ),
      );
    }, SIGN_WHEN_SETTLED_MS);
    this.settleTimer.unref?.();
  }

  /** Called when an append is queued or a prepared request is done, while a flush gathers. */
  private gathered?: () => void;

  /**
   * Group commit: waits (without spinning) until the append requests that
   * were being prepared when it started have been queued or failed, the
   * batch is full, or GROUP_COMMIT_WAIT_MS passed.
   */
  private gather(): Promise<void> {
    const before = this.nextTicket; // requests being prepared now, not later ones
    const waiting = () => {
      if (this.queuedItems >= MAX_BATCH) return false;
      for (const t of this.inPreparation) if (t < before) return true;
      return false;
    };
    if (!waiting()) return Promise.resolve();
    return new Promise<void>(resolve => {
      let timer: ReturnType<typeof setTimeout> | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        this.gathered = undefined;
        resolve();
      };
      timer = setTimeout(done, GROUP_COMMIT_WAIT_MS);
      this.gathered = () => {
        if (!waiting()) done();
      };
    });
  }

  /** Retries on serialization failures and deadlocks (appends hold one row lock, so these are rare). */
  private async withRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e: any) {
        const code = String(e?.code ?? '');
        const retriable =
          code === '40001' || code === '40P01' || code === 'SQLITE_BUSY';
        if (!retriable || attempt >= 5) throw e;
        await new Promise(r =>
          setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)),
        );
      }
    }
  }

  /** Signings in progress by tree size: concurrent requests share one. */
  private signing = new Map<
    number,
    Promise<{ treeSize: number; rootHash: string; note: string }>
  >();

  /**
   * The signed checkpoint for the current tree: stored, else signed now
   * (once per size in this process, whoever asks), stored and returned.
   */
  async checkpoint(): Promise<{
    treeSize: number;
    rootHash: string;
    note: string;
  }> {
    const { treeSize, rootHash } = await this.store.getLogState();
    const existing = await this.store.getCheckpoint(treeSize);
    if (existing) return { treeSize, rootHash, note: existing };
    let signing = this.signing.get(treeSize);
    if (!signing) {
      signing = this.sign(treeSize, rootHash).finally(() =>
        this.signing.delete(treeSize),
      );
      this.signing.set(treeSize, signing);
    }
    return signing;
  }

  private async sign(
    treeSize: number,
    rootHash: string,
  ): Promise<{ treeSize: number; rootHash: string; note: string }> {
    // Never sign a root that the stored (WORM) tree nodes do not produce.
    const recomputed =
      treeSize === 0
        ? rootHash
        : Buffer.from(
            await this.store.withNodes(lookup =>
              subtreeHash(0, treeSize, lookup, nativeSha256),
            ),
          ).toString('hex');
    if (recomputed !== rootHash) {
      throw new Error(
        `evidence: refusing to sign checkpoint: stored root ${rootHash} for tree size ${treeSize} does not match the Merkle tree nodes (${recomputed})`,
      );
    }
    const body = formatCheckpoint({
      origin: this.config.origin,
      treeSize,
      rootHash: Buffer.from(rootHash, 'hex'),
      // commits every entity's newest record at this size (see heads.ts)
      extensions: [(await this.headsTree(treeSize)).extension()],
    });
    const note = signNote(body, this.signer!.key, nodeEd25519Sign);
    await this.store.putCheckpoint(treeSize, note, new Date().toISOString());
    return {
      treeSize,
      rootHash,
      note: (await this.store.getCheckpoint(treeSize))!,
    };
  }

  private headsTrees = new Map<number, Promise<IncrementalHeadsTree>>();

  /** Head proofs for tree sizes this far behind the log (and not kept) are refused. */
  maxHeadsLag = MAX_HEADS_INCREMENT;

  /**
   * The heads tree at `treeSize` (≤ the committed size), kept for the last
   * 8 sizes. From the newest kept tree at or below that size it is updated
   * with the heads that changed in between (O(appends since + changed ·
   * log entities)); otherwise built from `evidence_heads` (O(entities)).
   * Either way hashing yields to the event loop every 2,048 hashes.
   */
  headsTree(treeSize: number): Promise<IncrementalHeadsTree> {
    let tree = this.headsTrees.get(treeSize);
    if (!tree) {
      let baseSize = -1;
      for (const size of this.headsTrees.keys()) {
        if (size <= treeSize && size > baseSize) baseSize = size;
      }
      const base =
        baseSize >= 0 && treeSize - baseSize <= MAX_HEADS_INCREMENT
          ? this.headsTrees.get(baseSize)
          : undefined;
      tree = (async () => {
        const from = base && (await base.catch(() => undefined));
        if (from) {
          return from.update(
            await this.store.headChangesBetween(baseSize, treeSize),
          );
        }
        return IncrementalHeadsTree.build(await this.store.headsAt(treeSize));
      })();
      tree.catch(() => this.headsTrees.delete(treeSize));
      this.headsTrees.set(treeSize, tree);
      while (this.headsTrees.size > 8) {
        this.headsTrees.delete(this.headsTrees.keys().next().value!);
      }
    }
    return tree;
  }

  /** The entity's head proof in the heads tree of the checkpoint at `treeSize`. */
  async headProof(entityRef: string, treeSize: number) {
    await this.checkSize(treeSize, 'treeSize');
    if (!this.headsTrees.has(treeSize)) {
      // bounded: rebuilding the tree of an old size costs the appends since
      const { treeSize: current } = await this.store.getLogState();
      if (current - treeSize > this.maxHeadsLag) {
        throw new InputError(
          `treeSize: ${treeSize} is more than ${this.maxHeadsLag} leaves behind the log (${current}); verify against a newer checkpoint (GET /v1/checkpoint, then a consistency proof from the one you hold)`,
        );
      }
    }
    return (await this.headsTree(treeSize)).proof(entityRef, treeSize);
  }

  private async checkSize(treeSize: number, field: string) {
    // the log only grows: a size this process has seen committed is valid
    if (
      Number.isSafeInteger(treeSize) &&
      treeSize >= 0 &&
      treeSize <= this.store.knownTreeSize
    ) {
      return;
    }
    const { treeSize: current } = await this.store.getLogState();
    if (!Number.isSafeInteger(treeSize) || treeSize < 0 || treeSize > current) {
      throw new InputError(
        `${field} must be an integer between 0 and the current tree size ${current}`,
      );
    }
  }

  async inclusion(leafIndex: number, treeSize: number) {
    await this.checkSize(treeSize, 'treeSize');
    if (
      !Number.isSafeInteger(leafIndex) ||
      leafIndex < 0 ||
      leafIndex >= treeSize
    ) {
      throw new InputError(
        `leafIndex must be an integer with 0 <= leafIndex < treeSize (${treeSize})`,
      );
    }
    const [proof, root] = await this.store.withNodes(
      lookup =>
        [
          inclusionProof(leafIndex, treeSize, lookup, nativeSha256),
          subtreeHash(0, treeSize, lookup, nativeSha256),
        ] as const,
    );
    return {
      leafIndex,
      treeSize,
      rootHash: toBase64(root),
      hashes: proof.map(h => toBase64(h)),
    };
  }

  async consistency(from: number, to: number) {
    await this.checkSize(to, 'to');
    if (!Number.isSafeInteger(from) || from < 1 || from > to) {
      throw new InputError(
        `from must be an integer with 1 <= from <= to (${to})`,
      );
    }
    const [proof, root] = await this.store.withNodes(
      lookup =>
        [
          consistencyProof(from, to, lookup, nativeSha256),
          subtreeHash(0, to, lookup, nativeSha256),
        ] as const,
    );
    return {
      from,
      to,
      rootHash: toBase64(root),
      hashes: proof.map(h => toBase64(h)),
    };
  }

  /** Server-side verification from the persisted verified head (see EntityVerifier): suffix only, in a worker thread. */
  async verifyEntity(entityRef: string) {
    this.verifier ??= new EntityVerifier(
      this.store,
      new VerifyWorker(message => this.logger.warn(message)),
    );
    return this.verifier.verify(entityRef);
  }

  private verifier?: EntityVerifier;

  /** Stops the verification worker thread (plugin shutdown). */
  async close() {
    this.closed = true;
    if (this.settleTimer) clearTimeout(this.settleTimer);
    await this.verifier?.close();
  }

  /** Everything needed to verify an entity's evidence offline. */
  async bundle(entityRef: string): Promise<EvidenceBundle> {
    const rows = await this.store.allForEntity(entityRef);
    if (!rows.length) {
      throw new NotFoundError(`No evidence recorded for ${entityRef}`);
    }
    const cp = await this.checkpoint();
    const proofs = await this.store.withNodes(lookup =>
      rows.map(r =>
        inclusionProof(r.leafIndex, cp.treeSize, lookup, nativeSha256),
      ),
    );
    return {
      version: 1,
      entityRef,
      origin: this.config.origin,
      publicKey: this.verifierKey,
      checkpoint: cp.note,
      ...(hasHeads(cp.note)
        ? { headProof: await this.headProof(entityRef, cp.treeSize) }
        : {}),
      records: rows.map((r: RecordRow, i) => ({
        leafIndex: r.leafIndex,
        hash: r.hash,
        canonical: r.canonical,
        inclusionProof: proofs[i].map(h => toBase64(h)),
      })),
    };
  }
}

/** Whether a signed checkpoint carries the heads extension (newer ones do). */
function hasHeads(note: string): boolean {
  const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
  return parseCheckpoint(text).extensions.some(l =>
    l.startsWith('assay-heads/'),
  );
}
