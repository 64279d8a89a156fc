import type { AnalysisRow, EventRow, RunRow } from '../store/types';
import type { EngineState } from '../engine/CanaryEngine';

/** Run summary as served by the API (RunSummary in openapi.yaml). */
export function toSummary(run: RunRow, analyses: AnalysisRow[] = []) {
  const m = (run.state as EngineState).machine;
  const steps = run.config.steps.map(({ weight }, index) => {
    const at = analyses.filter(a => a.step === index);
    let status:
      | 'pending'
      | 'running'
      | 'passed'
      | 'failed'
      | 'paused'
      | 'skipped';
    if (index < m.stepIndex) status = 'passed';
    else if (index > m.stepIndex) {
      // later steps: still to come while active, never reached once ended
      status =
        run.status === 'running' || run.status === 'paused'
          ? 'pending'
          : 'skipped';
    } else {
      status = (
        {
          running: 'running',
          paused: 'paused',
          succeeded: 'passed',
          rolled_back: 'failed',
          aborted: 'failed',
        } as const
      )[run.status];
    }
    return {
      index,
      weight,
      status,
      attempts: at.length,
      startedAt: null as string | null,
      finishedAt: at.length ? at[at.length - 1].at : null,
    };
  });
  return {
    id: run.id,
    entityRef: run.entityRef,
    version: run.version,
    baselineVersion: run.baselineVersion,
    status: run.status,
    currentStep: Math.max(0, m.stepIndex),
    steps,
    requestedWeight: run.requestedWeight,
    observedWeight: run.observedWeight,
    simulation: run.simulation,
    reason: run.reason,
    createdBy: run.createdBy,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    finishedAt: run.finishedAt,
    nextAnalysisAt: run.status === 'running' ? run.nextAt : null,
    demo: run.demo,
  };
}

/** Run detail (RunDetail in openapi.yaml). */
export function toDetail(
  run: RunRow,
  analyses: AnalysisRow[],
  events: EventRow[],
) {
  const summary = toSummary(run, analyses);
  for (const e of events) {
    const step = (e.record.payload as any).step;
    if (
      (e.type === 'step' || e.type === 'succeeded') &&
      typeof step === 'number'
    ) {
      const s = summary.steps[step];
      if (s && !s.startedAt) s.startedAt = e.at;
    }
  }
  // measurements first: an analysis observed the old weight before the
  // decision it led to set a new one (same timestamp, stable sort)
  const weights: Array<{
    at: string;
    requested: number;
    observed: number | null;
  }> = analyses.map(a => ({
    at: a.at,
    requested: a.weight,
    observed: a.observedWeight,
  }));
  for (const e of events) {
    if (e.requestedWeight !== null && e.type !== 'verdict') {
      weights.push({ at: e.at, requested: e.requestedWeight, observed: null });
    }
  }
  weights.sort((a, b) => a.at.localeCompare(b.at));
  return {
    ...summary,
    metrics: run.config.metrics.map(m => ({
      name: m.name,
      unit: m.unit,
      group: m.group,
      description: m.description,
      observeOnly: Boolean(m.observeOnly),
      critical: Boolean(m.critical),
      kind: m.threshold ? ('threshold' as const) : ('statistical' as const),
    })),
    analyses: analyses.map(a => ({
      id: a.id,
      step: a.step,
      weight: a.weight,
      attempt: a.attempt,
      at: a.at,
      verdict: a.verdict,
      outcome: a.outcome,
      observedWeight: a.observedWeight,
      inputsDigest: a.inputsDigest,
      evidenceHash:
        events.find(
          e =>
            e.type === 'verdict' &&
            (e.record.payload as any).step === a.step &&
            (e.record.payload as any).attempt === a.attempt,
        )?.evidenceHash ?? null,
    })),
    measurements: analyses.flatMap(a =>
      a.measurements.map(s => ({
        analysisId: a.id,
        step: a.step,
        attempt: a.attempt,
        metric: s.metric,
        unit: s.unit,
        canary: s.canary,
        baseline: s.baseline,
      })),
    ),
    weights,
    events: events.map(e => ({
      seq: e.seq,
      at: e.at,
      type: e.type,
      actor: e.actor,
      summary: e.summary,
      requestedWeight: e.requestedWeight,
      observedWeight: e.observedWeight,
      inputs: ((e.record.payload as any).inputs as string[]) ?? [],
      evidenceHash: e.evidenceHash,
    })),
    causalChain: run.causalChain,
  };
}
