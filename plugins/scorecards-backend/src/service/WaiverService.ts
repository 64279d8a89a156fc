import { AuthService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { EvidenceService } from '@assay/plugin-evidence-node';
import { Mode, Waiver } from '@assay/plugin-scorecards-common';
import { randomUUID } from 'node:crypto';
import { ScorecardsConfig } from '../config';
import {
  DatabaseScorecardStore,
  withDerivedStatus,
} from '../store/DatabaseScorecardStore';

const DAY_MS = 86_400_000;

/**
 * Waivers: requested with a reason and an expiry (capped, tighter in
 * compliance mode), decided by someone other than the requester, each
 * decision recorded as `waiver` evidence with the plugin's own credentials.
 */
export class WaiverService {
  constructor(
    private readonly options: {
      store: DatabaseScorecardStore;
      evidence: EvidenceService;
      auth: AuthService;
      config: ScorecardsConfig;
      now?: () => Date;
    },
  ) {}

  private now() {
    return this.options.now?.() ?? new Date();
  }

  async request(input: {
    entityRef: string;
    mode: Mode;
    checkId: string;
    reason: string;
    expiresAt: string;
    requestedBy: string;
  }): Promise<Waiver> {
    const { config } = this.options;
    if (!config.checks.some(c => c.id === input.checkId)) {
      throw new InputError(`checkId: unknown check '${input.checkId}'`);
    }
    const now = this.now();
    const expires = Date.parse(input.expiresAt);
    if (!(expires > now.getTime())) {
      throw new InputError('expiresAt: must be in the future');
    }
    const max =
      input.mode === 'compliance'
        ? config.waiverMaxDaysCompliance
        : config.waiverMaxDays;
    if (expires - now.getTime() > max * DAY_MS) {
      throw new InputError(
        `expiresAt: at most ${max} days ahead${
          input.mode === 'compliance' ? ' for an entity in compliance mode' : ''
        }`,
      );
    }
    const waiver: Waiver = {
      id: randomUUID(),
      entityRef: input.entityRef,
      checkId: input.checkId,
      reason: input.reason,
      expiresAt: new Date(expires).toISOString(),
      status: 'pending',
      requestedBy: input.requestedBy,
      requestedAt: now.toISOString(),
    };
    await this.options.store.insertWaiver(waiver);
    return waiver;
  }

  async get(id: string): Promise<Waiver> {
    const w = await this.options.store.getWaiver(id);
    if (!w) throw new NotFoundError(`no waiver '${id}'`);
    const { comment, ...waiver } = w;
    return withDerivedStatus(waiver, this.now().toISOString());
  }

  /**
   * Approves or rejects a pending waiver. The approver must not be the
   * requester. The decision is recorded as `waiver` evidence; if that
   * fails the waiver stays pending.
   */
  async decide(input: {
    id: string;
    decision: 'approved' | 'rejected';
    decidedBy: string;
    comment?: string;
  }): Promise<Waiver> {
    const w = await this.get(input.id);
    if (input.decision === 'approved' && w.requestedBy === input.decidedBy) {
      throw new NotAllowedError(
        `${input.decidedBy} requested this waiver and cannot approve it: someone else with scorecards.waiver.approve on ${w.entityRef} must approve it (separation of duties)`,
      );
    }
    if (w.status !== 'pending') {
      throw new ConflictError(`waiver '${w.id}' is ${w.status}, not pending`);
    }
    const now = this.now().toISOString();
    if (input.decision === 'approved' && w.expiresAt <= now) {
      throw new ConflictError(`waiver '${w.id}' expired at ${w.expiresAt}`);
    }
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const claimed = await this.options.store.decideWaiver(w.id, {
      status: input.decision,
      decidedBy: input.decidedBy,
      decidedAt: now,
      comment: input.comment,
    });
    if (!claimed) {
      throw new ConflictError(`waiver '${w.id}' was decided concurrently`);
    }
    const decided: Waiver = {
      ...w,
      status: input.decision,
      decidedBy: input.decidedBy,
      decidedAt: now,
    };
    try {
      const record = await this.options.evidence.append(
        {
          entityRef: w.entityRef,
          category: 'waiver',
          summary: {
            actor: input.decidedBy,
            decision: input.decision,
            waiverId: w.id,
            checkId: w.checkId,
            requestedBy: w.requestedBy,
            expiresAt: w.expiresAt,
            reason: w.reason,
          },
          payload: {
            actor: input.decidedBy,
            waiver: decided,
            comment: input.comment ?? null,
          },
          idempotencyKey: `waiver-${w.id}-${input.decision}`,
        },
        { credentials },
      );
      await this.options.store.setWaiverEvidence(w.id, record.hash);
      return { ...decided, evidenceHash: record.hash };
    } catch (e) {
      await this.options.store.revertWaiver(w.id);
      throw e;
    }
  }
}
