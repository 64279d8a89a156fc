/**
 * Assay delivery: the Canary entity tab (progressive rollouts judged on
 * metrics, explained step by step, every decision linked to its evidence),
 * the Promotion entity tab (environments, gates readable before the click,
 * approvals with separation of duties, rollbacks) and the coordinated
 * promotions page (dependent services in waves).
 *
 * @packageDocumentation
 */
export {
  deliveryPlugin,
  EntityCanaryContent,
  EntityPromotionContent,
  PromotionsPage,
} from './plugin';
export {
  CANARY_ENABLED_ANNOTATION,
  CANARY_STEPS_ANNOTATION,
  isCanaryAvailable,
  ENVIRONMENTS_ANNOTATION,
  PROMOTION_ENABLED_ANNOTATION,
  isPromotionAvailable,
} from './lib/entity';
export * from './api';
