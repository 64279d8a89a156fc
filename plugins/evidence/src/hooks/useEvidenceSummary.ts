import { useApi } from '@backstage/core-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { evidenceApiRef } from '../api/EvidenceApi';

/** The entity's evidence summary (counts, gaps, retention, legal hold). */
export function useEvidenceSummary(entityRef: string) {
  const api = useApi(evidenceApiRef);
  return useAsyncRetry(() => api.getSummary(entityRef), [api, entityRef]);
}
