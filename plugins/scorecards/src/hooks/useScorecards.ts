import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { useCallback, useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { scorecardsApiRef } from '../api/ScorecardsApi';
import { EntityResult } from '../api/types';

/**
 * The entity's stored result; `refresh()` recomputes it on the server and
 * shows the new result.
 */
export function useEntityScorecard(entityRef: string) {
  const api = useApi(scorecardsApiRef);
  const state = useAsyncRetry(
    () => api.getEntityResult(entityRef),
    [api, entityRef],
  );
  const [fresh, setFresh] = useState<EntityResult>();
  const [refreshing, setRefreshing] = useState(false);
  const [refreshError, setRefreshError] = useState<Error>();
  useEffect(() => setFresh(undefined), [state.value]);

  const refresh = useCallback(async () => {
    setRefreshing(true);
    setRefreshError(undefined);
    try {
      setFresh(await api.refreshEntity(entityRef));
    } catch (e) {
      setRefreshError(e as Error);
    } finally {
      setRefreshing(false);
    }
  }, [api, entityRef]);

  return {
    value: fresh ?? state.value,
    loading: state.loading && !state.value,
    error: state.error,
    retry: state.retry,
    refresh,
    refreshing,
    refreshError,
  };
}

export function useEntityHistory(entityRef: string, days = 90, key = 0) {
  const api = useApi(scorecardsApiRef);
  return useAsyncRetry(
    () => api.getEntityHistory(entityRef, { days }),
    [api, entityRef, days, key],
  );
}

export function useEntityWaivers(entityRef: string) {
  const api = useApi(scorecardsApiRef);
  return useAsyncRetry(
    () => api.listEntityWaivers(entityRef),
    [api, entityRef],
  );
}

/** The signed-in user's entity ref (undefined while loading). */
export function useCurrentUserRef(): string | undefined {
  const identityApi = useApi(identityApiRef);
  const { value } = useAsync(async () => {
    const identity = await identityApi.getBackstageIdentity();
    return identity.userEntityRef;
  }, [identityApi]);
  return value;
}
