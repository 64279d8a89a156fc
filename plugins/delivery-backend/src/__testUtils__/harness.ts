import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { Knex } from 'knex';
import { createHash } from 'node:crypto';
import { readCanaryConfig } from '../config';
import { CanaryEngine } from '../engine/CanaryEngine';
import { CanaryEvidenceWriter } from '../engine/evidence';
import { RecorderTrafficProvider } from '../providers/RecorderTrafficProvider';
import { SimulatorMetricsProvider } from '../providers/SimulatorMetricsProvider';
import type { MetricsProvider, TrafficProvider } from '../providers/types';
import { DatabaseCanaryStore } from '../store/DatabaseCanaryStore';

/** An in-memory stand-in for evidenceServiceRef that records every append. */
export class RecordingEvidence {
  readonly records: Array<{ request: any; hash: string; principal: string }> =
    [];
  private byKey = new Map<string, any>();
  failNext = 0;

  async append(request: any, options: { credentials: any }) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('evidence store unavailable');
    }
    const existing =
      request.idempotencyKey !== undefined
        ? this.byKey.get(request.idempotencyKey)
        : undefined;
    if (existing) return { ...existing, replayed: true };
    const hash = createHash('sha256')
      .update(JSON.stringify(request))
      .digest('hex');
    const principal = options.credentials?.principal?.subject ?? 'unknown';
    this.records.push({ request, hash, principal });
    const result = {
      envelope: {} as any,
      hash,
      leafIndex: this.records.length - 1,
      payloadPurged: false,
    };
    if (request.idempotencyKey !== undefined) {
      this.byKey.set(request.idempotencyKey, result);
    }
    return { ...result, replayed: false };
  }

  async list() {
    return { items: [], totalCount: 0 };
  }
}

export const testCanaryConfig = (extra: Record<string, unknown> = {}) =>
  readCanaryConfig(
    new ConfigReader({
      delivery: {
        canary: {
          intervalSeconds: 60,
          retries: 2,
          retryIntervalSeconds: 120,
          ...extra,
        },
      },
    }),
  );

export async function createEngine(
  knex: Knex,
  o: {
    clock: () => Date;
    metrics?: MetricsProvider;
    traffic?: TrafficProvider;
    evidence?: RecordingEvidence;
    config?: ReturnType<typeof testCanaryConfig>;
  },
) {
  const store = await DatabaseCanaryStore.create({
    database: mockServices.database({ knex }),
  });
  const evidence = o.evidence ?? new RecordingEvidence();
  const traffic = o.traffic ?? new RecorderTrafficProvider();
  const logger = mockServices.logger.mock();
  const writer = new CanaryEvidenceWriter({
    store,
    evidence: evidence as any,
    auth: mockServices.auth({ pluginId: 'delivery' }),
    logger,
  });
  const engine = new CanaryEngine({
    store,
    metrics: o.metrics ?? new SimulatorMetricsProvider(),
    traffic,
    config: o.config ?? testCanaryConfig(),
    logger,
    flushEvidence: () => writer.flush(),
    clock: o.clock,
  });
  return { engine, store, evidence, traffic, writer };
}

/** A clock the test moves by hand. */
export function manualClock(start = '2026-11-30T08:00:00.000Z') {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    advance: (seconds: number) => {
      t += seconds * 1000;
    },
    set: (iso: string) => {
      t = new Date(iso).getTime();
    },
  };
}
