import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  envelopeBytes,
  fromBase64,
  leafHash,
  openNote,
  parseCheckpoint,
  recordHash,
  verifyInclusion,
} from '@assay/plugin-evidence-common';
import type {
  EvidenceService,
  EvidenceStoredRecord,
} from '@assay/plugin-evidence-node';
import { createHash } from 'node:crypto';

/** Verification of one evidence record. */
export interface RecordCheck {
  ok: boolean;
  /** Why not (or what was checked). */
  reason: string;
}

/**
 * What the promotion core needs from the evidence log beyond append/list:
 * a record by hash, the current signed checkpoint and inclusion proofs.
 */
export interface EvidenceLogApi {
  record(hash: string): Promise<EvidenceStoredRecord | undefined>;
  /** The current signed checkpoint (note text) and the log's verifier key. */
  checkpoint(): Promise<{ note: string; verifierKey: string }>;
  inclusion(leafIndex: number, treeSize: number): Promise<{ hashes: string[] }>;
}

/** {@link EvidenceLogApi} over the evidence backend's HTTP API, with the plugin's own credentials. */
export class HttpEvidenceLogApi implements EvidenceLogApi {
  private verifierKey?: string;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
    /** A pinned verifier key (config); else the log's, fetched once. */
    pinnedKey?: string,
  ) {
    this.verifierKey = pinnedKey;
  }

  private async get(path: string): Promise<Response> {
    const baseUrl = await this.discovery.getBaseUrl('evidence');
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: 'evidence',
    });
    return fetch(`${baseUrl}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
  }

  async record(hash: string) {
    if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
    const res = await this.get(`/v1/records/${hash}`);
    if (res.status === 404) return undefined;
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as EvidenceStoredRecord;
  }

  async checkpoint() {
    if (!this.verifierKey) {
      const res = await this.get('/v1/public-key');
      if (!res.ok) throw await ResponseError.fromResponse(res);
      this.verifierKey = (await res.json()).verifierKey as string;
    }
    const res = await this.get('/v1/checkpoint');
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return { note: await res.text(), verifierKey: this.verifierKey! };
  }

  async inclusion(leafIndex: number, treeSize: number) {
    const res = await this.get(
      `/v1/proofs/inclusion?leafIndex=${leafIndex}&treeSize=${treeSize}`,
    );
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as { hashes: string[] };
  }
}

const nativeSha256 = (data: Uint8Array) =>
  new Uint8Array(createHash('sha256').update(data).digest());

/**
 * Reads evidence for promotion decisions and verifies it: a record is
 * verified when its envelope hashes to its hash and an inclusion proof
 * leads to the root of the current checkpoint whose signature verifies
 * with the log's key. Records verified once are remembered (a record
 * included under a signed checkpoint stays included in an append-only log;
 * consistency between checkpoints is the evidence audit's job).
 */
export class PromotionEvidence {
  private readonly included = new Map<string, number>();

  constructor(
    readonly service: EvidenceService,
    readonly log: EvidenceLogApi,
  ) {}

  /**
   * The newest record of each category, never the chain: one bounded read of
   * the newest records of these categories (in CI the newest of each are
   * usually near the head), then one indexed read per category not among
   * them. The first record of a category in newest-first order is its
   * newest, so the result is exact.
   */
  async latest(
    entityRef: string,
    categories: string[],
    credentials: BackstageCredentials,
  ): Promise<Record<string, EvidenceStoredRecord | null>> {
    const out: Record<string, EvidenceStoredRecord | null> = {};
    if (!categories.length) return out;
    const { items } = await this.service.list(entityRef, {
      category: categories,
      order: 'desc',
      limit: Math.min(100, categories.length * 4),
      credentials,
    });
    for (const r of items) {
      if (!(r.envelope.category in out)) out[r.envelope.category] = r;
    }
    await Promise.all(
      categories
        .filter(c => !(c in out))
        .map(async category => {
          const page = await this.service.list(entityRef, {
            category: [category],
            order: 'desc',
            limit: 1,
            credentials,
          });
          out[category] = page.items[0] ?? null;
        }),
    );
    return out;
  }

  /**
   * The newest record of a category whose `summary[key]` is `value` among
   * the newest `window` records of that category (bounded: never the
   * chain), or null.
   */
  async newestWith(
    entityRef: string,
    category: string,
    key: string,
    value: string,
    credentials: BackstageCredentials,
    window = 50,
  ): Promise<EvidenceStoredRecord | null> {
    const { items } = await this.service.list(entityRef, {
      category: [category],
      order: 'desc',
      limit: window,
      credentials,
    });
    return items.find(r => r.envelope.summary[key] === value) ?? null;
  }

  /** The signed checkpoint, opened and parsed (throws when it does not verify). */
  async checkpoint(): Promise<{ treeSize: number; rootHash: Uint8Array }> {
    const { note, verifierKey } = await this.log.checkpoint();
    const key = `${verifierKey}\n${note}`;
    if (this.lastCheckpoint?.key === key) return this.lastCheckpoint.value;
    const opened = openNote(note, [verifierKey]);
    const cp = parseCheckpoint(opened.text);
    const value = { treeSize: cp.treeSize, rootHash: cp.rootHash };
    this.lastCheckpoint = { key, value };
    return value;
  }

  /** The last checkpoint whose signature verified (same note: not re-verified). */
  private lastCheckpoint?: {
    key: string;
    value: { treeSize: number; rootHash: Uint8Array };
  };

  /** Hash + inclusion under the current signed checkpoint, per record. */
  async verify(
    records: EvidenceStoredRecord[],
  ): Promise<Map<string, RecordCheck>> {
    const out = new Map<string, RecordCheck>();
    let pending:
      | Promise<{ treeSize: number; rootHash: Uint8Array } | string>
      | undefined;
    const checkpoint = () =>
      (pending ??= this.checkpoint().catch(
        e => `the log's checkpoint did not verify: ${(e as Error).message}`,
      ));
    await Promise.all(
      records.map(async r => {
        const actual = recordHash(r.envelope, nativeSha256);
        if (actual !== r.hash) {
          out.set(r.hash, {
            ok: false,
            reason: `its envelope hashes to ${actual}, not ${r.hash}`,
          });
          return;
        }
        if (this.included.has(r.hash)) {
          out.set(r.hash, {
            ok: true,
            reason: `hash verified; included under the signed checkpoint of size ${this.included.get(
              r.hash,
            )}`,
          });
          return;
        }
        const cp = await checkpoint();
        if (typeof cp === 'string') {
          out.set(r.hash, { ok: false, reason: cp });
          return;
        }
        if (!(r.leafIndex < cp.treeSize)) {
          out.set(r.hash, {
            ok: false,
            reason: `leaf ${r.leafIndex} is not under the signed checkpoint (size ${cp.treeSize})`,
          });
          return;
        }
        try {
          const proof = await this.log.inclusion(r.leafIndex, cp.treeSize);
          verifyInclusion(
            {
              leafIndex: r.leafIndex,
              treeSize: cp.treeSize,
              leafHash: leafHash(envelopeBytes(r.envelope), nativeSha256),
              proof: proof.hashes.map(h => fromBase64(h)),
              rootHash: cp.rootHash,
            },
            nativeSha256,
          );
          if (this.included.size > 100_000) this.included.clear();
          this.included.set(r.hash, cp.treeSize);
          out.set(r.hash, {
            ok: true,
            reason: `hash verified; included under the signed checkpoint of size ${cp.treeSize}`,
          });
        } catch (e) {
          out.set(r.hash, {
            ok: false,
            reason: `inclusion under the signed checkpoint failed: ${
              (e as Error).message
            }`,
          });
        }
      }),
    );
    return out;
  }

  /**
   * Full check of a cited record (release verification): it exists, hashes
   * to its hash, links to its predecessor (which hashes to the link and has
   * seq - 1) and is included under the current signed checkpoint.
   */
  async verifyCited(
    entityRef: string,
    category: string,
    hash: string,
  ): Promise<RecordCheck> {
    return (await this.readCited(entityRef, category, hash)).check;
  }

  /**
   * A cited record read by its hash, with its full check (as
   * {@link PromotionEvidence.verifyCited}): what the gates of a promotion
   * evaluate. `record` is null when the log has no record with that hash.
   */
  async readCited(
    entityRef: string,
    category: string,
    hash: string,
  ): Promise<{ record: EvidenceStoredRecord | null; check: RecordCheck }> {
    const record = (await this.log.record(hash)) ?? null;
    return {
      record,
      check: await this.checkCited(entityRef, category, hash, record),
    };
  }

  private async checkCited(
    entityRef: string,
    category: string,
    hash: string,
    r: EvidenceStoredRecord | null,
  ): Promise<RecordCheck> {
    if (!r) return { ok: false, reason: `record ${hash} is not in the log` };
    if (r.hash !== hash) {
      return { ok: false, reason: `the log returned ${r.hash} for ${hash}` };
    }
    if (r.envelope.entityRef !== entityRef) {
      return {
        ok: false,
        reason: `record ${hash} belongs to ${r.envelope.entityRef}`,
      };
    }
    if (r.envelope.category !== category) {
      return {
        ok: false,
        reason: `record ${hash} is a ${r.envelope.category} record, not ${category}`,
      };
    }
    const [own] = [...(await this.verify([r])).values()];
    if (!own.ok) return own;
    // chain: the predecessor the envelope links to
    const prevHash = r.envelope.previousHash;
    if (r.envelope.seq === 1) {
      if (prevHash !== null)
        return { ok: false, reason: 'seq 1 with a previous hash' };
    } else {
      const prev = prevHash ? await this.log.record(prevHash) : undefined;
      if (!prev) {
        return {
          ok: false,
          reason: `chain: its predecessor ${prevHash} is not in the log`,
        };
      }
      const actual = recordHash(prev.envelope, nativeSha256);
      if (
        actual !== prevHash ||
        prev.envelope.seq !== r.envelope.seq - 1 ||
        prev.envelope.entityRef !== entityRef
      ) {
        return {
          ok: false,
          reason: `chain: the predecessor does not hash to ${prevHash} at seq ${
            r.envelope.seq - 1
          }`,
        };
      }
    }
    return {
      ok: true,
      reason: `hash, chain link to #${
        r.envelope.seq - 1
      } and inclusion verified (${own.reason})`,
    };
  }
}
