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

/** Name of the `performance.measure` entry of each finished verification. */
export const PERF_MARK = 'assay-evidence-verify';

function mark(name: string) {
  try {
    globalThis.performance?.mark?.(name);
  } catch {
    // performance timeline unavailable
  }
}

function measure(name: string, start: string, end: string) {
  try {
    globalThis.performance?.measure?.(name, start, end);
  } catch {
    // a missing start mark (e.g. cleared by the page) is not worth a crash
  }
}

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
  options: {
    memory?: CheckpointMemory;
    /** start only once true (e.g. after the first table page, so the table renders first) */
    enabled?: boolean;
  } = {},
) {
  const enabled = options.enabled ?? true;
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
    if (!enabled) return undefined;
    const controller = new AbortController();
    setState({ status: 'verifying' });
    // visible in the browser's performance timeline (and read by the UI bench)
    mark(`${PERF_MARK}:start`);
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
        if (controller.signal.aborted) return;
        mark(`${PERF_MARK}:end`);
        measure(PERF_MARK, `${PERF_MARK}:start`, `${PERF_MARK}:end`);
        setState({ status: 'done', report });
      },
      error => {
        if (!controller.signal.aborted) setState({ status: 'error', error });
      },
    );
    return () => controller.abort();
  }, [api, entityRef, memory, pinnedKey, run, enabled]);

  const retry = useCallback(() => setRun(r => r + 1), []);
  return { state, retry };
}
