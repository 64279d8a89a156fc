import { http, HttpResponse } from 'msw';
import {
  CanaryConfig,
  CanaryMeasurement,
  CanaryRunDetail,
  CanaryRunSummary,
  StartCanaryRequest,
} from '../api/types';

export const BASE_URL = 'http://localhost:7007/api/delivery';
export const ENTITY_REF = 'component:default/service-a';
export const RUNS_URL = `${BASE_URL}/v1/entities/component/default/service-a/canary/runs`;
export const CONFIG_URL = `${BASE_URL}/v1/entities/component/default/service-a/canary/config`;

export const config: CanaryConfig = {
  steps: [10, 50, 100],
  stepsSource: 'annotation',
  metrics: [
    { name: 'p95_latency_ms', unit: 'ms', critical: false },
    { name: 'error_rate', unit: '%', critical: true },
  ],
  metricsProvider: 'simulator',
  trafficProvider: 'recorder',
  simulationAvailable: true,
  intervalSeconds: 5,
  retries: 2,
  retryIntervalSeconds: 5,
};

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0) / 1000;

const series = (start: number, values: number[]) =>
  values.map((v, i) => ({ t: start + i * 5, v }));

function measurement(
  analysisId: string,
  step: number,
  metric: string,
  unit: string,
  canary: number[],
  baseline: number[],
  start: number,
): CanaryMeasurement {
  return {
    analysisId,
    step,
    attempt: 1,
    metric,
    unit,
    canary: series(start, canary),
    baseline: series(start, baseline),
  };
}

const base = {
  entityRef: ENTITY_REF,
  baselineVersion: '1.3.0',
  createdBy: 'user:default/guest',
  createdAt: '2026-11-30T09:00:00.000Z',
  updatedAt: '2026-11-30T09:01:00.000Z',
  demo: true,
  metrics: config.metrics,
};

/** A run rolled back at step 2 (50%) because p95 latency regressed. */
export function rolledBackRun(): CanaryRunDetail {
  return {
    ...base,
    id: 'run-rb',
    version: '1.4.0',
    status: 'rolled_back',
    simulation: 'degrading',
    currentStep: 1,
    requestedWeight: 0,
    observedWeight: 0,
    reason:
      'p95_latency_ms High at step 2 (50%): canary worse than baseline beyond the tolerance',
    finishedAt: '2026-11-30T09:01:00.000Z',
    nextAnalysisAt: null,
    steps: [
      { index: 0, weight: 10, status: 'passed', attempts: 1 },
      { index: 1, weight: 50, status: 'failed', attempts: 3 },
      { index: 2, weight: 100, status: 'skipped', attempts: 0 },
    ],
    analyses: [
      {
        id: 'a1',
        step: 0,
        weight: 10,
        attempt: 1,
        at: '2026-11-30T09:00:10.000Z',
        outcome: 'advance',
        observedWeight: 10.2,
        inputsDigest: 'sha256:aa',
        evidenceHash: 'e1'.repeat(32),
        verdict: {
          score: 100,
          classification: 'Pass',
          metrics: [
            {
              name: 'p95_latency_ms',
              classification: 'Pass',
              critical: false,
              estimate: 0.4,
              confidenceInterval: [-1.2, 2.1],
              effectSize: 1.002,
              reason: 'Pass: the difference is within the tolerance',
            },
          ],
        },
      },
      {
        id: 'a2',
        step: 1,
        weight: 50,
        attempt: 3,
        at: '2026-11-30T09:00:50.000Z',
        outcome: 'rollback',
        observedWeight: 49.6,
        inputsDigest: 'sha256:bb',
        evidenceHash: 'e2'.repeat(32),
        verdict: {
          score: 0,
          classification: 'Fail',
          metrics: [
            {
              name: 'p95_latency_ms',
              classification: 'High',
              critical: false,
              canaryMean: 242.1,
              baselineMean: 181,
              canaryCount: 30,
              baselineCount: 30,
              estimate: 61.8,
              confidenceInterval: [55.1, 68.3],
              effectSize: 1.34,
              reason:
                'High: canary p95 latency 242 ms vs baseline 181 ms; the rule is "p95 ≤ 1.10 × baseline p95"',
            },
            {
              name: 'cpu_seconds',
              classification: 'High',
              critical: false,
              muted: true,
              estimate: 0.02,
              confidenceInterval: [0.01, 0.03],
              effectSize: 1.2,
              reason: 'High, observed only: never decides',
            },
          ],
          thresholdMetrics: [
            {
              name: 'error_rate',
              phase: 'Successful',
              muted: false,
              failed: 0,
              inconclusive: 0,
              measurements: [
                {
                  phase: 'Successful',
                  value: 0.21,
                  baselineValue: 0.2,
                  limit: 0.5,
                  reason: 'error_rate 0.21 ≤ 0.5',
                },
              ],
              reason: 'Successful: error rate 0.21% ≤ 0.5%',
            },
          ],
          thresholdPhase: 'Successful',
          reason: 'Fail: score 0 < marginal 75 (p95_latency_ms High)',
        },
      },
    ],
    measurements: [
      measurement(
        'a1',
        0,
        'p95_latency_ms',
        'ms',
        [180, 182, 181],
        [181, 180, 182],
        T0,
      ),
      measurement(
        'a2',
        1,
        'p95_latency_ms',
        'ms',
        [240, 243, 242],
        [180, 182, 181],
        T0 + 40,
      ),
    ],
    weights: [
      { at: '2026-11-30T09:00:00.000Z', requested: 10, observed: 10.2 },
      { at: '2026-11-30T09:00:20.000Z', requested: 50, observed: 49.6 },
      { at: '2026-11-30T09:01:00.000Z', requested: 0, observed: 0 },
    ],
    events: [
      {
        seq: 1,
        at: '2026-11-30T09:00:00.000Z',
        type: 'started',
        actor: 'user:default/guest',
        summary: 'canary 1.4.0 started at 10%',
        requestedWeight: 10,
        evidenceHash: 'a0'.repeat(32),
      },
      {
        seq: 2,
        at: '2026-11-30T09:01:00.000Z',
        type: 'rollback',
        actor: null,
        summary: 'rolled back at step 2 (50%): p95_latency_ms High',
        requestedWeight: 0,
        observedWeight: 0,
        inputs: ['sha256:bb'],
        evidenceHash: 'b7'.repeat(32),
      },
    ],
    causalChain: {
      step: 1,
      weight: 50,
      metric: 'p95_latency_ms',
      classification: 'High',
      canary: { n: 30, mean: 242.1, p50: 241, max: 251, count: 30 },
      baseline: { n: 30, mean: 181.0, p50: 181, max: 186 },
      estimate: 61.8,
      confidenceInterval: [55.1, 68.3],
      rule: 'p95 latency may be at most 1.10 × the baseline p95 (199.1 ms); the canary measured 242.1 ms',
    },
  };
}

/** A run at step 1 (10%), analysing. */
export function runningRun(): CanaryRunDetail {
  return {
    ...base,
    id: 'run-live',
    version: '1.5.0',
    status: 'running',
    simulation: 'healthy',
    currentStep: 0,
    requestedWeight: 10,
    observedWeight: 9.7,
    reason: null,
    finishedAt: null,
    nextAnalysisAt: '2026-11-30T09:00:20.000Z',
    steps: [
      { index: 0, weight: 10, status: 'running', attempts: 0 },
      { index: 1, weight: 50, status: 'pending', attempts: 0 },
      { index: 2, weight: 100, status: 'pending', attempts: 0 },
    ],
    analyses: [],
    measurements: [],
    weights: [{ at: '2026-11-30T09:00:00.000Z', requested: 10, observed: 9.7 }],
    events: [
      {
        seq: 1,
        at: '2026-11-30T09:00:00.000Z',
        type: 'started',
        actor: 'user:default/guest',
        summary: 'canary 1.5.0 started at 10%',
        requestedWeight: 10,
        evidenceHash: null,
      },
    ],
    causalChain: null,
  };
}

export function summaryOf(run: CanaryRunDetail): CanaryRunSummary {
  const {
    metrics: _m,
    analyses: _a,
    measurements: _me,
    weights: _w,
    events: _e,
    causalChain: _c,
    ...summary
  } = run;
  return summary;
}

export const errorBody = (status: number, name: string, message: string) =>
  HttpResponse.json(
    { error: { name, message }, request: {}, response: { statusCode: status } },
    { status },
  );

/** msw handlers serving one entity's canary from an in-memory list of runs. */
export function deliveryHandlers(options: {
  runs: CanaryRunDetail[];
  onStart?: (
    body: StartCanaryRequest,
  ) => Response | CanaryRunDetail | undefined;
}) {
  const runs = options.runs;
  return [
    http.get(CONFIG_URL, () => HttpResponse.json(config)),
    http.get(RUNS_URL, () =>
      HttpResponse.json({
        items: runs.map(summaryOf),
        activeRunId:
          runs.find(r => r.status === 'running' || r.status === 'paused')?.id ??
          null,
      }),
    ),
    http.get(`${RUNS_URL}/:runId`, ({ params }) => {
      const run = runs.find(r => r.id === params.runId);
      return run
        ? HttpResponse.json(run)
        : errorBody(404, 'NotFoundError', `no run ${params.runId}`);
    }),
    http.post(RUNS_URL, async ({ request }) => {
      const body = (await request.json()) as StartCanaryRequest;
      const answer = options.onStart?.(body);
      if (answer instanceof Response) return answer;
      const run = answer ?? { ...runningRun(), version: body.version };
      runs.unshift(run);
      return HttpResponse.json(run, { status: 201 });
    }),
    http.post(`${RUNS_URL}/:runId/:action`, ({ params }) => {
      const run = runs.find(r => r.id === params.runId);
      if (!run) return errorBody(404, 'NotFoundError', 'no such run');
      const next = {
        pause: 'paused',
        resume: 'running',
        abort: 'aborted',
        promote: 'succeeded',
      }[params.action as string] as CanaryRunDetail['status'];
      run.status = next;
      return HttpResponse.json(run);
    }),
  ];
}
