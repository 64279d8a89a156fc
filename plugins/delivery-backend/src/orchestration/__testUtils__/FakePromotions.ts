import type {
  GateEvaluation,
  Promotion,
  Release,
} from '@assay/plugin-delivery-common';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { PlanPromotionService } from '../types';

export type Behaviour =
  | 'succeed'
  | 'fail' // the deployment fails: status failed
  | 'throw' // the service throws
  | 'block' // compliance gate fails at promotion time: status blocked
  | 'block-preview' // a gate already fails in the preview
  | 'await' // awaiting approval
  | 'hang' // never returns (its backend "dies")
  | 'land-then-hang'; // deploys, then never returns

/** What is deployed where: shared by every fake (the outside world). */
export class World {
  readonly deployed = new Map<
    string,
    { releaseHash: string; version: string }
  >();
  readonly calls: string[] = [];
  active = 0;
  maxActive = 0;
  /** A promotion waits (up to 2 s) until this many run at once. */
  holdUntilActive = 0;
  deploy(entityRef: string, environment: string, releaseHash: string) {
    this.deployed.set(`${environment}|${entityRef}`, {
      releaseHash,
      version: releaseHash.replace(/^rel-/, ''),
    });
  }
}

const evaluation = (allowed: boolean, approvals = true): GateEvaluation => ({
  mode: 'compliance',
  allowed: allowed && approvals,
  gates: [
    {
      id: 'coverage',
      title: 'Coverage',
      status: allowed ? 'pass' : 'fail',
      rule: 'coverage ≥ 70%',
      detail: allowed ? '82%' : '41%',
      inputs: {},
      evidence: ['cov-hash'],
    },
    {
      id: 'approvals',
      title: 'Approvals',
      status: approvals ? 'pass' : 'fail',
      rule: '1 approval',
      detail: approvals ? 'ok' : '0 of 1',
      inputs: {},
      evidence: [],
    },
  ],
  inputs: ['cov-hash'],
  summary: allowed ? 'allowed (compliance)' : 'blocked (compliance): Coverage',
});

/**
 * A small in-memory promotion core that records what the orchestrator asks
 * of it. Behaviours per entity decide each promotion's outcome.
 */
export class FakePromotions implements PlanPromotionService {
  readonly behaviour = new Map<string, Behaviour>();
  readonly promotions = new Map<string, Promotion>();
  readonly cancelled: string[] = [];
  /** Version of each entity's newest release (default 2.0.0). */
  readonly versions = new Map<string, string>();
  private seq = 0;

  constructor(readonly world: World, private readonly delayMs: number = 5) {}

  release(entityRef: string): Release {
    const version = this.versions.get(entityRef) ?? '2.0.0';
    return {
      hash: `rel-${version}`,
      entityRef,
      version,
      producer: 'user:default/ci',
      createdAt: '2026-11-30T07:00:00.000Z',
      evidence: [],
      artifacts: [],
    };
  }

  async preview(entityRef: string, environment: string) {
    if (entityRef.endsWith('/no-release')) {
      throw new NotFoundError(`${entityRef} has no release`);
    }
    const b = this.behaviour.get(entityRef);
    return {
      evaluation: evaluation(b !== 'block-preview', b !== 'await'),
      release: this.release(entityRef),
      approvalsRequired: 1,
      mode: 'compliance' as const,
      deployed: (await this.deployedRelease(entityRef, environment)) as any,
    };
  }

  private promotion(
    entityRef: string,
    environment: string,
    releaseHash: string,
    actor: string,
    kind: 'promotion' | 'rollback',
    status: Promotion['status'],
    planId?: string,
  ): Promotion {
    const p: Promotion = {
      id: `p${++this.seq}`,
      entityRef,
      environment,
      kind,
      version: releaseHash.replace(/^rel-/, ''),
      releaseHash,
      status,
      requestedBy: actor,
      requestedAt: new Date().toISOString(),
      mode: 'compliance',
      evaluation: evaluation(true),
      approvals: [],
      approvalsRequired: 1,
      evidenceHashes: [`ev-${kind}-${this.seq}`],
      planId: planId ?? null,
      error: status === 'failed' ? 'deployment provider: push rejected' : null,
    };
    this.promotions.set(p.id, p);
    return p;
  }

  async promote(
    entityRef: string,
    environment: string,
    releaseHash: string,
    actor: string,
    opts?: { planId?: string },
  ): Promise<Promotion> {
    const { world } = this;
    world.calls.push(`promote ${entityRef}`);
    world.active++;
    world.maxActive = Math.max(world.maxActive, world.active);
    try {
      await new Promise(r => setTimeout(r, this.delayMs));
      for (let t = 0; world.active < world.holdUntilActive && t < 200; t++) {
        await new Promise(r => setTimeout(r, 10));
      }
      const b = this.behaviour.get(entityRef) ?? 'succeed';
      if (b === 'hang' || b === 'land-then-hang') {
        if (b === 'land-then-hang')
          world.deploy(entityRef, environment, releaseHash);
        await new Promise(() => {});
      }
      if (b === 'throw') throw new Error('provider unreachable');
      if (
        [...this.promotions.values()].some(
          p =>
            p.entityRef === entityRef &&
            p.environment === environment &&
            (p.status === 'running' || p.status === 'awaiting-approval'),
        )
      ) {
        throw new ConflictError('a promotion is already active');
      }
      const outcomes: Partial<Record<Behaviour, Promotion['status']>> = {
        fail: 'failed',
        block: 'blocked',
        'block-preview': 'blocked',
        await: 'awaiting-approval',
      };
      const status: Promotion['status'] = outcomes[b] ?? 'succeeded';
      if (status === 'succeeded')
        world.deploy(entityRef, environment, releaseHash);
      return this.promotion(
        entityRef,
        environment,
        releaseHash,
        actor,
        'promotion',
        status,
        opts?.planId,
      );
    } finally {
      world.active--;
    }
  }

  /** A second person approves: the promotion lands. */
  approve(entityRef: string) {
    const p = [...this.promotions.values()].find(
      x => x.entityRef === entityRef && x.status === 'awaiting-approval',
    )!;
    p.status = 'succeeded';
    this.world.deploy(p.entityRef, p.environment, p.releaseHash);
  }

  async get(id: string) {
    const p = this.promotions.get(id);
    return p ? { ...p } : undefined;
  }

  async rollback(
    entityRef: string,
    environment: string,
    toReleaseHash: string,
    actor: string,
    opts?: { planId?: string },
  ): Promise<Promotion> {
    this.world.calls.push(`rollback ${entityRef}`);
    await new Promise(r => setTimeout(r, this.delayMs));
    if (this.behaviour.get(entityRef) === 'throw') {
      throw new Error('provider unreachable');
    }
    this.world.deploy(entityRef, environment, toReleaseHash);
    return this.promotion(
      entityRef,
      environment,
      toReleaseHash,
      actor,
      'rollback',
      'succeeded',
      opts?.planId,
    );
  }

  /** The next this many deployedRelease calls fail (core unreachable). */
  deployedFailures = 0;

  async deployedRelease(entityRef: string, environment: string) {
    if (this.deployedFailures > 0) {
      this.deployedFailures--;
      throw new Error('promotion store unreachable');
    }
    const d = this.world.deployed.get(`${environment}|${entityRef}`);
    return d
      ? {
          entityRef,
          environment,
          ...d,
          deployedAt: '2026-11-30T06:00:00.000Z',
          promotionId: null,
          deploymentRef: null,
        }
      : null;
  }

  async cancel(id: string) {
    this.cancelled.push(id);
    const p = this.promotions.get(id);
    if (p) p.status = 'cancelled';
  }
}
