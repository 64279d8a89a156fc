import { createApiRef } from '@backstage/core-plugin-api';
import {
  CanaryAction,
  CanaryConfig,
  CanaryRunDetail,
  CanaryRunList,
  StartCanaryRequest,
} from './types';

/**
 * Access to the Assay delivery backend (`/api/delivery`). Entity refs are
 * full string refs, e.g. `component:default/service-a`. Failures reject
 * with a `ResponseError` (400 names the field, 403 no permission, 409 a run
 * is already active).
 *
 * @public
 */
export interface DeliveryApi {
  /** Steps, metrics and providers of the entity's canary. */
  getCanaryConfig(entityRef: string): Promise<CanaryConfig>;
  /** The entity's canary runs, newest first. */
  listCanaryRuns(
    entityRef: string,
    options?: { limit?: number },
  ): Promise<CanaryRunList>;
  /** One run with its analyses, measurements, weights and decisions. */
  getCanaryRun(entityRef: string, runId: string): Promise<CanaryRunDetail>;
  startCanaryRun(
    entityRef: string,
    request: StartCanaryRequest,
  ): Promise<CanaryRunDetail>;
  /** pause / resume / abort / promote (promote-full: all traffic to the canary now). */
  actOnCanaryRun(
    entityRef: string,
    runId: string,
    action: CanaryAction,
    options?: { reason?: string },
  ): Promise<CanaryRunDetail>;
}

/** @public */
export const deliveryApiRef = createApiRef<DeliveryApi>({
  id: 'plugin.delivery.service',
});
