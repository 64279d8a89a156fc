import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  causalChainOf,
  initialRolloutState,
  isRolloutEnded,
  judge,
  RolloutCausalChain,
  RolloutEffect,
  RolloutEvent,
  RolloutState,
  RolloutTransition,
  RolloutTransitionError,
  transition,
} from '@assay/plugin-delivery-common';
import type { JudgeInput } from '@assay/plugin-delivery-common';
import { randomUUID } from 'node:crypto';
import { CanaryConfig, validateSteps } from '../config';
import type { MetricsProvider, TrafficProvider } from '../providers/types';
import { DatabaseCanaryStore } from '../store/DatabaseCanaryStore';
import type {
  AnalysisRow,
  CausalChain,
  NewEvent,
  RunConfig,
  RunRow,
} from '../store/types';
import {
  buildJudgeInput,
  describeSample,
  digestOf,
  toMeasurements,
} from './judgeInput';

/** The run row's `state` column. */
export interface EngineState {
  /** The rollout state machine's state (delivery-common). */
  machine: RolloutState;
  /** Start of the current analysis window (ISO-8601). */
  windowStart: string;
}

export type ManualAction = 'pause' | 'resume' | 'abort' | 'promote';

export interface StartOptions {
  entityRef: string;
  version: string;
  baselineVersion?: string;
  steps?: number[];
  metrics?: string[];
  simulation?: 'healthy' | 'degrading';
  actor: string;
  annotations?: Record<string, string>;
  /** Marks seeded demo runs. */
  demo?: boolean;
}

/** Principal recorded for the engine's own decisions. */
export const ENGINE_ACTOR = 'plugin:delivery';

const iso = (d: Date) => d.toISOString();
const addSeconds = (d: Date, s: number) => new Date(d.getTime() + s * 1000);

/** Next action time from the effects: undefined = unchanged, null = none. */
function scheduleOf(
  effects: RolloutEffect[],
  now: Date,
): string | null | undefined {
  let next: string | null | undefined;
  for (const e of effects) {
    if (e.type === 'scheduleAnalysis' || e.type === 'scheduleAdvance') {
      next = iso(addSeconds(now, e.afterSeconds));
    }
    if (e.type === 'cancelAnalysis') next = null;
  }
  return next;
}

const setsWeight = (effects: RolloutEffect[]) =>
  effects.some(e => e.type === 'setWeight');

/**
 * The canary rollout engine. Every decision comes from delivery-common's
 * pure `transition(state, event)`; this class feeds it verdicts, timer
 * advances and manual actions, persists the new state with a compare-and-set
 * on the run's row version (so concurrent replicas never apply a decision
 * twice), then performs the effects: traffic weight, scheduling and one
 * `canary` evidence record per `recordEvidence` effect (through the outbox).
 */
export class CanaryEngine {
  constructor(
    private readonly options: {
      store: DatabaseCanaryStore;
      metrics: MetricsProvider;
      traffic: TrafficProvider;
      config: CanaryConfig;
      logger: LoggerService;
      /** Writes pending evidence; called after every decision. */
      flushEvidence?: () => Promise<unknown>;
      /** Entity annotations for the traffic provider (VirtualService override). */
      annotationsOf?: (
        entityRef: string,
      ) => Promise<Record<string, string> | undefined>;
      clock?: () => Date;
    },
  ) {}

  private now() {
    return this.options.clock?.() ?? new Date();
  }

  get store() {
    return this.options.store;
  }

  get metricsProvider() {
    return this.options.metrics;
  }

  /**
   * Resolves the configuration of a new run: body steps (400 naming the
   * field), else the annotation's steps, else the configured default.
   */
  runConfig(
    options: Pick<StartOptions, 'steps' | 'metrics'>,
    annotationSteps?: RunConfig['steps'],
  ): RunConfig {
    const d = this.options.config.defaults;
    let steps = annotationSteps ?? d.steps;
    if (options.steps) {
      const err = validateSteps(options.steps, 'steps');
      if (err) throw new InputError(err);
      steps = options.steps.map(weight => ({ weight }));
    }
    let metrics = d.metrics;
    if (options.metrics) {
      const unknown = options.metrics.filter(
        n => !d.metrics.some(m => m.name === n),
      );
      if (unknown.length) {
        throw new InputError(
          `metrics: unknown metric ${unknown
            .map(u => JSON.stringify(u))
            .join(', ')}; configured: ${d.metrics.map(m => m.name).join(', ')}`,
        );
      }
      if (!options.metrics.length) {
        throw new InputError('metrics: at least one metric');
      }
      metrics = d.metrics.filter(m => options.metrics!.includes(m.name));
    }
    return { ...d, steps, metrics };
  }

  private decide(s: RolloutState, e: RolloutEvent): RolloutTransition {
    try {
      return transition(s, e);
    } catch (err) {
      if (err instanceof RolloutTransitionError) {
        throw new ConflictError(`Cannot ${e.type}: ${err.message}`);
      }
      throw err;
    }
  }

  async start(
    o: StartOptions & { config?: RunConfig; at?: Date },
  ): Promise<RunRow> {
    const { store, metrics } = this.options;
    if (o.simulation && metrics.type !== 'simulator') {
      throw new InputError(
        'simulation: only available with the built-in simulator metrics provider',
      );
    }
    const existing = await store.activeRun(o.entityRef);
    if (existing) {
      throw new ConflictError(
        `A canary run is already active for ${o.entityRef} (${existing.version}, ${existing.status})`,
      );
    }
    const config = o.config ?? this.runConfig(o);
    const now = o.at ?? this.now();
    const t = this.decide(
      initialRolloutState({
        steps: config.steps,
        intervalSeconds: config.intervalSeconds,
        retries: config.retries,
        retryIntervalSeconds: config.retryIntervalSeconds,
        ...(config.consecutiveErrorLimit !== undefined
          ? { consecutiveErrorLimit: config.consecutiveErrorLimit }
          : {}),
        ...(config.onErrorLimit ? { onErrorLimit: config.onErrorLimit } : {}),
      }),
      { type: 'start' },
    );
    const baselineVersion =
      o.baselineVersion ?? this.options.config.baselineVersion;
    const run: RunRow = {
      id: randomUUID(),
      entityRef: o.entityRef,
      version: o.version,
      baselineVersion,
      status: t.state.phase,
      rowVersion: 0,
      state: { machine: t.state, windowStart: iso(now) } satisfies EngineState,
      config,
      requestedWeight: t.state.weight,
      appliedWeight: null,
      observedWeight: null,
      simulation: o.simulation ?? null,
      reason: t.state.reason,
      causalChain: null,
      createdBy: o.actor,
      createdAt: iso(now),
      updatedAt: iso(now),
      finishedAt: isRolloutEnded(t.state.phase) ? iso(now) : null,
      nextAt: scheduleOf(t.effects, now) ?? null,
      demo: Boolean(o.demo),
    };
    const configDigest = digestOf(config);
    await store.insertRun(
      run,
      this.eventsOf(t, now, run, o.actor, {
        started: {
          // the whole run configuration: steps, metrics, retries, intervals, judge settings
          config,
          simulation: run.simulation,
          configDigest,
          inputs: [configDigest],
        },
      }),
    );
    await this.applyWeight(run);
    await this.flush();
    return (await store.getRun(run.id))!;
  }

  /**
   * One evidence-outbox event per `recordEvidence` effect, with the run's
   * identity, the actor and per-kind extra payload (judge input, verdict,
   * digests, causal chain).
   */
  private eventsOf(
    t: RolloutTransition,
    now: Date,
    run: Pick<
      RunRow,
      'id' | 'entityRef' | 'version' | 'baselineVersion' | 'demo'
    >,
    actor: string,
    extra: Partial<Record<string, Record<string, unknown>>> = {},
    observedWeight: number | null = null,
  ): NewEvent[] {
    const out: NewEvent[] = [];
    for (const e of t.effects) {
      if (e.type !== 'recordEvidence') continue;
      const more = extra[e.kind] ?? {};
      const inputs = [
        ...((e.inputs as string[] | undefined) ?? []),
        ...((more.inputs as string[] | undefined) ?? []),
      ].filter((v, i, a) => a.indexOf(v) === i);
      const human = actor === ENGINE_ACTOR ? null : actor;
      out.push({
        at: iso(now),
        type: e.kind,
        actor: human,
        summary: e.summary,
        requestedWeight: e.toWeight,
        observedWeight,
        record: {
          summary: {
            decision: e.kind,
            runId: run.id,
            actor,
            step: e.step,
            fromWeight: e.fromWeight,
            toWeight: e.toWeight,
            text: e.summary.slice(0, 500),
            ...(run.demo ? { demo: true } : {}),
            ...((more.summary as Record<
              string,
              string | number | boolean | null
            >) ?? {}),
          },
          payload: {
            kind: e.kind,
            runId: run.id,
            entityRef: run.entityRef,
            version: run.version,
            baselineVersion: run.baselineVersion,
            step: e.step,
            fromWeight: e.fromWeight,
            toWeight: e.toWeight,
            actor,
            summary: e.summary,
            ...(e.causalChain ? { causalChain: e.causalChain } : {}),
            ...(run.demo ? { demo: true } : {}),
            ...Object.fromEntries(
              Object.entries(more).filter(
                ([k]) => k !== 'summary' && k !== 'inputs',
              ),
            ),
            inputs,
          },
        },
      });
    }
    return out;
  }

  /** Manual pause / resume / abort / promote (CAS; re-decided on a lost race). */
  async act(
    runId: string,
    action: ManualAction,
    actor: string,
    reason?: string,
  ): Promise<RunRow> {
    const { store } = this.options;
    for (let attempt = 0; attempt < 5; attempt++) {
      const run = await store.getRun(runId);
      if (!run) throw new NotFoundError(`No canary run ${runId}`);
      const st = run.state as EngineState;
      const t = this.decide(st.machine, {
        type: action,
        actor,
        ...(reason ? { reason } : {}),
      });
      const now = this.now();
      const lastEvidence = (await store.events(runId))
        .filter(e => e.evidenceHash)
        .pop();
      const cites = lastEvidence?.evidenceHash
        ? [`evidence:${lastEvidence.evidenceHash}`]
        : [];
      const kind = t.effects.find(e => e.type === 'recordEvidence');
      const events = this.eventsOf(
        t,
        now,
        run,
        actor,
        kind && kind.type === 'recordEvidence'
          ? { [kind.kind]: { reason: reason ?? null, inputs: cites } }
          : {},
        run.observedWeight,
      );
      const next = scheduleOf(t.effects, now);
      const clearsChain =
        action === 'resume' &&
        st.machine.pausedBy === 'errors' &&
        !t.state.causalChain;
      const committed = await store.commit({
        runId,
        expectedVersion: run.rowVersion,
        now: iso(now),
        patch: {
          status: t.state.phase,
          state: {
            machine: t.state,
            windowStart: action === 'resume' ? iso(now) : st.windowStart,
          } satisfies EngineState,
          requestedWeight: t.state.weight,
          reason: t.state.reason,
          ...(t.state.causalChain
            ? { causalChain: t.state.causalChain as CausalChain }
            : {}),
          // resuming after an error pause: that chain explained the pause
          ...(clearsChain ? { causalChain: null } : {}),
          ...(isRolloutEnded(t.state.phase) ? { finishedAt: iso(now) } : {}),
          ...(next !== undefined ? { nextAt: next } : {}),
        },
        events,
      });
      if (!committed) continue; // lost a race: re-read and re-decide
      await this.applyWeight(committed);
      await this.flush();
      return (await store.getRun(runId))!;
    }
    throw new ConflictError('The run changed concurrently; try again');
  }

  /**
   * One scheduler pass: applies weights not yet applied, analyses (or
   * advances) every due run, then writes pending evidence. Safe on several
   * replicas at once (compare-and-set) and idempotent after a crash.
   */
  async tick(): Promise<{ analysed: number; lost: number; applied: number }> {
    const { store, logger } = this.options;
    const now = this.now();
    let analysed = 0;
    let lost = 0;
    let applied = 0;
    for (const run of await store.unappliedEnded()) {
      if (await this.applyWeight(run)) applied++;
    }
    for (const run of await store.dueRuns(iso(now))) {
      if (run.appliedWeight !== run.requestedWeight) {
        // never judge traffic we did not set
        if (!(await this.applyWeight(run))) continue;
        applied++;
      }
      if (run.status !== 'running' || !run.nextAt || run.nextAt > iso(now)) {
        continue;
      }
      try {
        const r = await this.analyse(run, now);
        if (r === 'lost') lost++;
        else analysed++;
      } catch (e) {
        logger.error(`delivery: canary analysis of run ${run.id} failed: ${e}`);
        await store.commit({
          runId: run.id,
          expectedVersion: run.rowVersion,
          now: iso(now),
          patch: {
            nextAt: iso(addSeconds(now, run.config.retryIntervalSeconds)),
            reason: `Metrics unavailable, retrying in ${
              run.config.retryIntervalSeconds
            } s: ${String(e).slice(0, 300)}`,
          },
          events: [],
        });
      }
    }
    await this.flush();
    return { analysed, lost, applied };
  }

  private async analyse(run: RunRow, now: Date): Promise<'done' | 'lost'> {
    const { store, metrics } = this.options;
    const st = run.state as EngineState;
    const m = st.machine;
    const analysed = m.stepSettings?.[m.stepIndex]?.analysis ?? true;
    if (!analysed) {
      // a step without analysis has served its interval
      const t = this.decide(m, { type: 'advance' });
      return this.commitDecision(run, now, t, { windowStart: iso(now) });
    }
    const attempt = m.attempt + 1;
    let result: Awaited<ReturnType<typeof metrics.query>>;
    try {
      result = await metrics.query({
        runId: run.id,
        entityRef: run.entityRef,
        canaryVersion: run.version,
        baselineVersion: run.baselineVersion,
        metrics: run.config.metrics,
        start: new Date(st.windowStart),
        end: now,
        step: m.stepIndex,
        attempt,
        requestedWeight: m.weight,
        simulation: run.simulation,
      });
    } catch (e) {
      // the metrics provider failed (e.g. Prometheus down): the state
      // machine counts consecutive errors and retries, pauses or aborts
      return this.metricError(run, now, e);
    }
    const earlier = (await store.analyses(run.id)).filter(
      a => a.step === m.stepIndex,
    );
    const input = buildJudgeInput(run.config, result, earlier);
    const verdict = judge(input);
    const inputsDigest = digestOf(input);
    const verdictDigest = digestOf(verdict);
    const cause = enrichCause(
      causalChainOf(verdict, { step: m.stepIndex, weight: m.weight }),
      input,
    );
    const t = this.decide(m, {
      type: 'verdict',
      classification: verdict.classification,
      reason: verdict.reason,
      score: verdict.score,
      cause,
      inputs: [inputsDigest, verdictDigest],
    });
    const analysis: AnalysisRow = {
      id: randomUUID(),
      runId: run.id,
      step: m.stepIndex,
      weight: m.weight,
      attempt,
      at: iso(now),
      verdict,
      outcome: t.outcome as AnalysisRow['outcome'],
      observedWeight: result.observedWeight,
      inputsDigest,
      measurements: toMeasurements(run.config, result),
    };
    const decision = {
      step: m.stepIndex,
      attempt,
      inputsDigest,
      verdictDigest,
      // the decision rests on this verdict: its judge input and result
      inputs: [inputsDigest, verdictDigest],
    };
    return this.commitDecision(
      run,
      now,
      t,
      { windowStart: iso(now), observedWeight: result.observedWeight },
      analysis,
      {
        verdict: {
          ...decision,
          attempt,
          window: { start: st.windowStart, end: iso(now) },
          observedWeight: result.observedWeight,
          judgeInput: input,
          verdict,
          summary: {
            classification: verdict.classification,
            score: verdict.score,
            attempt,
            inputsDigest,
          },
        },
        retry: decision,
        rollback: decision,
        paused: { ...decision, causalChain: cause },
        step: decision,
        completed: decision,
      },
    );
  }

  /** A failed metrics query, decided by the state machine (consecutiveErrorLimit). */
  private async metricError(
    run: RunRow,
    now: Date,
    e: unknown,
  ): Promise<'done' | 'lost'> {
    const st = run.state as EngineState;
    const error = String(
      (e as Error)?.message
        ? `${(e as Error).name}: ${(e as Error).message}`
        : e,
    ).slice(0, 300);
    this.options.logger.warn(
      `delivery: metrics for canary run ${run.id} unavailable: ${error}`,
    );
    const t = this.decide(st.machine, { type: 'metricError', error });
    const detail = {
      error,
      consecutiveErrors: t.state.consecutiveErrors ?? null,
      consecutiveErrorLimit: t.state.consecutiveErrorLimit ?? null,
      window: { start: st.windowStart, end: iso(now) },
      inputs: [] as string[],
    };
    // the window keeps its start: the next analysis reads all of it
    return this.commitDecision(
      run,
      now,
      t,
      { windowStart: st.windowStart },
      undefined,
      { retry: detail, paused: detail, aborted: detail },
    );
  }

  private async commitDecision(
    run: RunRow,
    now: Date,
    t: RolloutTransition,
    o: { windowStart: string; observedWeight?: number | null },
    analysis?: AnalysisRow,
    extra: Partial<Record<string, Record<string, unknown>>> = {},
  ): Promise<'done' | 'lost'> {
    const next = scheduleOf(t.effects, now);
    const chain =
      t.state.causalChain ??
      (t.outcome === 'pause'
        ? (extra.paused?.causalChain as CausalChain)
        : null);
    const committed = await this.options.store
      .commit({
        runId: run.id,
        expectedVersion: run.rowVersion,
        now: iso(now),
        patch: {
          status: t.state.phase,
          state: {
            machine: t.state,
            windowStart: o.windowStart,
          } satisfies EngineState,
          requestedWeight: t.state.weight,
          ...(o.observedWeight !== undefined
            ? { observedWeight: o.observedWeight }
            : {}),
          reason: t.state.reason,
          ...(chain ? { causalChain: chain as CausalChain } : {}),
          ...(isRolloutEnded(t.state.phase) ? { finishedAt: iso(now) } : {}),
          ...(next !== undefined ? { nextAt: next } : {}),
        },
        analysis,
        events: this.eventsOf(
          t,
          now,
          run,
          ENGINE_ACTOR,
          extra,
          o.observedWeight ?? null,
        ),
      })
      .catch(e => {
        // the (run, step, attempt) unique key: another engine recorded it
        if (/unique|duplicate/i.test(String(e?.message))) return undefined;
        throw e;
      });
    if (!committed) return 'lost';
    if (setsWeight(t.effects)) await this.applyWeight(committed);
    return 'done';
  }

  /** Sets the run's requested weight through the traffic provider. */
  private async applyWeight(run: RunRow): Promise<boolean> {
    if (run.appliedWeight === run.requestedWeight) return true;
    try {
      const annotations = await this.options.annotationsOf?.(run.entityRef);
      await this.options.traffic.setWeight(
        { entityRef: run.entityRef, annotations },
        run.requestedWeight,
      );
      await this.options.store.setApplied(run.id, run.requestedWeight);
      return true;
    } catch (e) {
      this.options.logger.error(
        `delivery: setting canary weight ${run.requestedWeight}% for ${run.entityRef} failed (will retry): ${e}`,
      );
      return false;
    }
  }

  private async flush() {
    try {
      await this.options.flushEvidence?.();
    } catch (e) {
      this.options.logger.warn(`delivery: evidence flush failed: ${e}`);
    }
  }
}

/** Adds sample summaries (n, mean, p50, p95, max) of the deciding metric. */
function enrichCause(
  cause: RolloutCausalChain | null,
  input: JudgeInput,
): RolloutCausalChain | null {
  if (!cause?.metric) return cause;
  const raw = input.metrics.find(m => m.name === cause.metric);
  if (raw) {
    return {
      ...cause,
      canary: { ...describeSample(raw.canary), ...(cause.canary ?? {}) },
      baseline: { ...describeSample(raw.baseline), ...(cause.baseline ?? {}) },
    };
  }
  const th = input.thresholdMetrics?.find(m => m.name === cause.metric);
  const last = th?.measurements[th.measurements.length - 1];
  if (last && 'canary' in last) {
    return {
      ...cause,
      canary: { ...describeSample(last.canary), ...(cause.canary ?? {}) },
      baseline: last.baseline
        ? { ...describeSample(last.baseline), ...(cause.baseline ?? {}) }
        : cause.baseline,
    };
  }
  return cause;
}
