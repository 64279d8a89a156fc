/**
 * Assay delivery backend: progressive canary rollouts judged on metrics by
 * the pure judge of `@assay/plugin-delivery-common`, every decision recorded
 * as `canary` evidence.
 *
 * @packageDocumentation
 */

export { deliveryPlugin as default } from './plugin';
export { readCanaryConfig } from './config';
export type { CanaryConfig } from './config';
export type {
  MetricsProvider,
  MetricsQuery,
  MetricsResult,
  TrafficProvider,
  TrafficTarget,
  Point,
} from './providers/types';
