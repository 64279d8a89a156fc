import { useApi } from '@backstage/core-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { evidenceApiRef } from '../../api/EvidenceApi';
import { StoredRecord } from '../../api/types';
import { usePinnedVerifierKeys } from '../../hooks/useIntegrity';
import {
  fetchVerifiedCheckpoint,
  InclusionCheck,
  VerifiedCheckpoint,
  verifyRecordInclusion,
} from '../../lib/checkpoint';

export type InclusionOutcome =
  | { kind: 'included'; check: InclusionCheck; checkpoint: VerifiedCheckpoint }
  | { kind: 'pending'; checkpoint: VerifiedCheckpoint }
  | { kind: 'failed'; message: string; checkpoint?: VerifiedCheckpoint };

/**
 * Proves, live in the browser, that the record is a leaf of the signed log.
 * Reuses the checkpoint the integrity check already verified when given.
 */
export function useRecordInclusion(
  record: StoredRecord | undefined,
  verifiedCheckpoint?: VerifiedCheckpoint,
) {
  const api = useApi(evidenceApiRef);
  const pinnedKeys = usePinnedVerifierKeys();
  return useAsyncRetry(async (): Promise<InclusionOutcome | undefined> => {
    if (!record) return undefined;
    let checkpoint = verifiedCheckpoint;
    if (!checkpoint || record.leafIndex >= checkpoint.treeSize) {
      try {
        checkpoint = await fetchVerifiedCheckpoint({ api, pinnedKeys });
      } catch (e) {
        if ((e as Error).name === 'ResponseError') throw e;
        return { kind: 'failed', message: (e as Error).message };
      }
    }
    if (record.leafIndex >= checkpoint.treeSize) {
      return { kind: 'pending', checkpoint };
    }
    try {
      const check = await verifyRecordInclusion({ api, record, checkpoint });
      return { kind: 'included', check, checkpoint };
    } catch (e) {
      if ((e as Error).name === 'ResponseError') throw e;
      return { kind: 'failed', message: (e as Error).message, checkpoint };
    }
  }, [api, record?.hash, verifiedCheckpoint, pinnedKeys?.join('\n')]);
}
