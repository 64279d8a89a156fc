import { LoggerService } from '@backstage/backend-plugin-api';
import { canonicalJson } from '@assay/plugin-evidence-common';
import { createHash } from 'node:crypto';
import { DatabaseEvidenceStore } from '../store/DatabaseEvidenceStore';

/** A problem the audit found, as stored and served. */
export interface AuditFinding {
  kind:
    | 'missing-record'
    | 'missing-leaf'
    | 'record-hash'
    | 'record-column'
    | 'record-canonical'
    | 'leaf-hash'
    | 'interior-node'
    | 'chain-link'
    | 'head';
  leafIndex: number | null;
  entityRef: string | null;
  message: string;
}

export interface AuditState {
  cursor: number;
  passStartedAt: string | null;
  lastCompletedAt: string | null;
  lastCompletedSize: number | null;
  passes: number;
}

/** Where audit findings are counted (the plugin's metrics service in production). */
export interface AuditMetrics {
  finding(kind: AuditFinding['kind']): void;
  checked(records: number): void;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();
const hex = (b: Buffer) => b.toString('hex');

/**
 * The integrity audit: walks the log from a persisted cursor in bounded
 * batches and re-derives everything readers rely on from the records'
 * canonical bytes — the record hash, the columns the summary and lists are
 * queried by (entity, seq, category, recorded_at), the canonical form, the
 * leaf hash, every perfect interior node of the Merkle tree (recomputed from
 * its stored children), the chain link to the previous record and, at the end
 * of a pass, the maintained heads. Findings are logged as errors, stored
 * (deduplicated) for the Evidence log page and counted in a metric.
 */
export class IntegrityAudit {
  constructor(
    private readonly store: DatabaseEvidenceStore,
    private readonly logger: LoggerService,
    private readonly metrics?: AuditMetrics,
    private readonly options: { batchSize: number; maxBatches: number } = {
      batchSize: 2000,
      maxBatches: 50,
    },
  ) {}

  private get db() {
    return this.store.db;
  }

  async state(): Promise<AuditState> {
    const r = await this.db('evidence_audit_state').where({ id: 1 }).first();
    return {
      cursor: Number(r.cursor),
      passStartedAt: r.pass_started_at ?? null,
      lastCompletedAt: r.last_completed_at ?? null,
      lastCompletedSize:
        r.last_completed_size === null || r.last_completed_size === undefined
          ? null
          : Number(r.last_completed_size),
      passes: Number(r.passes),
    };
  }

  async findings(limit = 100): Promise<{
    total: number;
    items: Array<AuditFinding & { id: number; foundAt: string }>;
  }> {
    const [{ n }] = await this.db('evidence_audit_findings').count({ n: '*' });
    const rows = await this.db('evidence_audit_findings')
      .orderBy('id', 'desc')
      .limit(limit);
    return {
      total: Number(n),
      items: rows.map(toFinding),
    };
  }

  /** Findings per entity (null: not about one entity), to count what a caller may see. */
  async findingCounts(): Promise<
    Array<{ entityRef: string | null; count: number }>
  > {
    const rows = await this.db('evidence_audit_findings')
      .select('entity_ref')
      .count({ n: '*' })
      .groupBy('entity_ref');
    return rows.map((r: any) => ({
      entityRef: r.entity_ref ?? null,
      count: Number(r.n),
    }));
  }

  /**
   * The newest `limit` findings that are about no entity or about one that
   * `visible` accepts.
   */
  async visibleFindings(
    limit: number,
    visible: (entityRef: string) => boolean,
  ): Promise<Array<AuditFinding & { id: number; foundAt: string }>> {
    const out: Array<AuditFinding & { id: number; foundAt: string }> = [];
    let before: number | undefined;
    for (let page = 0; page < 20 && out.length < limit; page++) {
      const q = this.db('evidence_audit_findings')
        .orderBy('id', 'desc')
        .limit(500);
      if (before !== undefined) q.where('id', '<', before);
      const rows = await q;
      for (const r of rows) {
        if (out.length < limit && (!r.entity_ref || visible(r.entity_ref))) {
          out.push(toFinding(r));
        }
      }
      if (rows.length < 500) break;
      before = Number(rows[rows.length - 1].id);
    }
    return out;
  }

  /** One scheduled run: up to `maxBatches` batches, then the cursor is saved. */
  async run(now: () => string = () => new Date().toISOString()) {
    let checked = 0;
    const found: AuditFinding[] = [];
    for (let i = 0; i < this.options.maxBatches; i++) {
      const r = await this.runBatch(now);
      checked += r.checked;
      found.push(...r.findings);
      if (r.passCompleted) break;
    }
    return { checked, findings: found };
  }

  /** Audits the next batch of leaves and advances the persisted cursor. */
  async runBatch(now: () => string = () => new Date().toISOString()) {
    const state = await this.state();
    const { treeSize } = await this.store.getLogState();
    const start = state.cursor > treeSize ? 0 : state.cursor;
    const end = Math.min(start + this.options.batchSize, treeSize);
    const findings: AuditFinding[] = [];
    if (end > start) {
      findings.push(...(await this.checkRecords(start, end)));
      findings.push(...(await this.checkInteriorNodes(start, end)));
    }
    const passCompleted = end >= treeSize;
    if (passCompleted) findings.push(...(await this.checkHeads()));
    const fresh = await this.record(findings, now());
    await this.db('evidence_audit_state')
      .where({ id: 1 })
      .update(
        passCompleted
          ? {
              cursor: 0,
              pass_started_at: null,
              last_completed_at: now(),
              last_completed_size: treeSize,
              passes: state.passes + 1,
            }
          : {
              cursor: end,
              pass_started_at: state.passStartedAt ?? now(),
            },
      );
    this.metrics?.checked(end - start);
    return { checked: end - start, findings: fresh, passCompleted };
  }

  /** Every leaf in [start, end) has a record whose bytes agree with everything stored about it. */
  private async checkRecords(start: number, end: number) {
    const out: AuditFinding[] = [];
    const rows = await this.db('evidence_records')
      .select(
        'leaf_index',
        'entity_ref',
        'seq',
        'category',
        'hash',
        'canonical',
        'recorded_at',
      )
      .where('leaf_index', '>=', start)
      .where('leaf_index', '<', end)
      .orderBy('leaf_index');
    const leaves = new Map<number, string>();
    const leafRows = await this.db('evidence_tree_nodes')
      .select('idx', 'hash')
      .where({ level: 0 })
      .where('idx', '>=', start)
      .where('idx', '<', end);
    for (const l of leafRows) leaves.set(Number(l.idx), l.hash);
    const byLeaf = new Map(rows.map(r => [Number(r.leaf_index), r]));
    const links: Array<{
      leaf: number;
      entityRef: string;
      seq: number;
      previousHash: string;
    }> = [];
    for (let leaf = start; leaf < end; leaf++) {
      const r = byLeaf.get(leaf);
      if (!leaves.has(leaf)) {
        out.push({
          kind: 'missing-leaf',
          leafIndex: leaf,
          entityRef: r?.entity_ref ?? null,
          message: `leaf ${leaf} of the Merkle log has no stored leaf hash`,
        });
      }
      if (!r) {
        out.push({
          kind: 'missing-record',
          leafIndex: leaf,
          entityRef: null,
          message: `leaf ${leaf} is in the Merkle log but its record is missing (deleted from evidence_records)`,
        });
        continue;
      }
      const entityRef: string = r.entity_ref;
      const finding = (kind: AuditFinding['kind'], message: string) =>
        out.push({ kind, leafIndex: leaf, entityRef, message });
      const bytes = Buffer.from(r.canonical, 'utf8');
      const actual = hex(sha256(bytes));
      if (actual !== r.hash) {
        finding(
          'record-hash',
          `record at leaf ${leaf} (${entityRef} #${r.seq}): canonical bytes hash to ${actual}, the hash column says ${r.hash}`,
        );
      }
      const leafHash = hex(sha256(Buffer.concat([Buffer.from([0]), bytes])));
      if (leaves.has(leaf) && leaves.get(leaf) !== leafHash) {
        finding(
          'leaf-hash',
          `leaf hash ${leaf} in the Merkle log does not match the record's canonical bytes`,
        );
      }
      let env: any;
      try {
        env = JSON.parse(r.canonical);
        if (canonicalJson(env) !== r.canonical) throw new Error('not RFC 8785');
      } catch (e) {
        finding(
          'record-canonical',
          `record at leaf ${leaf} is not canonical JSON: ${
            (e as Error).message
          }`,
        );
        continue;
      }
      const columns: Array<[string, unknown, unknown]> = [
        ['entity_ref', r.entity_ref, env?.entityRef],
        ['seq', Number(r.seq), env?.seq],
        ['category', r.category, env?.category],
        ['recorded_at', r.recorded_at, env?.recordedAt],
      ];
      for (const [column, stored, signed] of columns) {
        if (stored !== signed) {
          finding(
            'record-column',
            `record at leaf ${leaf}: column ${column} is ${JSON.stringify(
              stored,
            )} but its canonical bytes say ${JSON.stringify(signed)}`,
          );
        }
      }
      if (env?.seq > 1 && typeof env.previousHash === 'string') {
        links.push({
          leaf,
          entityRef: env.entityRef,
          seq: env.seq,
          previousHash: env.previousHash,
        });
      }
    }
    // chain links: the previous record exists, for the same entity, one seq lower
    const prev = new Map<string, { entity_ref: string; seq: number }>();
    const hashes = [...new Set(links.map(l => l.previousHash))];
    for (let i = 0; i < hashes.length; i += 500) {
      const found = await this.db('evidence_records')
        .select('hash', 'entity_ref', 'seq')
        .whereIn('hash', hashes.slice(i, i + 500));
      for (const f of found) {
        prev.set(f.hash, { entity_ref: f.entity_ref, seq: Number(f.seq) });
      }
    }
    for (const l of links) {
      const p = prev.get(l.previousHash);
      if (!p || p.entity_ref !== l.entityRef || p.seq !== l.seq - 1) {
        out.push({
          kind: 'chain-link',
          leafIndex: l.leaf,
          entityRef: l.entityRef,
          message: `${l.entityRef} #${l.seq} links to ${
            l.previousHash
          }, which is ${
            p ? `${p.entity_ref} #${p.seq}` : 'not a stored record'
          } instead of #${l.seq - 1}`,
        });
      }
    }
    return out;
  }

  /**
   * Recomputes every perfect interior node whose last leaf lies in
   * [start, end) from its two stored children.
   */
  private async checkInteriorNodes(start: number, end: number) {
    const out: AuditFinding[] = [];
    for (let level = 1; 2 ** level <= end; level++) {
      const w = 2 ** level;
      const first = Math.max(0, Math.ceil((start + 1) / w) - 1);
      const last = Math.floor(end / w) - 1;
      if (last < first) continue;
      const rows = await this.db('evidence_tree_nodes')
        .select('level', 'idx', 'hash')
        .where(q =>
          q
            .where(p => p.where({ level }).whereBetween('idx', [first, last]))
            .orWhere(p =>
              p
                .where({ level: level - 1 })
                .whereBetween('idx', [2 * first, 2 * last + 1]),
            ),
        );
      const node = new Map<string, string>(
        rows.map(r => [`${r.level}:${Number(r.idx)}`, r.hash]),
      );
      for (let i = first; i <= last; i++) {
        const stored = node.get(`${level}:${i}`);
        const left = node.get(`${level - 1}:${2 * i}`);
        const right = node.get(`${level - 1}:${2 * i + 1}`);
        if (!stored || !left || !right) {
          out.push({
            kind: 'interior-node',
            leafIndex: i * w,
            entityRef: null,
            message: `Merkle node (level ${level}, index ${i}) or one of its children is missing`,
          });
          continue;
        }
        const recomputed = hex(
          sha256(
            Buffer.concat([
              Buffer.from([1]),
              Buffer.from(left, 'hex'),
              Buffer.from(right, 'hex'),
            ]),
          ),
        );
        if (recomputed !== stored) {
          out.push({
            kind: 'interior-node',
            leafIndex: i * w,
            entityRef: null,
            message: `Merkle node (level ${level}, index ${i}) is ${stored} but its children hash to ${recomputed}`,
          });
        }
      }
    }
    return out;
  }

  /** The maintained heads agree with the records (checked once per pass). */
  private async checkHeads() {
    const out: AuditFinding[] = [];
    const stale = await this.db('evidence_heads as h')
      .leftJoin('evidence_records as r', j =>
        j.on('r.entity_ref', 'h.entity_ref').andOn('r.seq', 'h.seq'),
      )
      .select('h.entity_ref', 'h.seq', 'h.hash', 'r.hash as record_hash')
      .where(q => q.whereNull('r.hash').orWhereRaw('r.hash <> h.hash'))
      .limit(100);
    for (const s of stale) {
      out.push({
        kind: 'head',
        leafIndex: null,
        entityRef: s.entity_ref,
        message: s.record_hash
          ? `the head of ${s.entity_ref} is #${s.seq} ${s.hash}, but that record's hash is ${s.record_hash}`
          : `the head of ${s.entity_ref} is #${s.seq}, but no such record is stored (truncated)`,
      });
    }
    const beyond = (await this.db('evidence_records as r')
      .leftJoin('evidence_heads as h', 'h.entity_ref', 'r.entity_ref')
      .where(q => q.whereNull('h.entity_ref').orWhereRaw('r.seq > h.seq'))
      .select('r.entity_ref')
      .max({ seq: 'r.seq' })
      .groupBy('r.entity_ref')
      .limit(100)) as unknown as Array<{ entity_ref: string; seq: number }>;
    for (const b of beyond) {
      out.push({
        kind: 'head',
        leafIndex: null,
        entityRef: b.entity_ref,
        message: `${b.entity_ref} has record #${b.seq} beyond its recorded head`,
      });
    }
    return out;
  }

  /** Stores, logs and counts the findings not already stored. */
  private async record(findings: AuditFinding[], at: string) {
    const fresh: AuditFinding[] = [];
    for (const f of findings) {
      const q = this.db('evidence_audit_findings').where({
        kind: f.kind,
        message: f.message,
      });
      if (f.leafIndex === null) q.whereNull('leaf_index');
      else q.where({ leaf_index: f.leafIndex });
      if (await q.first()) continue;
      await this.db('evidence_audit_findings').insert({
        found_at: at,
        kind: f.kind,
        leaf_index: f.leafIndex,
        entity_ref: f.entityRef,
        message: f.message,
      });
      this.logger.error(`evidence audit: ${f.kind}: ${f.message}`, {
        kind: f.kind,
        entityRef: f.entityRef ?? undefined,
        leafIndex: f.leafIndex ?? undefined,
      });
      this.metrics?.finding(f.kind);
      fresh.push(f);
    }
    return fresh;
  }
}

function toFinding(r: any): AuditFinding & { id: number; foundAt: string } {
  return {
    id: Number(r.id),
    foundAt: r.found_at,
    kind: r.kind,
    leafIndex:
      r.leaf_index === null || r.leaf_index === undefined
        ? null
        : Number(r.leaf_index),
    entityRef: r.entity_ref ?? null,
    message: r.message,
  };
}
