import { mockCredentials } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { checkSetDigest, Waiver } from '@assay/plugin-scorecards-common';
import { readScorecardsConfig } from '../config';
import { MemoryEvidenceService } from '../__testUtils__/MemoryEvidenceService';
import { component, seedEvidence } from '../__testUtils__/fixtures';
import { ComputePool } from './ComputePool';
import {
  ComputeSettings,
  EntityTask,
  latestRecords,
  ResultComputer,
} from './computeResult';

jest.setTimeout(60_000);

describe('ComputePool', () => {
  it('gives, on 3 workers, exactly what the main thread computes, in task order: rows, compliance records, changed', async () => {
    const config = readScorecardsConfig(
      new ConfigReader({ scorecards: { recordCompliance: true } }),
    );
    const settings: ComputeSettings = {
      checks: config.checks,
      checksDigest: checkSetDigest(config.checks),
      maxEvidenceAgeDays: config.maxEvidenceAgeDays,
      recordCompliance: true,
    };
    const evidence = new MemoryEvidenceService();
    const names = Array.from({ length: 40 }, (_, i) => `svc-${i}`);
    // every fifth entity has no evidence at all
    names.forEach((n, i) => {
      if (i % 5) seedEvidence(evidence, n, { high: i % 3 });
    });
    const refs = names.map(n => `component:default/${n}`);
    const records = await latestRecords(
      evidence,
      refs,
      mockCredentials.service(),
    );
    const now = new Date().toISOString();
    const waiver: Waiver = {
      id: 'w-1',
      entityRef: refs[4],
      checkId: 'sbom-no-critical-high',
      reason: 'vendor fix due next sprint',
      expiresAt: '2999-01-01T00:00:00.000Z',
      status: 'approved',
      requestedBy: 'user:default/guest',
      requestedAt: now,
      decidedBy: 'user:default/carol',
      decidedAt: now,
    };
    const tasks: EntityTask[] = names.map((n, i) => {
      const e = component(n, i % 2 ? 'sandbox' : 'compliance');
      return {
        entity: { ...e, metadata: { ...e.metadata, etag: `etag-${i}` } },
        records: records.get(refs[i]) ?? [],
        waivers: i === 4 ? [waiver] : [],
        domain: i % 4 ? 'domain:default/payments' : undefined,
        // some stored today with another hash: changed, rewritten
        previous:
          i % 7
            ? undefined
            : { resultHash: 'older', computedAt: now, etag: `etag-${i}` },
      };
    });

    const onMain = new ResultComputer(settings).computeAll(
      structuredClone(tasks),
      now,
    );
    const pool = new ComputePool(3, settings);
    try {
      await pool.ready();
      const onWorkers = await pool.compute(structuredClone(tasks), now);
      expect(onWorkers).toEqual(onMain);
      expect(onWorkers.map(r => r.entityRef)).toEqual(refs);
      // the cases are there: compliance records only for compliance mode,
      // a waived check, rows with the domain column
      expect(onWorkers.filter(r => r.compliance)).toHaveLength(20);
      expect(
        onWorkers[4].rows!.result.result.includes('"status":"waived"'),
      ).toBe(true);
      expect(onWorkers[1].rows!.result.domain).toBe('domain:default/payments');
      expect(onWorkers[0].rows!.result.domain).toBeNull();
    } finally {
      await pool.close();
    }
  });
});
