/**
 * Assay delivery: the Canary entity tab (progressive rollouts judged on
 * metrics, explained step by step, every decision linked to its evidence).
 *
 * @packageDocumentation
 */
export { deliveryPlugin, EntityCanaryContent } from './plugin';
export {
  CANARY_ENABLED_ANNOTATION,
  CANARY_STEPS_ANNOTATION,
  isCanaryAvailable,
} from './lib/entity';
export * from './api';
