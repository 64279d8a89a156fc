import http from 'node:http';
import { AddressInfo } from 'node:net';
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
    // an evidence API that takes batch appends with one token
    const appended: any[] = [];
    const server = http.createServer((req, res) => {
      let text = '';
      req.on('data', d => {
        text += d;
      });
      req.on('end', () => {
        const ok =
          req.method === 'POST' &&
          req.url === '/api/evidence/v1/records/batch' &&
          req.headers.authorization === 'Bearer worker-token';
        res.setHeader('content-type', 'application/json');
        if (!ok) {
          res.statusCode = 401;
          res.end('{"error":{"message":"unexpected request"}}');
          return;
        }
        const batch: unknown[] = JSON.parse(text).records;
        appended.push(...batch);
        res.statusCode = 201;
        res.end(
          JSON.stringify({
            items: batch.map((_, i) => ({
              hash: String(i).padStart(64, '0'),
              seq: 1,
              leafIndex: i,
            })),
          }),
        );
      });
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const access = {
      baseUrl: `http://127.0.0.1:${
        (server.address() as AddressInfo).port
      }/api/evidence`,
      token: 'worker-token',
    };
    try {
      await pool.ready();
      // holding: the same results without their records, which the workers
      // append when asked (once), with the access of the compute request
      const holding = await pool.computeHolding(
        structuredClone(tasks),
        now,
        access,
      );
      expect(holding.results).toEqual(
        onMain.map(r =>
          r.compliance
            ? { ...r, compliance: undefined, heldCompliance: true }
            : r,
        ),
      );
      expect(holding.held.count).toBe(20);
      expect(appended).toEqual([]);
      expect(await holding.held.record(access)).toEqual({
        recorded: 20,
        warnings: [],
      });
      const sent = (r: any) => {
        const { idempotencyKey, ...rest } = r;
        return JSON.parse(JSON.stringify({ ...rest, idempotencyKey }));
      };
      expect(
        appended.sort((a, b) => a.entityRef.localeCompare(b.entityRef)),
      ).toEqual(
        onMain
          .filter(r => r.compliance)
          .map(r => sent(r.compliance))
          .sort((a, b) => a.entityRef.localeCompare(b.entityRef)),
      );
      // recorded once: asked again, the workers no longer hold them
      await expect(holding.held.record(access)).rejects.toThrow(
        /no longer held/,
      );
      expect(appended).toHaveLength(20);

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
      // a pool that stopped cannot record what it held
      const held = (await pool.computeHolding(tasks.slice(0, 4), now, access))
        .held;
      expect(held.count).toBe(2);
      await pool.close();
      await expect(held.record(access)).rejects.toThrow(/closed/);
    } finally {
      await pool.close();
      await new Promise(r => server.close(r));
    }
  });
});
