import { configApiRef, useApi } from '@backstage/core-plugin-api';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { evidenceApiRef } from '../api/EvidenceApi';
import {
  CheckpointMemory,
  createLocalCheckpointMemory,
} from '../lib/checkpointMemory';
import {
  IntegrityProgress,
  IntegrityReport,
  verifyIntegrity,
} from '../lib/verifyIntegrity';

export type IntegrityState =
  | { status: 'verifying'; progress?: IntegrityProgress }
  | { status: 'done'; report: IntegrityReport }
  | { status: 'error'; error: Error };

/** Verifier keys pinned in app config (`evidence.verifierKeys`). */
export function usePinnedVerifierKeys(): string[] | undefined {
  const config = useApi(configApiRef);
  const keys = config.getOptionalStringArray('evidence.verifierKeys');
  return keys?.length ? keys : undefined;
}

/**
 * Runs the in-browser verification of an entity's evidence and reports
 * progress. `memory` defaults to this browser's localStorage.
 */
export function useIntegrity(
  entityRef: string,
  options: { memory?: CheckpointMemory } = {},
) {
  const api = useApi(evidenceApiRef);
  const pinnedKeys = usePinnedVerifierKeys();
  const pinnedKey = pinnedKeys?.join('\n');
  const memory = useMemo(
    () => options.memory ?? createLocalCheckpointMemory(),
    [options.memory],
  );
  const [state, setState] = useState<IntegrityState>({ status: 'verifying' });
  const [run, setRun] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'verifying' });
    let lastReport = 0;
    verifyIntegrity({
      api,
      entityRef,
      memory,
      pinnedKeys: pinnedKey ? pinnedKey.split('\n') : undefined,
      signal: controller.signal,
      onProgress: progress => {
        // at most ~20 renders a second while hashing
        const t = Date.now();
        if (t - lastReport < 50 && progress.phase === 'records') return;
        lastReport = t;
        if (!controller.signal.aborted) {
          setState({ status: 'verifying', progress });
        }
      },
    }).then(
      report => {
        if (!controller.signal.aborted) setState({ status: 'done', report });
      },
      error => {
        if (!controller.signal.aborted) setState({ status: 'error', error });
      },
    );
    return () => controller.abort();
  }, [api, entityRef, memory, pinnedKey, run]);

  const retry = useCallback(() => setRun(r => r + 1), []);
  return { state, retry };
}
