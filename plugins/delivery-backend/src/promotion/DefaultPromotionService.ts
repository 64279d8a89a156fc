import {
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DeployedRelease,
  environmentsOf,
  EnvironmentsAnnotationError,
  evaluateGates,
  GateEvaluation,
  GateEvidence,
  Promotion,
  PromotionApproval,
  PromotionEnvironment,
  PromotionEvidenceKind,
  promotionKpi,
  PromotionKpi,
  PromotionMode,
  promotionModeOf,
  PromotionPolicy,
  PromotionStatus,
  PROMOTION_POLICY_DEFAULTS,
  Release,
  ReleaseArtifact,
  ReleaseRecord,
} from '@assay/plugin-delivery-common';
import type { EvidenceStoredRecord } from '@assay/plugin-evidence-node';
import type { ScorecardsService } from '@assay/plugin-scorecards-node';
import { randomUUID } from 'node:crypto';
import { PromotionConfig } from './config';
import { PromotionEvidence, RecordCheck } from './evidenceAccess';
import type {
  PromotionPreview,
  PromotionService,
  ReleaseSelector,
} from './PromotionService';
import type { DeploymentProvider } from './providers/types';
import { DatabasePromotionStore, PromotionRow } from './store';

const SCORECARD_LEVELS = ['bronze', 'silver', 'gold'];

export interface PromotionServiceOptions {
  store: DatabasePromotionStore;
  evidence: PromotionEvidence;
  catalog: CatalogService;
  auth: AuthService;
  config: PromotionConfig;
  provider: DeploymentProvider;
  logger: LoggerService;
  scorecards?: ScorecardsService;
  clock?: () => Date;
}

/** Gates that are not about approvals failed: the promotion is blocked. */
const blockingFailures = (e: GateEvaluation) =>
  e.gates.filter(g => g.status === 'fail' && g.id !== 'approvals');

/** blocked (a gate other than approvals fails), running, or awaiting approval. */
function statusOf(e: GateEvaluation): PromotionStatus {
  if (blockingFailures(e).length > 0) return 'blocked';
  return e.allowed ? 'running' : 'awaiting-approval';
}

const reasonText = (reason?: string) => (reason ? `reason: ${reason}` : null);

/**
 * The promotion core: releases as `release` evidence, gates from verified
 * evidence, approvals with separation of duties, deployments through a
 * provider, rollbacks re-checked against today's policy, KPIs. Every step
 * is a `promotion` evidence record written with the plugin's own
 * credentials.
 */
export class DefaultPromotionService implements PromotionService {
  constructor(private readonly o: PromotionServiceOptions) {}

  private now() {
    return this.o.clock?.() ?? new Date();
  }

  private credentials(): Promise<BackstageCredentials> {
    return this.o.auth.getOwnServiceCredentials();
  }

  // ---------------------------------------------------------------- entity

  async entity(entityRef: string): Promise<Entity> {
    const entity = await this.o.catalog.getEntityByRef(entityRef, {
      credentials: await this.credentials(),
    });
    if (!entity) {
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    }
    return entity;
  }

  private shape(entity: Entity): {
    mode: PromotionMode;
    environments: PromotionEnvironment[];
  } {
    const annotations = entity.metadata.annotations;
    try {
      return {
        mode: promotionModeOf(annotations, this.o.config.defaultMode),
        environments: environmentsOf(annotations, this.o.config.environments),
      };
    } catch (e) {
      if (e instanceof EnvironmentsAnnotationError) {
        throw new InputError(e.message);
      }
      throw e;
    }
  }

  async environments(entityRef: string) {
    return this.shape(await this.entity(entityRef));
  }

  private async target(entityRef: string, environment: string) {
    const entity = await this.entity(entityRef);
    const { mode, environments } = this.shape(entity);
    const index = environments.findIndex(e => e.name === environment);
    if (index < 0) {
      throw new InputError(
        `environment: '${environment}' is not an environment of ${entityRef} (${environments
          .map(e => e.name)
          .join(', ')})`,
      );
    }
    const env = environments[index];
    // A protected environment is compliance mode whatever the annotation says.
    return {
      entity,
      mode: env.enforceCompliance ? ('compliance' as const) : mode,
      environments,
      env,
      index,
    };
  }

  /** Whether the entity has any record of the category (demo seed). */
  async hasEvidence(entityRef: string, category: string) {
    const r = await this.o.evidence.latest(
      entityRef,
      [category],
      await this.credentials(),
    );
    return !!r[category];
  }

  // -------------------------------------------------------------- releases

  async listReleases(entityRef: string, limit = 20) {
    return this.o.store.listReleases(entityRef, limit);
  }

  async getRelease(entityRef: string, hash: string): Promise<Release> {
    const r = await this.o.store.getRelease(hash);
    if (!r || r.entityRef !== entityRef) {
      throw new NotFoundError(`No release ${hash} of ${entityRef}`);
    }
    return r;
  }

  private async resolveRelease(
    entityRef: string,
    selector: ReleaseSelector,
  ): Promise<Release> {
    if (selector === 'latest') {
      const [r] = await this.o.store.listReleases(entityRef, 1);
      if (!r) throw new NotFoundError(`${entityRef} has no release yet`);
      return r;
    }
    return this.getRelease(entityRef, selector);
  }

  private requiredCategories(): string[] {
    return (
      this.o.config.policy.requiredEvidence ??
      PROMOTION_POLICY_DEFAULTS.requiredEvidence
    );
  }

  /**
   * Cuts a release: an immutable `release` evidence record citing the newest
   * record of every required category (the signature: the newest one naming
   * the release's image digest, if any) and the digests of what ships.
   */
  async createRelease(
    entityRef: string,
    input: { version: string; artifacts: ReleaseArtifact[] },
    actor: string,
    opts: { createdAt?: string; demo?: boolean } = {},
  ): Promise<Release> {
    await this.entity(entityRef);
    if (await this.o.store.releaseByVersion(entityRef, input.version)) {
      throw new ConflictError(
        `${entityRef} already has a release ${input.version}`,
      );
    }
    const credentials = await this.credentials();
    const latest = await this.o.evidence.latest(
      entityRef,
      this.requiredCategories(),
      credentials,
    );
    // the signature to cite is the one for this release's image (a newer
    // signature of another image does not sign what ships)
    const shipped = input.artifacts.find(a => a.kind === 'image');
    if (
      shipped &&
      latest.signature &&
      latest.signature.envelope.summary.digest !== shipped.digest
    ) {
      latest.signature =
        (await this.o.evidence.newestWith(
          entityRef,
          'signature',
          'digest',
          shipped.digest,
          credentials,
        )) ?? latest.signature;
    }
    const cited = Object.entries(latest)
      .filter((e): e is [string, EvidenceStoredRecord] => !!e[1])
      .map(([category, r]) => ({
        category,
        hash: r.hash,
        seq: r.envelope.seq,
      }))
      .sort((a, b) => a.category.localeCompare(b.category));
    const createdAt = opts.createdAt ?? this.now().toISOString();
    const record: ReleaseRecord = {
      kind: 'assay.release/v1',
      entityRef,
      version: input.version,
      evidence: cited,
      artifacts: input.artifacts,
      producer: actor,
      createdAt,
    };
    const image = input.artifacts.find(a => a.kind === 'image');
    const result = await this.o.evidence.service.append(
      {
        entityRef,
        category: 'release',
        subject: { version: input.version },
        summary: {
          kind: 'release' satisfies PromotionEvidenceKind,
          actor,
          version: input.version,
          environment: null,
          releaseHash: null,
          image: image?.digest ?? null,
          artifacts: input.artifacts.length,
          inputs: cited.map(c => c.hash).join(','),
          ...(opts.demo ? { demo: true } : {}),
        },
        payload: { ...record, inputs: cited.map(c => c.hash) },
        producedAt: createdAt,
        idempotencyKey: `assay-release:${entityRef}:${input.version}`,
      },
      { credentials },
    );
    await this.o.store.insertRelease({
      hash: result.hash,
      entityRef,
      version: input.version,
      producer: actor,
      createdAt,
      record,
      demo: opts.demo,
    });
    return (await this.o.store.getRelease(result.hash))!;
  }

  /**
   * Re-checks a release: its own record and every record it cites (hash,
   * chain link, inclusion under the current signed checkpoint).
   */
  async verifyRelease(entityRef: string, hash: string) {
    const release = await this.getRelease(entityRef, hash);
    const checks: Array<{
      category: string;
      hash: string;
      ok: boolean;
      reason: string;
    }> = [];
    const items = [
      { category: 'release', hash: release.hash },
      ...release.evidence,
    ];
    const results = await Promise.all(
      items.map(i =>
        this.o.evidence.verifyCited(entityRef, i.category, i.hash).catch(
          (e): RecordCheck => ({
            ok: false,
            reason: `could not be checked: ${(e as Error).message}`,
          }),
        ),
      ),
    );
    items.forEach((i, n) => checks.push({ ...i, ...results[n] }));
    for (const category of this.requiredCategories()) {
      if (!release.evidence.some(e => e.category === category)) {
        checks.push({
          category,
          hash: '',
          ok: false,
          reason: `the release cites no ${category} record`,
        });
      }
    }
    return { ok: checks.every(c => c.ok), checks };
  }

  // ----------------------------------------------------------------- gates

  private policyFor(
    env: PromotionEnvironment,
    kind: 'promotion' | 'rollback',
  ): PromotionPolicy {
    const p = this.o.config.policy;
    return {
      ...p,
      approvals: {
        ...p.approvals,
        // rollbacks restore an earlier release: no approvals asked
        required: kind === 'rollback' ? 0 : env.approvalsRequired,
        sandboxRequired: 0,
        maxAgeHours: this.o.config.approvalMaxAgeHours,
      },
    };
  }

  /**
   * Reads the records the release cites (by hash, never newer records the
   * release does not rest on), verifies each one (hash, chain link,
   * inclusion under the signed checkpoint), evaluates.
   */
  async evaluate(
    entityRef: string,
    environment: string,
    release: Release,
    requester: string,
    approvals: PromotionApproval[],
    kind: 'promotion' | 'rollback' = 'promotion',
  ): Promise<{
    evaluation: GateEvaluation;
    mode: PromotionMode;
    approvalsRequired: number;
    deployed: DeployedRelease | null;
  }> {
    const { mode, env, environments, index } = await this.target(
      entityRef,
      environment,
    );
    const policy = this.policyFor(env, kind);
    const categories = policy.requiredEvidence ?? this.requiredCategories();
    const cite = (r: Release | undefined, category: string) =>
      r?.evidence.find(e => e.category === category)?.hash;
    const read = (category: string, hash: string | undefined) =>
      hash
        ? this.o.evidence
            .readCited(entityRef, category, hash)
            .catch((e): { record: null; check: RecordCheck } => ({
              record: null,
              check: {
                ok: false,
                reason: `could not be checked: ${(e as Error).message}`,
              },
            }))
        : Promise.resolve(null);
    const [citedRecords, deployed, before] = await Promise.all([
      Promise.all(categories.map(c => read(c, cite(release, c)))),
      this.o.store.deployed(entityRef, environment),
      index > 0 && kind === 'promotion'
        ? this.o.store.deployed(entityRef, environments[index - 1].name)
        : Promise.resolve(undefined),
    ]);
    const evidence: Record<string, GateEvidence | null> = {};
    categories.forEach((c, i) => {
      const r = citedRecords[i];
      evidence[c] = r && this.gateEvidence(r, cite(release, c)!, c);
    });
    // the previous release's load test (what it cites), for the regression rule
    let previous: {
      version: string;
      hash: string;
      loadTest: GateEvidence | null;
    } | null = null;
    if (
      kind === 'promotion' &&
      deployed &&
      deployed.releaseHash !== release.hash
    ) {
      const prevRelease =
        (await this.o.store.getRelease(deployed.releaseHash)) ?? undefined;
      const hash = cite(prevRelease, 'load-test');
      const prevLoad = await read('load-test', hash);
      previous = {
        version: deployed.version,
        hash: deployed.releaseHash,
        loadTest: prevLoad && this.gateEvidence(prevLoad, hash!, 'load-test'),
      };
    }
    const scorecard = await this.scorecard(entityRef, policy);
    const approvalsRequired =
      mode === 'compliance' ? policy.approvals?.required ?? 0 : 0;
    const evaluation = evaluateGates({
      policy,
      mode,
      evidence,
      release: {
        version: release.version,
        hash: release.hash,
        producer: release.producer,
        artifacts: release.artifacts,
      },
      requester,
      previousRelease: previous && {
        version: previous.version,
        hash: previous.hash,
        loadTest: previous.loadTest,
      },
      approvals,
      scorecard,
      now: this.now(),
      path:
        before === undefined
          ? null
          : {
              previousEnvironment: environments[index - 1].name,
              deployedThere: before?.releaseHash === release.hash,
              deployedVersion: before?.version ?? null,
            },
    });
    return { evaluation, mode, approvalsRequired, deployed };
  }

  /**
   * A cited record for the gates: verified only when its full check passed
   * (hash, chain link, inclusion). A hash the log does not have is evidence
   * that does not verify (fail closed), not missing evidence.
   */
  private gateEvidence(
    r: { record: EvidenceStoredRecord | null; check: RecordCheck },
    hash: string,
    category: string,
  ): GateEvidence {
    if (r.record) {
      return { envelope: r.record.envelope, hash, verified: r.check.ok };
    }
    return {
      envelope: {
        category,
        summary: {},
        producedAt: '',
        recordedAt: '',
        producer: '',
      },
      hash,
      verified: false,
    };
  }

  private async scorecard(entityRef: string, policy: PromotionPolicy) {
    if (!policy.minScorecardLevel) return undefined;
    if (!this.o.scorecards) return null;
    try {
      const level = await this.o.scorecards.getLevel(entityRef, {
        credentials: await this.credentials(),
      });
      if (!level) return null;
      return {
        level: level.level === 'none' ? null : level.level,
        levels: SCORECARD_LEVELS,
        hash: level.resultHash,
      };
    } catch (e) {
      this.o.logger.warn(
        `promotion: scorecard of ${entityRef} not available: ${e}`,
      );
      return null; // fail closed
    }
  }

  async preview(
    entityRef: string,
    environment: string,
    releaseHash: ReleaseSelector,
    actor: string,
  ): Promise<PromotionPreview> {
    const release = await this.resolveRelease(entityRef, releaseHash);
    const r = await this.evaluate(entityRef, environment, release, actor, []);
    return { ...r, release };
  }

  // ------------------------------------------------------------- evidence

  private async record(
    p: PromotionRow,
    kind: PromotionEvidenceKind,
    step: string,
    extra: {
      actor: string;
      inputs: string[];
      summary?: Record<string, string | number | boolean | null>;
      payload?: Record<string, unknown>;
    },
  ): Promise<string> {
    const credentials = await this.credentials();
    const at = this.now().toISOString();
    const result = await this.o.evidence.service.append(
      {
        entityRef: p.entityRef,
        category: 'promotion',
        subject: {
          version: p.version,
          environment: p.environment,
          runId: p.id,
        },
        summary: {
          kind,
          actor: extra.actor,
          environment: p.environment,
          version: p.version,
          releaseHash: p.releaseHash,
          promotionId: p.id,
          mode: p.mode,
          inputs: [...new Set(extra.inputs)].join(','),
          ...(p.planId ? { planId: p.planId } : {}),
          ...(p.demo ? { demo: true } : {}),
          ...(extra.summary ?? {}),
        },
        payload: {
          kind,
          promotionId: p.id,
          entityRef: p.entityRef,
          environment: p.environment,
          version: p.version,
          releaseHash: p.releaseHash,
          actor: extra.actor,
          inputs: [...new Set(extra.inputs)],
          ...(extra.payload ?? {}),
        },
        producedAt: at,
        idempotencyKey: `assay-promotion:${p.id}:${step}`,
      },
      { credentials },
    );
    await this.o.store.addEvidenceHash(p.id, result.hash);
    return result.hash;
  }

  private recordDecision(p: PromotionRow, actor: string, step: string) {
    return this.record(p, 'gate-decision', step, {
      actor,
      inputs: p.evaluation.inputs,
      summary: {
        allowed: p.evaluation.allowed,
        decision: p.evaluation.summary,
        failing: p.evaluation.gates
          .filter(g => g.status === 'fail')
          .map(g => g.id)
          .join(','),
      },
      payload: { evaluation: p.evaluation },
    });
  }

  /** The final record: the only one with `outcome`. */
  private async recordFinal(id: string, actor: string) {
    const p = (await this.o.store.getPromotion(id))!;
    await this.record(p, p.kind, 'final', {
      actor,
      inputs: [
        ...p.evaluation.inputs,
        ...p.approvals.flatMap(a => (a.hash ? [a.hash] : [])),
      ],
      summary: {
        outcome: p.status,
        leadTimeSeconds: p.leadTimeSeconds ?? null,
        requestedBy: p.requestedBy,
        ...(p.error ? { error: p.error.slice(0, 500) } : {}),
      },
      payload: {
        status: p.status,
        requestedBy: p.requestedBy,
        requestedAt: p.requestedAt,
        finishedAt: p.finishedAt,
        approvals: p.approvals,
        previousReleaseHash: p.previousReleaseHash,
        evaluation: p.evaluation,
        error: p.error,
      },
    });
  }

  // ------------------------------------------------------------ promotions

  async get(id: string) {
    return this.o.store.getPromotion(id);
  }

  async deployedRelease(entityRef: string, environment: string) {
    return this.o.store.deployed(entityRef, environment);
  }

  async activePromotion(entityRef: string, environment: string) {
    return (await this.o.store.activePromotion(entityRef, environment)) ?? null;
  }

  async promote(
    entityRef: string,
    environment: string,
    releaseHash: ReleaseSelector,
    actor: string,
    opts: { planId?: string; demo?: boolean } = {},
  ): Promise<Promotion> {
    const release = await this.resolveRelease(entityRef, releaseHash);
    return this.start(
      'promotion',
      entityRef,
      environment,
      release,
      actor,
      opts,
    );
  }

  async rollback(
    entityRef: string,
    environment: string,
    toReleaseHash: string,
    actor: string,
    opts: { planId?: string; reason?: string; demo?: boolean } = {},
  ): Promise<Promotion> {
    const release = await this.rollbackTarget(
      entityRef,
      environment,
      toReleaseHash,
    );
    return this.start('rollback', entityRef, environment, release, actor, opts);
  }

  /**
   * A rollback restores what ran before: its target must be a release that
   * was deployed to that environment (a succeeded promotion or rollback in
   * the store's history) and is not the one running now. Anything else is
   * a promotion and passes the approval and path gates (400 otherwise).
   */
  async rollbackTarget(
    entityRef: string,
    environment: string,
    toReleaseHash: string,
  ): Promise<Release> {
    const release = await this.getRelease(entityRef, toReleaseHash);
    await this.target(entityRef, environment); // 400 for an unknown environment
    const deployed = await this.o.store.deployed(entityRef, environment);
    if (deployed?.releaseHash === release.hash) {
      throw new ConflictError(
        `releaseHash: ${release.version} already runs in ${environment} of ${entityRef}; nothing to roll back to`,
      );
    }
    if (
      !(await this.o.store.wasDeployed(entityRef, environment, release.hash))
    ) {
      throw new InputError(
        `releaseHash: ${release.version} (${release.hash}) was never deployed to ${environment} of ${entityRef}; promote it instead`,
      );
    }
    return release;
  }

  private async start(
    kind: 'promotion' | 'rollback',
    entityRef: string,
    environment: string,
    release: Release,
    actor: string,
    opts: { planId?: string; reason?: string; demo?: boolean },
  ): Promise<Promotion> {
    const active = await this.o.store.activePromotion(entityRef, environment);
    if (active) {
      throw new ConflictError(
        `A ${active.kind} of ${entityRef} to ${environment} is already ${active.status} (${active.id})`,
      );
    }
    const { evaluation, mode, approvalsRequired, deployed } =
      await this.evaluate(entityRef, environment, release, actor, [], kind);
    if (deployed?.releaseHash === release.hash) {
      throw new ConflictError(
        `${release.version} already runs in ${environment} of ${entityRef}`,
      );
    }
    const blocked = blockingFailures(evaluation).length > 0;
    const status = statusOf(evaluation);
    const now = this.now().toISOString();
    const row: PromotionRow = {
      id: randomUUID(),
      entityRef,
      environment,
      kind,
      version: release.version,
      releaseHash: release.hash,
      status,
      requestedBy: actor,
      requestedAt: now,
      finishedAt: blocked ? now : null,
      mode,
      evaluation,
      approvalsRequired,
      evidenceHashes: [],
      leadTimeSeconds: null,
      previousReleaseHash: deployed?.releaseHash ?? null,
      planId: opts.planId ?? null,
      error: blocked ? evaluation.summary : reasonText(opts.reason),
      demo: opts.demo,
    };
    await this.o.store.insertPromotion(row); // 409 on a concurrent start
    await this.recordDecision(row, actor, 'decision-0');
    if (status === 'blocked') {
      await this.recordFinal(row.id, actor);
    } else if (status === 'running') {
      await this.run(row.id, actor);
    }
    return (await this.o.store.getPromotion(row.id))!;
  }

  /** Deploys a running promotion and records its outcome. */
  private async run(id: string, actor: string): Promise<void> {
    const p = (await this.o.store.getPromotion(id))!;
    const release = (await this.o.store.getRelease(p.releaseHash))!;
    const previous = await this.o.store.deployed(p.entityRef, p.environment);
    let ref: string | null = null;
    let error: string | null = null;
    try {
      const r = await this.o.provider.deploy({
        entityRef: p.entityRef,
        environment: p.environment,
        release,
        previous,
        actor,
        kind: p.kind,
        promotionId: p.id,
      });
      ref = r.ref;
    } catch (e) {
      error = `deployment failed (${this.o.provider.name}): ${
        (e as Error).message
      }`;
    }
    const finishedAt = this.now().toISOString();
    const lead =
      (Date.parse(finishedAt) - Date.parse(release.createdAt)) / 1000;
    await this.o.store.db.transaction(async tx => {
      const ok = await this.o.store.updatePromotion(
        id,
        'running',
        error
          ? { status: 'failed', finishedAt, error }
          : {
              status: p.kind === 'rollback' ? 'rolled-back' : 'succeeded',
              finishedAt,
              leadTimeSeconds:
                p.kind === 'promotion' && Number.isFinite(lead)
                  ? Math.max(0, Math.round(lead))
                  : null,
            },
        tx,
      );
      if (!ok) throw new ConflictError(`promotion ${id} changed meanwhile`);
      if (!error) {
        await this.o.store.setDeployed(
          {
            entityRef: p.entityRef,
            environment: p.environment,
            releaseHash: p.releaseHash,
            version: p.version,
            deployedAt: finishedAt,
            promotionId: p.id,
            deploymentRef: ref,
          },
          tx,
        );
      }
    });
    await this.recordFinal(id, actor);
  }

  /**
   * Approves a promotion awaiting approval. Separation of duties: the
   * requester and the release's producer may not approve (403 with why).
   */
  async approve(
    id: string,
    approver: string,
    comment?: string,
  ): Promise<Promotion> {
    const p = await this.o.store.getPromotion(id);
    if (!p) throw new NotFoundError(`No promotion ${id}`);
    if (p.status !== 'awaiting-approval') {
      throw new ConflictError(
        `Promotion ${id} is ${p.status}, not awaiting approval`,
      );
    }
    const release = (await this.o.store.getRelease(p.releaseHash))!;
    // entity refs compare case-insensitively (user:default/Bob is user:default/bob)
    const same = (x: string | null | undefined) =>
      !!x &&
      x.toLocaleLowerCase('en-US') === approver.toLocaleLowerCase('en-US');
    if (same(p.requestedBy)) {
      throw new NotAllowedError(
        'you requested this promotion; a different person must approve it',
      );
    }
    if (same(release.producer)) {
      throw new NotAllowedError(
        'you produced this release; a different person must approve it',
      );
    }
    if (p.approvals.some(a => same(a.approver))) {
      throw new ConflictError(`${approver} has already approved ${id}`);
    }
    const now = this.now();
    const approvedAt = now.toISOString();
    const expiresAt = new Date(
      now.getTime() + this.o.config.approvalMaxAgeHours * 3_600_000,
    ).toISOString();
    const hash = await this.record(p, 'approval', `approval:${approver}`, {
      actor: approver,
      inputs: [p.releaseHash],
      summary: { approvedAt, expiresAt },
      payload: { approvedAt, expiresAt, comment: comment ?? null },
    });
    await this.o.store.insertApproval(id, {
      approver,
      approvedAt,
      expiresAt,
      hash,
      releaseHash: p.releaseHash,
      comment: comment ?? null,
    });
    return this.reconsider(id, approver);
  }

  /** Re-evaluates an awaiting promotion with its approvals. */
  private async reconsider(id: string, actor: string): Promise<Promotion> {
    const p = (await this.o.store.getPromotion(id))!;
    const release = (await this.o.store.getRelease(p.releaseHash))!;
    const approvals: PromotionApproval[] = p.approvals.map(a => ({
      approver: a.approver,
      releaseHash: a.releaseHash ?? p.releaseHash,
      approvedAt: a.approvedAt,
      expiresAt: a.expiresAt,
      hash: a.hash ?? undefined,
    }));
    const { evaluation } = await this.evaluate(
      p.entityRef,
      p.environment,
      release,
      p.requestedBy,
      approvals,
      p.kind,
    );
    const blocked = blockingFailures(evaluation).length > 0;
    const now = this.now().toISOString();
    const status = statusOf(evaluation);
    const ok = await this.o.store.updatePromotion(id, 'awaiting-approval', {
      status,
      evaluation,
      ...(blocked ? { finishedAt: now, error: evaluation.summary } : {}),
    });
    if (!ok) throw new ConflictError(`promotion ${id} changed meanwhile`);
    await this.recordDecision(
      { ...p, evaluation },
      actor,
      `decision-${p.approvals.length}`,
    );
    if (status === 'blocked') await this.recordFinal(id, actor);
    if (status === 'running') await this.run(id, actor);
    return (await this.o.store.getPromotion(id))!;
  }

  /** Cancels a promotion awaiting approval (no outcome: it never ran). */
  async cancel(id: string, actor: string, reason?: string): Promise<Promotion> {
    const p = await this.o.store.getPromotion(id);
    if (!p) throw new NotFoundError(`No promotion ${id}`);
    const ok = await this.o.store.updatePromotion(id, 'awaiting-approval', {
      status: 'cancelled',
      finishedAt: this.now().toISOString(),
      error: `cancelled by ${actor}${reason ? `: ${reason}` : ''}`,
    });
    if (!ok) {
      throw new ConflictError(
        `Promotion ${id} is ${p.status}; only one awaiting approval can be cancelled`,
      );
    }
    await this.record(p, p.kind, 'cancel', {
      actor,
      inputs: p.evaluation.inputs,
      summary: { cancelled: true, reason: reason ?? null },
    });
    return (await this.o.store.getPromotion(id))!;
  }

  async history(entityRef: string, opts: { limit: number; cursor?: string }) {
    return this.o.store.history(entityRef, opts);
  }

  // ------------------------------------------------------------------ KPIs

  /**
   * KPIs over finished promotions, per entity, per team (owner from the
   * catalog) and overall. `readable` filters the entities the caller may see.
   */
  async kpis(opts: {
    entityRef?: string;
    owner?: string;
    readable: (entityRefs: string[]) => Promise<Set<string>>;
  }): Promise<{
    overall: PromotionKpi;
    entities: PromotionKpi[];
    teams: PromotionKpi[];
  }> {
    const rows = await this.o.store.promotionsForKpis(
      opts.entityRef ? [opts.entityRef] : undefined,
    );
    const refs = [...new Set(rows.map(r => r.entityRef))].sort();
    const visible = await opts.readable(refs);
    const { items } = refs.length
      ? await this.o.catalog.getEntitiesByRefs(
          {
            entityRefs: refs,
            fields: ['kind', 'metadata', 'spec.owner', 'relations'],
          },
          { credentials: await this.credentials() },
        )
      : { items: [] };
    const ownerOf = new Map<string, string>();
    refs.forEach((ref, i) => {
      const e = items[i];
      const rel = e?.relations?.find(r => r.type === 'ownedBy')?.targetRef;
      const spec = e?.spec?.owner;
      let owner = rel ?? 'unknown';
      if (!rel && typeof spec === 'string') {
        owner = spec.includes(':')
          ? spec
          : `group:${e?.metadata.namespace ?? 'default'}/${spec}`;
      }
      ownerOf.set(ref, owner.toLocaleLowerCase('en-US'));
    });
    const wantedOwner = opts.owner?.toLocaleLowerCase('en-US');
    const kept = rows.filter(
      r =>
        visible.has(r.entityRef) &&
        (!wantedOwner || ownerOf.get(r.entityRef) === wantedOwner),
    );
    const group = (key: (r: (typeof kept)[number]) => string) => {
      const m = new Map<string, typeof kept>();
      for (const r of kept) {
        const k = key(r);
        m.set(k, [...(m.get(k) ?? []), r]);
      }
      return [...m.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, list]) => promotionKpi(k, list));
    };
    return {
      overall: promotionKpi('overall', kept),
      entities: group(r => r.entityRef),
      teams: group(r => ownerOf.get(r.entityRef) ?? 'unknown'),
    };
  }
}
