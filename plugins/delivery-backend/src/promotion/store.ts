import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  ACTIVE_PROMOTION_STATUSES,
  DeployedRelease,
  GateEvaluation,
  Promotion,
  PromotionApprovalView,
  PromotionStatus,
  Release,
  ReleaseRecord,
} from '@assay/plugin-delivery-common';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@assay/plugin-delivery-backend',
  'migrations',
);

const RELEASES = 'delivery_promotion_releases';
const DEPLOYMENTS = 'delivery_promotion_deployments';
const PROMOTIONS = 'delivery_promotions';
const APPROVALS = 'delivery_promotion_approvals';

const parse = (v: unknown) =>
  typeof v === 'string' ? JSON.parse(v) : v ?? null;

const isUniqueViolation = (e: any) =>
  e?.code === '23505' ||
  e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
  e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
  /unique|duplicate/i.test(String(e?.message));

export const activeKey = (entityRef: string, environment: string) =>
  `${entityRef}|${environment}`;

/** A promotion row without its approvals. */
export type PromotionRow = Omit<Promotion, 'approvals'>;

function toRelease(r: any): Release {
  const record: ReleaseRecord = parse(r.record);
  return {
    hash: r.hash,
    entityRef: r.entity_ref,
    version: r.version,
    producer: r.producer,
    createdAt: r.created_at,
    evidence: record.evidence,
    artifacts: record.artifacts,
    demo: Boolean(r.demo),
  };
}

function toDeployed(r: any): DeployedRelease {
  return {
    entityRef: r.entity_ref,
    environment: r.environment,
    version: r.version,
    releaseHash: r.release_hash,
    deployedAt: r.deployed_at,
    promotionId: r.promotion_id ?? null,
    deploymentRef: r.deployment_ref ?? null,
  };
}

function toPromotion(r: any): PromotionRow {
  return {
    id: r.id,
    entityRef: r.entity_ref,
    environment: r.environment,
    kind: r.kind,
    version: r.version,
    releaseHash: r.release_hash,
    status: r.status,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    finishedAt: r.finished_at ?? null,
    mode: r.mode,
    evaluation: parse(r.evaluation),
    approvalsRequired: Number(r.approvals_required),
    evidenceHashes: parse(r.evidence_hashes) ?? [],
    leadTimeSeconds:
      r.lead_time_seconds === null || r.lead_time_seconds === undefined
        ? null
        : Number(r.lead_time_seconds),
    previousReleaseHash: r.previous_release_hash ?? null,
    planId: r.plan_id ?? null,
    error: r.error ?? null,
    demo: Boolean(r.demo),
  };
}

function toApproval(r: any): PromotionApprovalView & { promotionId: string } {
  return {
    promotionId: r.promotion_id,
    approver: r.approver,
    approvedAt: r.approved_at,
    expiresAt: r.expires_at,
    hash: r.evidence_hash ?? null,
    comment: r.comment ?? null,
  };
}

/** Patch of a promotion row (status changes keep active_key consistent). */
export interface PromotionPatch {
  status?: PromotionStatus;
  finishedAt?: string | null;
  evaluation?: GateEvaluation;
  evidenceHashes?: string[];
  leadTimeSeconds?: number | null;
  error?: string | null;
}

/**
 * Knex store of releases, deployments, promotions and approvals (SQLite and
 * PostgreSQL). One active promotion per entity + environment is enforced by
 * the unique `active_key`.
 */
export class DatabasePromotionStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabasePromotionStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabasePromotionStore(client);
  }

  constructor(readonly db: Knex) {}

  // --- releases

  async insertRelease(
    release: Omit<Release, 'evidence' | 'artifacts'> & {
      record: ReleaseRecord;
    },
  ): Promise<void> {
    try {
      await this.db(RELEASES).insert({
        hash: release.hash,
        entity_ref: release.entityRef,
        version: release.version,
        producer: release.producer,
        created_at: release.createdAt,
        record: JSON.stringify(release.record),
        demo: Boolean(release.demo),
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new ConflictError(
          `${release.entityRef} already has a release ${release.version}`,
        );
      }
      throw e;
    }
  }

  async getRelease(hash: string): Promise<Release | undefined> {
    const r = await this.db(RELEASES).where({ hash }).first();
    return r ? toRelease(r) : undefined;
  }

  async releaseByVersion(
    entityRef: string,
    version: string,
  ): Promise<Release | undefined> {
    const r = await this.db(RELEASES)
      .where({ entity_ref: entityRef, version })
      .first();
    return r ? toRelease(r) : undefined;
  }

  async listReleases(entityRef: string, limit = 20): Promise<Release[]> {
    const rows = await this.db(RELEASES)
      .where({ entity_ref: entityRef })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'hash', order: 'desc' },
      ])
      .limit(limit);
    return rows.map(toRelease);
  }

  // --- deployments

  async deployed(
    entityRef: string,
    environment: string,
  ): Promise<DeployedRelease | null> {
    const r = await this.db(DEPLOYMENTS)
      .where({ entity_ref: entityRef, environment })
      .first();
    return r ? toDeployed(r) : null;
  }

  async deployments(entityRef: string): Promise<DeployedRelease[]> {
    const rows = await this.db(DEPLOYMENTS).where({ entity_ref: entityRef });
    return rows.map(toDeployed);
  }

  async setDeployed(d: DeployedRelease, tx: Knex = this.db): Promise<void> {
    await tx(DEPLOYMENTS)
      .insert({
        entity_ref: d.entityRef,
        environment: d.environment,
        release_hash: d.releaseHash,
        version: d.version,
        deployed_at: d.deployedAt,
        promotion_id: d.promotionId,
        deployment_ref: d.deploymentRef,
      })
      .onConflict(['entity_ref', 'environment'])
      .merge();
  }

  // --- promotions

  /** Inserts a promotion; ConflictError when one is active for entity + environment. */
  async insertPromotion(p: PromotionRow): Promise<void> {
    try {
      await this.db(PROMOTIONS).insert({
        id: p.id,
        entity_ref: p.entityRef,
        environment: p.environment,
        kind: p.kind,
        version: p.version,
        release_hash: p.releaseHash,
        status: p.status,
        active_key: ACTIVE_PROMOTION_STATUSES.includes(p.status)
          ? activeKey(p.entityRef, p.environment)
          : null,
        requested_by: p.requestedBy,
        requested_at: p.requestedAt,
        finished_at: p.finishedAt ?? null,
        mode: p.mode,
        evaluation: JSON.stringify(p.evaluation),
        approvals_required: p.approvalsRequired,
        evidence_hashes: JSON.stringify(p.evidenceHashes ?? []),
        lead_time_seconds: p.leadTimeSeconds ?? null,
        previous_release_hash: p.previousReleaseHash ?? null,
        plan_id: p.planId ?? null,
        error: p.error ?? null,
        demo: Boolean(p.demo),
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new ConflictError(
          `A promotion is already active for ${p.entityRef} in ${p.environment}`,
        );
      }
      throw e;
    }
  }

  /**
   * Updates a promotion if its status is still `expected` (compare-and-set);
   * false when another request changed it first.
   */
  async updatePromotion(
    id: string,
    expected: PromotionStatus,
    patch: PromotionPatch,
    tx: Knex = this.db,
  ): Promise<boolean> {
    const out: Record<string, unknown> = {};
    if (patch.status !== undefined) {
      out.status = patch.status;
      out.active_key = ACTIVE_PROMOTION_STATUSES.includes(patch.status)
        ? undefined
        : null;
      if (out.active_key === undefined) delete out.active_key;
    }
    if (patch.finishedAt !== undefined) out.finished_at = patch.finishedAt;
    if (patch.evaluation !== undefined)
      out.evaluation = JSON.stringify(patch.evaluation);
    if (patch.evidenceHashes !== undefined)
      out.evidence_hashes = JSON.stringify(patch.evidenceHashes);
    if (patch.leadTimeSeconds !== undefined)
      out.lead_time_seconds = patch.leadTimeSeconds;
    if (patch.error !== undefined) out.error = patch.error;
    const n = await tx(PROMOTIONS).where({ id, status: expected }).update(out);
    return Number(n) === 1;
  }

  async addEvidenceHash(id: string, hash: string): Promise<void> {
    await this.db.transaction(async tx => {
      const r = await tx(PROMOTIONS).where({ id }).first('evidence_hashes');
      if (!r) return;
      const list: string[] = parse(r.evidence_hashes) ?? [];
      if (!list.includes(hash)) list.push(hash);
      await tx(PROMOTIONS)
        .where({ id })
        .update({ evidence_hashes: JSON.stringify(list) });
    });
  }

  async getPromotion(id: string): Promise<Promotion | undefined> {
    const r = await this.db(PROMOTIONS).where({ id }).first();
    if (!r) return undefined;
    const approvals = await this.approvals(id);
    return { ...toPromotion(r), approvals };
  }

  async activePromotion(
    entityRef: string,
    environment: string,
  ): Promise<Promotion | undefined> {
    const r = await this.db(PROMOTIONS)
      .where({ active_key: activeKey(entityRef, environment) })
      .first();
    if (!r) return undefined;
    return { ...toPromotion(r), approvals: await this.approvals(r.id) };
  }

  /** Whether a release was ever deployed to the environment (a succeeded promotion or rollback). */
  async wasDeployed(
    entityRef: string,
    environment: string,
    releaseHash: string,
  ): Promise<boolean> {
    const r = await this.db(PROMOTIONS)
      .where({
        entity_ref: entityRef,
        environment,
        release_hash: releaseHash,
      })
      .whereIn('status', ['succeeded', 'rolled-back'])
      .first('id');
    return !!r;
  }

  /** Newest first; cursor = `<requested_at>|<id>` of the last item. */
  async history(
    entityRef: string,
    opts: { limit: number; cursor?: string },
  ): Promise<{ items: Promotion[]; nextCursor: string | null }> {
    let q = this.db(PROMOTIONS).where({ entity_ref: entityRef });
    if (opts.cursor) {
      const [at, id] = opts.cursor.split('|');
      q = q.andWhere(b =>
        b
          .where('requested_at', '<', at)
          .orWhere(c => c.where('requested_at', at).andWhere('id', '<', id)),
      );
    }
    const rows = await q
      .orderBy([
        { column: 'requested_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(opts.limit + 1);
    const page = rows.slice(0, opts.limit).map(toPromotion);
    const approvals = await this.approvalsOf(page.map(p => p.id));
    const items = page.map(p => ({
      ...p,
      approvals: approvals.get(p.id) ?? [],
    }));
    const last = page[page.length - 1];
    return {
      items,
      nextCursor:
        rows.length > opts.limit && last
          ? `${last.requestedAt}|${last.id}`
          : null,
    };
  }

  /** Finished-or-not promotions for KPIs (optionally of some entities). */
  async promotionsForKpis(
    entityRefs?: string[],
  ): Promise<
    Array<
      Pick<
        Promotion,
        'entityRef' | 'kind' | 'status' | 'leadTimeSeconds' | 'environment'
      >
    >
  > {
    let q = this.db(PROMOTIONS).select(
      'entity_ref',
      'kind',
      'status',
      'lead_time_seconds',
      'environment',
    );
    if (entityRefs) q = q.whereIn('entity_ref', entityRefs);
    const rows = await q;
    return rows.map((r: any) => ({
      entityRef: r.entity_ref,
      kind: r.kind,
      status: r.status,
      environment: r.environment,
      leadTimeSeconds:
        r.lead_time_seconds === null ? null : Number(r.lead_time_seconds),
    }));
  }

  // --- approvals

  async insertApproval(
    promotionId: string,
    a: PromotionApprovalView & { releaseHash: string },
  ): Promise<void> {
    try {
      await this.db(APPROVALS).insert({
        promotion_id: promotionId,
        approver: a.approver,
        release_hash: a.releaseHash,
        approved_at: a.approvedAt,
        expires_at: a.expiresAt,
        comment: a.comment ?? null,
        evidence_hash: a.hash ?? null,
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new ConflictError(
          `${a.approver} has already approved promotion ${promotionId}`,
        );
      }
      throw e;
    }
  }

  async approvals(promotionId: string): Promise<PromotionApprovalView[]> {
    return (await this.approvalsOf([promotionId])).get(promotionId) ?? [];
  }

  private async approvalsOf(
    ids: string[],
  ): Promise<
    Map<string, Array<PromotionApprovalView & { releaseHash?: string }>>
  > {
    const map = new Map<string, PromotionApprovalView[]>();
    if (!ids.length) return map;
    const rows = await this.db(APPROVALS)
      .whereIn('promotion_id', ids)
      .orderBy('approved_at', 'asc');
    for (const r of rows) {
      const { promotionId, ...a } = toApproval(r);
      const list = map.get(promotionId) ?? [];
      list.push({ ...a, releaseHash: r.release_hash } as any);
      map.set(promotionId, list);
    }
    return map;
  }
}
