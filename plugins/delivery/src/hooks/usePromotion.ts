import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { useCallback, useEffect, useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { deliveryApiRef } from '../api/DeliveryApi';
import { PromotionKpis, PromotionOverview } from '../api/promotionTypes';
import { ACTIVE_PROMOTION_STATUSES } from '../lib/promotionFormat';

/** How often the tab refreshes while a promotion is running or awaiting approval. */
export const DEFAULT_PROMOTION_POLL_MS = 3000;

export interface PromotionState {
  loading: boolean;
  error?: Error;
  overview?: PromotionOverview;
  kpis?: PromotionKpis;
  /** entity ref of the signed-in user */
  userRef?: string;
  /** bumped on every refresh, for parts that load their own data */
  version: number;
  refresh(): void;
}

/**
 * The entity's environments, releases and KPIs, refreshed every `pollMs`
 * while a promotion is running or awaiting approval (someone else may
 * approve it).
 */
export function usePromotion(
  entityRef: string,
  options: { pollMs?: number } = {},
): PromotionState {
  const pollMs = options.pollMs ?? DEFAULT_PROMOTION_POLL_MS;
  const api = useApi(deliveryApiRef);
  const identityApi = useApi(identityApiRef);
  const [version, setVersion] = useState(0);

  const overview = useAsyncRetry(
    () => api.getPromotionOverview(entityRef),
    [api, entityRef, version],
  );
  const kpis = useAsync(
    () => api.getPromotionKpis({ entityRef }).catch(() => undefined),
    [api, entityRef, version],
  );
  const identity = useAsync(
    () => identityApi.getBackstageIdentity(),
    [identityApi],
  );

  // Keep the last good answers on screen while a refresh is under way.
  const [last, setLast] = useState<PromotionOverview>();
  useEffect(() => {
    if (overview.value) setLast(overview.value);
  }, [overview.value]);
  const [lastKpis, setLastKpis] = useState<PromotionKpis>();
  useEffect(() => {
    if (kpis.value) setLastKpis(kpis.value);
  }, [kpis.value]);
  const value = overview.value ?? last;

  const refresh = useCallback(() => setVersion(v => v + 1), []);
  const active = Boolean(
    value?.environments.some(
      e => e.active && ACTIVE_PROMOTION_STATUSES.includes(e.active.status),
    ),
  );
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(refresh, pollMs);
    return () => clearInterval(timer);
  }, [active, pollMs, refresh]);

  return useMemo(
    () => ({
      loading: !value && overview.loading,
      error: value ? undefined : overview.error,
      overview: value,
      kpis: kpis.value ?? lastKpis,
      userRef: identity.value?.userEntityRef,
      version,
      refresh,
    }),
    [
      value,
      overview.loading,
      overview.error,
      kpis.value,
      lastKpis,
      identity.value,
      version,
      refresh,
    ],
  );
}
