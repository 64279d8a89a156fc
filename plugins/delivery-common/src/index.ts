/**
 * Pure core of Assay delivery: canary judge, rollout state machine, promotion
 * gates and wave planning. No backend or frontend framework imports: the same
 * code runs in the backend, the browser and tests, so any decision can be
 * replayed from the evidence it cites.
 *
 * @packageDocumentation
 */

export * from './judge/types';
export {
  judge,
  scoreMetrics,
  classifyScore,
  JUDGE_DEFAULTS,
} from './judge/judge';
export { mannWhitney, MannWhitneyError } from './judge/mannWhitney';
export { describeCondition } from './judge/threshold';
export { judgeInputSchema } from './judge/schema';
export * from './rollout/types';
export {
  transition,
  tryTransition,
  initialRolloutState,
  isRolloutEnded,
  RolloutTransitionError,
  ROLLOUT_DEFAULTS,
} from './rollout/machine';
export {
  parseCanarySteps,
  parseDurationSeconds,
  CanaryStepsError,
  CANARY_STEPS_ANNOTATION,
} from './rollout/steps';
export { causalChainOf } from './rollout/cause';
export * from './permissions';
export { argoWebMetricResponse } from './argo/webMetric';
export type { ArgoWebMetricResponse } from './argo/webMetric';
export { evaluateArgoWebMetric } from './argo/argoEvaluate';
export type { ArgoMeasurementPhase } from './argo/argoEvaluate';
export { planWaves, DependencyCycleError } from './promotion/planWaves';
export * from './promotion/types';
export { evaluateGates, PROMOTION_POLICY_DEFAULTS } from './promotion/gates';
export {
  ENVIRONMENTS_ANNOTATION,
  COMPLIANCE_MODE_ANNOTATION,
  DEFAULT_PROMOTION_ENVIRONMENTS,
  EnvironmentsAnnotationError,
  environmentsOf,
  promotionModeOf,
  promotionKpi,
  FINAL_OUTCOMES,
} from './promotion/environments';
