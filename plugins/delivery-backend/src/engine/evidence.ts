import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { EvidenceService } from '@assay/plugin-evidence-node';
import { DatabaseCanaryStore } from '../store/DatabaseCanaryStore';

/**
 * Writes the `canary` evidence record of every decision (the events table is
 * the outbox): in sequence order per run, with the plugin's own service
 * credentials, idempotent per (run, seq) so replicas and retries never write
 * a decision twice. Each record cites the previous decision's record hash in
 * `inputs`, so a run's decisions form a chain inside the entity's log.
 */
export class CanaryEvidenceWriter {
  constructor(
    private readonly options: {
      store: DatabaseCanaryStore;
      evidence: EvidenceService;
      auth: AuthService;
      logger: LoggerService;
    },
  ) {}

  async flush(): Promise<number> {
    const { store, evidence, auth, logger } = this.options;
    const pending = await store.pendingEvidence(200);
    if (!pending.length) return 0;
    const credentials = await auth.getOwnServiceCredentials();
    const failedRuns = new Set<string>();
    const previous = new Map<string, string | null>();
    let written = 0;
    const sorted = [...pending].sort((a, b) =>
      a.runId === b.runId ? a.seq - b.seq : a.at.localeCompare(b.at),
    );
    for (const e of sorted) {
      if (failedRuns.has(e.runId)) continue;
      if (!previous.has(e.runId)) {
        const all = await store.events(e.runId);
        previous.set(
          e.runId,
          all.find(x => x.seq === e.seq - 1)?.evidenceHash ?? null,
        );
      }
      const prev = previous.get(e.runId) ?? null;
      if (e.seq > 1 && !prev) {
        failedRuns.add(e.runId); // an earlier decision is still unwritten
        continue;
      }
      const inputs = [
        ...((e.record.payload.inputs as string[] | undefined) ?? []),
        ...(prev ? [`evidence:${prev}`] : []),
      ];
      try {
        const result = await evidence.append(
          {
            entityRef: e.entityRef,
            category: 'canary',
            subject: {
              version: String(e.record.payload.version ?? ''),
              runId: e.runId,
            },
            summary: {
              ...e.record.summary,
              inputs: inputs.join(','),
            },
            payload: { ...e.record.payload, seq: e.seq, inputs },
            producedAt: e.at,
            idempotencyKey: `assay-canary:${e.runId}:${e.seq}`,
          },
          { credentials },
        );
        await store.setEvidenceHash(e.runId, e.seq, result.hash);
        previous.set(e.runId, result.hash);
        written++;
      } catch (err) {
        failedRuns.add(e.runId);
        logger.warn(
          `delivery: canary evidence for run ${e.runId} #${e.seq} not written yet (will retry): ${err}`,
        );
      }
    }
    return written;
  }
}
