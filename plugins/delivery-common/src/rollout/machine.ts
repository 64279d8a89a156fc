import {
  RolloutCausalChain,
  RolloutConfig,
  RolloutEffect,
  RolloutEvent,
  RolloutPhase,
  RolloutState,
  RolloutStep,
  RolloutTransition,
  RolloutTransitionErrorCode,
} from './types';

/** Rollout defaults (the seeds: 10 → 50 → 100, 2 retries at 120 s). @public */
export const ROLLOUT_DEFAULTS = {
  steps: [10, 50, 100],
  intervalSeconds: 300,
  retries: 2,
  retryIntervalSeconds: 120,
  /** Argo Rollouts' default consecutiveErrorLimit. */
  consecutiveErrorLimit: 4,
  onErrorLimit: 'pause',
} as const;

/** An illegal transition (the state is unchanged). @public */
export class RolloutTransitionError extends Error {
  readonly name = 'RolloutTransitionError';
  constructor(
    readonly code: RolloutTransitionErrorCode,
    readonly phase: RolloutPhase,
    readonly event: string,
    message: string,
  ) {
    super(message);
  }
}

/** Initial state for a rollout config (not started: send `start`). @public */
export function initialRolloutState(config: RolloutConfig): RolloutState {
  const steps: RolloutStep[] = config.steps.length
    ? config.steps
    : ROLLOUT_DEFAULTS.steps.map(weight => ({ weight }));
  return {
    phase: 'running',
    steps: steps.map(s => s.weight),
    stepSettings: steps.map(s => ({
      ...(s.intervalSeconds !== undefined
        ? { intervalSeconds: s.intervalSeconds }
        : {}),
      ...(s.analysis !== undefined ? { analysis: s.analysis } : {}),
    })),
    stepIndex: -1,
    weight: 0,
    attempt: 0,
    failedAttempts: 0,
    retries: config.retries ?? ROLLOUT_DEFAULTS.retries,
    intervalSeconds: config.intervalSeconds ?? ROLLOUT_DEFAULTS.intervalSeconds,
    retryIntervalSeconds:
      config.retryIntervalSeconds ?? ROLLOUT_DEFAULTS.retryIntervalSeconds,
    reason: null,
    pausedBy: null,
    causalChain: null,
    consecutiveErrors: 0,
    consecutiveErrorLimit:
      config.consecutiveErrorLimit ?? ROLLOUT_DEFAULTS.consecutiveErrorLimit,
    onErrorLimit: config.onErrorLimit ?? ROLLOUT_DEFAULTS.onErrorLimit,
  };
}

/** True when the run can no longer change. @public */
export function isRolloutEnded(phase: RolloutPhase): boolean {
  return (
    phase === 'succeeded' || phase === 'rolled_back' || phase === 'aborted'
  );
}

const intervalOf = (s: RolloutState, i: number) =>
  s.stepSettings?.[i]?.intervalSeconds ?? s.intervalSeconds;
const analysedAt = (s: RolloutState, i: number) =>
  s.stepSettings?.[i]?.analysis ?? true;

/** Effect that waits out the current step: an analysis, or a plain advance. */
function waitEffect(
  s: RolloutState,
  i: number,
  seconds?: number,
): RolloutEffect {
  const afterSeconds = seconds ?? intervalOf(s, i);
  return analysedAt(s, i)
    ? { type: 'scheduleAnalysis', afterSeconds }
    : { type: 'scheduleAdvance', afterSeconds };
}

function enterStep(
  s: RolloutState,
  index: number,
  why: string,
  extra: RolloutEffect[] = [],
): RolloutTransition {
  const from = s.weight;
  const last = index >= s.steps.length - 1;
  const weight = last ? 100 : s.steps[index];
  if (last || weight >= 100) {
    const reason = `${why}; step ${index + 1} of ${
      s.steps.length
    } is 100%: canary fully promoted`;
    return {
      state: {
        ...s,
        phase: 'succeeded',
        stepIndex: index,
        weight: 100,
        attempt: 0,
        failedAttempts: 0,
        reason,
        pausedBy: null,
      },
      effects: [
        ...extra,
        { type: 'setWeight', weight: 100 },
        { type: 'cancelAnalysis' },
        {
          type: 'recordEvidence',
          kind: 'completed',
          summary: reason,
          step: index,
          fromWeight: from,
          toWeight: 100,
        },
      ],
      outcome: 'complete',
    };
  }
  const reason = `${why}; step ${index + 1} of ${
    s.steps.length
  }: ${weight}% to the canary`;
  const next: RolloutState = {
    ...s,
    phase: 'running',
    stepIndex: index,
    weight,
    attempt: 0,
    failedAttempts: 0,
    reason,
    pausedBy: null,
  };
  return {
    state: next,
    effects: [
      ...extra,
      { type: 'setWeight', weight },
      waitEffect(next, index),
      {
        type: 'recordEvidence',
        kind: index === 0 ? 'started' : 'step',
        summary: reason,
        step: index,
        fromWeight: from,
        toWeight: weight,
      },
    ],
    outcome: index === 0 ? 'start' : 'advance',
  };
}

function illegal(
  s: RolloutState,
  e: { type: string },
  code: RolloutTransitionErrorCode,
  message: string,
): never {
  throw new RolloutTransitionError(code, s.phase, e.type, message);
}

/**
 * The rollout state machine: every decision of a canary run. Pure — the
 * engine persists `state`, then performs `effects` (traffic, scheduling,
 * evidence). Throws {@link RolloutTransitionError} for an illegal event
 * (use {@link tryTransition} for a result value instead).
 *
 * - `start`: step 1 at its weight, analysis scheduled after its interval.
 * - `verdict` Pass: next step (100 % = succeeded). Marginal: pause for a
 *   human. Fail: retry after retryIntervalSeconds while retries remain,
 *   then roll back (weight 0) with the causal chain as evidence.
 * - `advance`: a step without analysis has served its interval.
 * - `metricError`: the metrics could not be read; retried after
 *   retryIntervalSeconds until more than consecutiveErrorLimit (default 4)
 *   errors in a row, then paused (default) or aborted, the rule and the last
 *   error as the causal chain. A verdict or a resume ends the run of errors.
 * - `pause` / `resume` / `abort` / `promote` (to 100 % now): manual actions.
 * @public
 */
export function transition(
  state: RolloutState,
  e: RolloutEvent,
): RolloutTransition {
  let s = state;
  if (isRolloutEnded(s.phase)) {
    illegal(s, e, 'ended', `the run has already ${s.phase.replace('_', ' ')}`);
  }
  const started = s.stepIndex >= 0;
  const step = s.stepIndex;
  switch (e.type) {
    case 'start':
      if (started)
        illegal(s, e, 'already_started', 'the run has already started');
      return enterStep(s, 0, 'started');
    case 'verdict': {
      if (!started) illegal(s, e, 'not_started', 'the run has not started');
      if (s.phase !== 'running') {
        illegal(
          s,
          e,
          'not_running',
          `a verdict is only taken while running (the run is ${s.phase})`,
        );
      }
      if (!analysedAt(s, step)) {
        illegal(s, e, 'not_analysing', `step ${step + 1} has no analysis`);
      }
      const attempt = s.attempt + 1;
      // a verdict means the metrics answered: the run of errors ends
      s = { ...s, consecutiveErrors: 0 };
      const judged = `analysis ${attempt} at step ${step + 1} (${s.weight}%): ${
        e.classification
      }`;
      const verdictEvidence: RolloutEffect = {
        type: 'recordEvidence',
        kind: 'verdict',
        summary: `${judged} — ${e.reason}`,
        step,
        fromWeight: s.weight,
        toWeight: s.weight,
        ...(e.inputs ? { inputs: e.inputs } : {}),
      };
      if (e.classification === 'Pass') {
        return enterStep({ ...s, attempt }, step + 1, judged, [
          verdictEvidence,
        ]);
      }
      if (e.classification === 'Marginal') {
        const reason = `Inconclusive: ${judged}; paused for a human to resume, promote or abort — ${e.reason}`;
        return {
          state: {
            ...s,
            attempt,
            phase: 'paused',
            pausedBy: 'inconclusive',
            reason,
          },
          effects: [
            verdictEvidence,
            { type: 'cancelAnalysis' },
            {
              type: 'recordEvidence',
              kind: 'paused',
              summary: reason,
              step,
              fromWeight: s.weight,
              toWeight: s.weight,
            },
          ],
          outcome: 'pause',
        };
      }
      const failedAttempts = (s.failedAttempts ?? 0) + 1;
      if (failedAttempts <= s.retries) {
        const reason = `${judged}; retry ${failedAttempts} of ${s.retries} in ${s.retryIntervalSeconds} s — ${e.reason}`;
        return {
          state: { ...s, attempt, failedAttempts, reason },
          effects: [
            verdictEvidence,
            { type: 'scheduleAnalysis', afterSeconds: s.retryIntervalSeconds },
            {
              type: 'recordEvidence',
              kind: 'retry',
              summary: reason,
              step,
              fromWeight: s.weight,
              toWeight: s.weight,
            },
          ],
          outcome: 'retry',
        };
      }
      const reason = `${judged} after ${s.retries} ${
        s.retries === 1 ? 'retry' : 'retries'
      }: rolled back to the stable version — ${e.reason}`;
      const chain = e.cause ?? {
        step,
        weight: s.weight,
        metric: null,
        classification: e.classification,
        canary: null,
        baseline: null,
        estimate: null,
        confidenceInterval: null,
        rule: e.reason,
        actor: null,
      };
      return {
        state: {
          ...s,
          attempt,
          phase: 'rolled_back',
          failedAttempts,
          weight: 0,
          reason,
          pausedBy: null,
          causalChain: chain,
        },
        effects: [
          verdictEvidence,
          { type: 'setWeight', weight: 0 },
          { type: 'cancelAnalysis' },
          {
            type: 'recordEvidence',
            kind: 'rollback',
            summary: reason,
            step,
            fromWeight: s.weight,
            toWeight: 0,
            causalChain: chain,
            ...(e.inputs ? { inputs: e.inputs } : {}),
          },
        ],
        outcome: 'rollback',
      };
    }
    case 'metricError': {
      if (!started) illegal(s, e, 'not_started', 'the run has not started');
      if (s.phase !== 'running') {
        illegal(
          s,
          e,
          'not_running',
          `metrics are only read while running (the run is ${s.phase})`,
        );
      }
      if (!analysedAt(s, step)) {
        illegal(s, e, 'not_analysing', `step ${step + 1} has no analysis`);
      }
      const errors = (s.consecutiveErrors ?? 0) + 1;
      const limit =
        s.consecutiveErrorLimit ?? ROLLOUT_DEFAULTS.consecutiveErrorLimit;
      const at = `step ${step + 1} (${s.weight}%)`;
      if (errors <= limit) {
        const reason = `metrics unavailable at ${at}: ${errors} consecutive error${
          errors === 1 ? '' : 's'
        } (limit ${limit}); retrying in ${s.retryIntervalSeconds} s — ${
          e.error
        }`;
        return {
          state: { ...s, consecutiveErrors: errors, reason },
          effects: [
            { type: 'scheduleAnalysis', afterSeconds: s.retryIntervalSeconds },
            {
              type: 'recordEvidence',
              kind: 'retry',
              summary: reason,
              step,
              fromWeight: s.weight,
              toWeight: s.weight,
            },
          ],
          outcome: 'retry',
        };
      }
      const rule = `consecutiveErrors (${errors}) > consecutiveErrorLimit (${limit})`;
      const chain: RolloutCausalChain = {
        step,
        weight: s.weight,
        metric: null,
        classification: 'Error',
        canary: null,
        baseline: null,
        estimate: null,
        confidenceInterval: null,
        rule: `${rule}: the metrics could not be read — last error: ${e.error}`,
        actor: null,
      };
      if ((s.onErrorLimit ?? ROLLOUT_DEFAULTS.onErrorLimit) === 'abort') {
        const reason = `aborted at ${at}: ${rule}; traffic back to the stable version — last error: ${e.error}`;
        return {
          state: {
            ...s,
            phase: 'aborted',
            consecutiveErrors: errors,
            weight: 0,
            reason,
            pausedBy: null,
            causalChain: chain,
          },
          effects: [
            { type: 'setWeight', weight: 0 },
            { type: 'cancelAnalysis' },
            {
              type: 'recordEvidence',
              kind: 'aborted',
              summary: reason,
              step,
              fromWeight: s.weight,
              toWeight: 0,
              causalChain: chain,
            },
          ],
          outcome: 'abort',
        };
      }
      const reason = `paused at ${at}: ${rule}; the weight stays at ${s.weight}% until a human resumes, promotes or aborts — last error: ${e.error}`;
      return {
        state: {
          ...s,
          phase: 'paused',
          pausedBy: 'errors',
          consecutiveErrors: errors,
          reason,
          causalChain: chain,
        },
        effects: [
          { type: 'cancelAnalysis' },
          {
            type: 'recordEvidence',
            kind: 'paused',
            summary: reason,
            step,
            fromWeight: s.weight,
            toWeight: s.weight,
            causalChain: chain,
          },
        ],
        outcome: 'pause',
      };
    }
    case 'advance':
      if (!started) illegal(s, e, 'not_started', 'the run has not started');
      if (s.phase !== 'running') {
        illegal(s, e, 'not_running', `the run is ${s.phase}`);
      }
      if (analysedAt(s, step)) {
        illegal(
          s,
          e,
          'not_analysing',
          `step ${step + 1} advances on a verdict, not on time`,
        );
      }
      return enterStep(
        s,
        step + 1,
        `step ${step + 1} (${s.weight}%) served its interval`,
      );
    case 'pause': {
      if (!started) illegal(s, e, 'not_started', 'the run has not started');
      if (s.phase !== 'running')
        illegal(s, e, 'not_running', `cannot pause a ${s.phase} run`);
      const reason = `paused by ${e.actor} at step ${step + 1} (${s.weight}%)${
        e.reason ? `: ${e.reason}` : ''
      }`;
      return {
        state: { ...s, phase: 'paused', pausedBy: 'manual', reason },
        effects: [
          { type: 'cancelAnalysis' },
          {
            type: 'recordEvidence',
            kind: 'paused',
            summary: reason,
            step,
            fromWeight: s.weight,
            toWeight: s.weight,
          },
        ],
        outcome: 'pause',
      };
    }
    case 'resume': {
      if (s.phase !== 'paused')
        illegal(s, e, 'not_paused', `cannot resume a ${s.phase} run`);
      const reason = `resumed by ${e.actor} at step ${step + 1} (${s.weight}%)${
        e.reason ? `: ${e.reason}` : ''
      }`;
      const next: RolloutState = {
        ...s,
        phase: 'running',
        pausedBy: null,
        consecutiveErrors: 0,
        // the chain of an error pause explained the pause, not an end
        causalChain: s.pausedBy === 'errors' ? null : s.causalChain,
        reason,
      };
      return {
        state: next,
        effects: [
          waitEffect(next, step),
          {
            type: 'recordEvidence',
            kind: 'resumed',
            summary: reason,
            step,
            fromWeight: s.weight,
            toWeight: s.weight,
          },
        ],
        outcome: 'resume',
      };
    }
    case 'abort': {
      const reason = `aborted by ${e.actor} at step ${Math.max(step, 0) + 1} (${
        s.weight
      }%): traffic back to the stable version${
        e.reason ? ` — ${e.reason}` : ''
      }`;
      const chain = {
        step: Math.max(step, 0),
        weight: s.weight,
        metric: null,
        classification: null,
        canary: null,
        baseline: null,
        estimate: null,
        confidenceInterval: null,
        rule: e.reason ? `manual abort: ${e.reason}` : 'manual abort',
        actor: e.actor,
      };
      return {
        state: {
          ...s,
          phase: 'aborted',
          weight: 0,
          reason,
          pausedBy: null,
          causalChain: chain,
        },
        effects: [
          { type: 'setWeight', weight: 0 },
          { type: 'cancelAnalysis' },
          {
            type: 'recordEvidence',
            kind: 'aborted',
            summary: reason,
            step: Math.max(step, 0),
            fromWeight: s.weight,
            toWeight: 0,
            causalChain: chain,
          },
        ],
        outcome: 'abort',
      };
    }
    case 'promote': {
      if (!started) illegal(s, e, 'not_started', 'the run has not started');
      const reason = `promoted to 100% by ${e.actor} from step ${step + 1} (${
        s.weight
      }%), skipping ${s.steps.length - 1 - step} remaining step(s)${
        e.reason ? `: ${e.reason}` : ''
      }`;
      return {
        state: {
          ...s,
          phase: 'succeeded',
          weight: 100,
          stepIndex: s.steps.length - 1,
          attempt: 0,
          reason,
          pausedBy: null,
        },
        effects: [
          { type: 'setWeight', weight: 100 },
          { type: 'cancelAnalysis' },
          {
            type: 'recordEvidence',
            kind: 'promoted',
            summary: reason,
            step,
            fromWeight: s.weight,
            toWeight: 100,
          },
        ],
        outcome: 'complete',
      };
    }
    default:
      return illegal(
        s,
        e,
        'unknown_event',
        `unknown event "${(e as { type: string }).type}"`,
      );
  }
}

/**
 * {@link transition} returning the typed error instead of throwing it.
 * @public
 */
export function tryTransition(
  s: RolloutState,
  e: RolloutEvent,
):
  | ({ ok: true } & RolloutTransition)
  | { ok: false; error: RolloutTransitionError } {
  try {
    return { ok: true, ...transition(s, e) };
  } catch (err) {
    if (err instanceof RolloutTransitionError) return { ok: false, error: err };
    throw err;
  }
}
