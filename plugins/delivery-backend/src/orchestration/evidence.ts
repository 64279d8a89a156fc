import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { EvidenceService } from '@assay/plugin-evidence-node';
import { DatabasePlanStore } from './DatabasePlanStore';
import { StepRow } from './types';

/** The `promotion` evidence request of one plan step. */
export function planStepRecord(
  step: StepRow,
  environment: string,
  previousHash: string | null,
) {
  const inputs = [
    ...step.record.inputs,
    ...(previousHash ? [`evidence:${previousHash}`] : []),
  ];
  const { actor, version, releaseHash, promotionId, ...rest } = step.record;
  return {
    entityRef: step.entityRef,
    category: 'promotion',
    subject: { version, environment, runId: step.planId },
    summary: {
      kind: 'plan-step',
      actor,
      environment,
      version,
      releaseHash,
      planId: step.planId,
      wave: step.wave,
      step: step.step,
      // not `outcome`: that field marks the final record of a promotion or
      // rollback, which scorecards count for the success rate
      stepOutcome: step.outcome,
      promotionId: promotionId ?? null,
      inputs: inputs.join(','),
      text: step.text,
    },
    payload: {
      kind: 'assay.promotion.plan-step/v1',
      planId: step.planId,
      seq: step.seq,
      wave: step.wave,
      step: step.step,
      outcome: step.outcome,
      entityRef: step.entityRef,
      environment,
      actor,
      version,
      releaseHash,
      promotionId: promotionId ?? null,
      text: step.text,
      ...rest,
      inputs,
    },
    producedAt: step.at,
    idempotencyKey: `assay-plan:${step.planId}:${step.seq}`,
  };
}

/**
 * Writes the `promotion` evidence record (summary.kind `plan-step`) of every
 * plan step (the steps table is the outbox): in order per plan, with the
 * delivery plugin's own service credentials, idempotent per (plan, seq) so
 * replicas and retries never write a step twice. Each record cites the
 * previous step's record (`evidence:<hash>` in `inputs`), so a plan's steps
 * form one chain across the logs of the entities it promoted.
 */
export class PlanEvidenceWriter {
  constructor(
    private readonly options: {
      store: DatabasePlanStore;
      evidence: EvidenceService;
      auth: AuthService;
      logger: LoggerService;
    },
  ) {}

  async flush(): Promise<number> {
    const { store, evidence, auth, logger } = this.options;
    const pending = await store.pendingSteps(200);
    if (!pending.length) return 0;
    const credentials = await auth.getOwnServiceCredentials();
    const failed = new Set<string>();
    const previous = new Map<string, string | null>();
    const environments = new Map<string, string>();
    let written = 0;
    const sorted = [...pending].sort((a, b) =>
      a.planId === b.planId ? a.seq - b.seq : a.at.localeCompare(b.at),
    );
    for (const s of sorted) {
      if (failed.has(s.planId)) continue;
      if (!previous.has(s.planId)) {
        previous.set(
          s.planId,
          s.seq > 1 ? await store.stepHash(s.planId, s.seq - 1) : null,
        );
        environments.set(
          s.planId,
          (await store.getPlan(s.planId))?.environment ?? '',
        );
      }
      const prev = previous.get(s.planId) ?? null;
      if (s.seq > 1 && !prev) {
        failed.add(s.planId); // an earlier step is still unwritten
        continue;
      }
      try {
        const result = await evidence.append(
          planStepRecord(s, environments.get(s.planId)!, prev) as any,
          { credentials },
        );
        await store.setStepHash(s.planId, s.seq, result.hash);
        previous.set(s.planId, result.hash);
        written++;
      } catch (err) {
        failed.add(s.planId);
        logger.warn(
          `delivery: plan ${s.planId} step #${s.seq} evidence not written yet (will retry): ${err}`,
        );
      }
    }
    return written;
  }
}
