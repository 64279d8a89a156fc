import { useApi } from '@backstage/core-plugin-api';
import { useCallback, useEffect, useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { deliveryApiRef } from '../api/DeliveryApi';
import {
  CanaryConfig,
  CanaryRunDetail,
  CanaryRunList,
  CanaryRunStatus,
} from '../api/types';

/** Statuses in which the backend still moves the run: poll them. */
export const ACTIVE_STATUSES: CanaryRunStatus[] = ['running', 'paused'];

export const isActive = (status: CanaryRunStatus) =>
  ACTIVE_STATUSES.includes(status);

/** How often the tab refreshes while the shown run is active. */
export const DEFAULT_POLL_MS = 2000;

export interface CanaryState {
  loading: boolean;
  error?: Error;
  config?: CanaryConfig;
  runs?: CanaryRunList;
  /** the run on screen: the selected one, else the active one, else the newest */
  run?: CanaryRunDetail;
  runError?: Error;
  selectedRunId?: string;
  select(runId: string): void;
  refresh(): void;
}

/**
 * The entity's canary: config, runs and the detail of the run on screen,
 * refreshed every `pollMs` while that run is running or paused.
 */
export function useCanary(
  entityRef: string,
  options: { pollMs?: number } = {},
): CanaryState {
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const api = useApi(deliveryApiRef);
  const [selected, setSelected] = useState<string | undefined>();

  const base = useAsyncRetry(async () => {
    const [config, runs] = await Promise.all([
      api.getCanaryConfig(entityRef),
      api.listCanaryRuns(entityRef, { limit: 20 }),
    ]);
    return { config, runs };
  }, [api, entityRef]);

  // Keep the last good answer on screen when one refresh fails.
  const [lastBase, setLastBase] = useState<typeof base.value>();
  useEffect(() => {
    if (base.value) setLastBase(base.value);
  }, [base.value]);
  const baseValue = base.value ?? lastBase;
  const runs = baseValue?.runs;
  const shownId =
    selected ?? runs?.activeRunId ?? runs?.items[0]?.id ?? undefined;

  const detail = useAsyncRetry(async () => {
    if (!shownId) return undefined;
    return api.getCanaryRun(entityRef, shownId);
  }, [api, entityRef, shownId]);

  // Keep the last good detail on screen while a refresh is under way.
  const [lastRun, setLastRun] = useState<CanaryRunDetail | undefined>();
  useEffect(() => {
    if (detail.value) setLastRun(detail.value);
    else if (!shownId) setLastRun(undefined);
  }, [detail.value, shownId]);
  const run = lastRun?.id === shownId ? lastRun : detail.value;

  const { retry: retryBase } = base;
  const { retry: retryDetail } = detail;
  const refresh = useCallback(() => {
    retryBase();
    retryDetail();
  }, [retryBase, retryDetail]);

  const activeShown = run ? isActive(run.status) : false;
  const anyActive = Boolean(runs?.activeRunId);
  useEffect(() => {
    if (!activeShown && !anyActive) return undefined;
    const timer = setInterval(() => {
      if (activeShown) retryDetail();
      retryBase();
    }, pollMs);
    return () => clearInterval(timer);
  }, [activeShown, anyActive, pollMs, retryBase, retryDetail]);

  return useMemo(
    () => ({
      loading: !baseValue && base.loading,
      error: baseValue ? undefined : base.error,
      config: baseValue?.config,
      runs,
      run,
      runError: run ? undefined : detail.error,
      selectedRunId: shownId,
      select: setSelected,
      refresh,
    }),
    [
      base.loading,
      base.error,
      baseValue,
      runs,
      run,
      detail.error,
      shownId,
      refresh,
    ],
  );
}
