import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  EvidenceService,
  evidenceServiceRef,
} from '@assay/plugin-evidence-node';
import { buildAuditPackFiles, recordHash } from '@assay/plugin-evidence-common';
import {
  checkSetDigest,
  isCompactResult,
  isRecordedResult,
  replayResult,
} from '@assay/plugin-scorecards-common';
// The real evidence backend, started next to scorecards (test only).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import evidencePlugin from '@assay/plugin-evidence-backend';
import request from 'supertest';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { recordingEvents } from './__testUtils__/backend';
import { scorecardsPlugin } from './plugin';
import { component, daysAgo, system } from './__testUtils__/fixtures';
import { LoggerService } from '@backstage/backend-plugin-api';

jest.setTimeout(120_000);

/** A stand-in CI producer: a backend plugin that appends evidence. */
function ciPlugin(holder: { evidence?: EvidenceService }) {
  return createBackendPlugin({
    pluginId: 'ci',
    register(env) {
      env.registerInit({
        deps: {
          evidence: evidenceServiceRef,
          lifecycle: coreServices.lifecycle,
        },
        async init({ evidence }) {
          holder.evidence = evidence;
        },
      });
    },
  });
}

describe('scorecards with the real evidence backend', () => {
  it('reads verified evidence, cites resolvable hashes, records compliance evidence and refreshes on appends', async () => {
    const holder: { evidence?: EvidenceService } = {};
    const events = recordingEvents();
    const backend = await startTestBackend({
      features: [
        evidencePlugin,
        scorecardsPlugin,
        ciPlugin(holder),
        // one in-process bus shared by both plugins (the events backend's role in a real backend)
        createServiceFactory({
          service: eventsServiceRef,
          deps: {},
          factory: () => events,
        }),
        catalogServiceMock.factory({
          entities: [component('service-a', 'compliance'), system],
        }),
        mockServices.rootConfig.factory({
          data: { backend: { baseUrl: 'http://localhost:7007' } },
        }),
      ],
    });
    try {
      const credentials = mockCredentials.user('user:default/alice');
      const entityRef = 'component:default/service-a';
      const put = (category: string, summary: Record<string, number>) =>
        holder.evidence!.append(
          { entityRef, category, summary, producedAt: daysAgo(2) },
          { credentials },
        );
      await put('tests', { tests: 10, failures: 0, errors: 0 });
      await put('coverage', { linePct: 91 });
      await put('sast', { error: 0 });
      await put('sbom', { critical: 0, high: 0 });

      const alice = mockCredentials.user.header('user:default/alice');
      const path = '/api/scorecards/v1/entities/component/default/service-a';
      // the appends refresh the entity in the background; wait until it settles
      let first: any;
      for (let i = 0; i < 100; i++) {
        first = await request(backend.server)
          .get(path)
          .set('Authorization', alice);
        if (
          first.body.checks?.find((c: any) => c.id === 'sbom-present')
            ?.status === 'pass'
        )
          break;
        await new Promise(r => setTimeout(r, 100));
      }
      await new Promise(r => setTimeout(r, 500));
      first = await request(backend.server)
        .get(path)
        .set('Authorization', alice);
      expect(first.status).toBe(200);
      const byId = (body: any, id: string) =>
        body.checks.find((c: any) => c.id === id);
      expect(byId(first.body, 'chain-verified')).toMatchObject({
        status: 'pass',
      });
      expect(byId(first.body, 'coverage-70')).toMatchObject({ status: 'pass' });
      expect(first.body.level).toBe('silver');

      // every cited hash resolves in the evidence store and hashes its envelope
      const listed = await holder.evidence!.list(entityRef, {
        credentials,
        limit: 100,
      });
      const byHash = new Map(listed.items.map(i => [i.hash, i.envelope]));
      for (const h of first.body.inputs) {
        expect(byHash.has(h)).toBe(true);
        expect(recordHash(byHash.get(h)!)).toBe(h);
      }
      const compliance = listed.items.filter(
        i => i.envelope.category === 'compliance',
      );
      // the newest compliance record is the current result, written by the plugin itself
      expect(compliance[0].envelope.producer).toBe('service:plugin:scorecards');
      expect(compliance[0].envelope.summary.resultHash).toBe(
        first.body.resultHash,
      );
      expect(compliance[0].envelope.summary.inputs).toBe(
        first.body.inputs.join(','),
      );

      // replay from the entity's audit pack (built from the evidence bundle) equals the stored result
      const bundle = await request(backend.server)
        .get('/api/evidence/v1/entities/component/default/service-a/bundle')
        .set('Authorization', alice);
      expect(bundle.status).toBe(200);
      const files = buildAuditPackFiles(bundle.body);
      const packRecords = Object.entries(files)
        .filter(([name]) => name.startsWith('records/'))
        .map(([name, bytes]) => ({
          hash: name.slice(name.indexOf('-') + 1, -'.json'.length),
          envelope: JSON.parse(
            Buffer.from(bytes as Uint8Array).toString('utf8'),
          ),
        }));
      const replayed = replayResult(first.body, packRecords);
      expect(replayed.differences).toEqual([]);
      expect(replayed.matches).toBe(true);

      // the compliance record's payload is the recorded result: each check's
      // status and the result hash; it names its check set by digest, served
      // by GET /v1/check-sets/{digest}; replaying it with that set recomputes
      // the same result
      const record = compliance[0];
      const payload = await request(backend.server)
        .get(
          `/api/evidence/v1/records/${record.hash}/artifacts/${record.envelope.payloadDigest}`,
        )
        .set('Authorization', alice)
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        });
      expect(payload.status).toBe(200);
      const { result: recorded } = JSON.parse(payload.body.toString('utf8'));
      expect(isRecordedResult(recorded)).toBe(true);
      expect(isCompactResult(recorded)).toBe(false);
      expect(recorded.resultHash).toBe(first.body.resultHash);
      expect(Object.keys(recorded.checks[0]).sort()).toEqual(['id', 'status']);
      expect(payload.body.length).toBeLessThan(
        JSON.stringify(first.body).length / 2,
      );
      const set = await request(backend.server)
        .get(`/api/scorecards/v1/check-sets/${recorded.replay.checksDigest}`)
        .set('Authorization', alice);
      expect(set.status).toBe(200);
      expect(checkSetDigest(set.body.checks)).toBe(
        recorded.replay.checksDigest,
      );
      const fromRecord = replayResult(recorded, packRecords, set.body.checks);
      expect(fromRecord.differences).toEqual([]);
      expect(fromRecord.matches).toBe(true);
      expect(
        (
          await request(backend.server)
            .get(`/api/scorecards/v1/check-sets/${'0'.repeat(64)}`)
            .set('Authorization', alice)
        ).status,
      ).toBe(404);
      const badDigest = await request(backend.server)
        .get('/api/scorecards/v1/check-sets/nothex')
        .set('Authorization', alice);
      expect(badDigest.status).toBe(400);
      expect(
        (
          await request(backend.server)
            .get(
              `/api/scorecards/v1/check-sets/${recorded.replay.checksDigest}`,
            )
            .set('Authorization', mockCredentials.none.header())
        ).status,
      ).toBe(401);

      // incremental refresh on assay.evidence.appended
      const sig = await holder.evidence!.append(
        { entityRef, category: 'signature', summary: { signed: true } },
        { credentials },
      );
      let check: any;
      for (let i = 0; i < 100; i++) {
        const res = await request(backend.server)
          .get(path)
          .set('Authorization', alice);
        check = byId(res.body, 'signatures-present');
        if (check.status === 'pass') break;
        await new Promise(r => setTimeout(r, 100));
      }
      expect(check).toMatchObject({ status: 'pass', evidence: [sig.hash] });
    } finally {
      await backend.stop();
    }
  });

  it('evaluates a full refresh on a worker thread that reads the evidence API itself, with the results the main thread computes', async () => {
    const holder: { evidence?: EvidenceService } = {};
    const lines: string[] = [];
    const logger: LoggerService = {
      info: (m: string) => void lines.push(m),
      warn: (m: string, e?: unknown) => void lines.push(`WARN ${m} ${e ?? ''}`),
      error: (m: string, e?: unknown) =>
        void lines.push(`ERROR ${m} ${e ?? ''}`),
      debug: () => {},
      child: () => logger,
    };
    // the mock scheduler instance installs itself (its factory) and runs
    // tasks when triggered
    const scheduler = mockServices.scheduler() as ReturnType<
      typeof mockServices.scheduler
    > & { factory: typeof mockServices.scheduler.factory };
    const names = Array.from({ length: 12 }, (_, i) => `svc-${i}`);
    const backend = await startTestBackend({
      features: [
        evidencePlugin,
        scorecardsPlugin,
        ciPlugin(holder),
        // no events: only the full refresh computes
        createServiceFactory({
          service: eventsServiceRef,
          deps: {},
          factory: () => ({
            publish: async () => {},
            subscribe: async () => {},
          }),
        }),
        createServiceFactory({
          service: coreServices.logger,
          deps: {},
          factory: () => logger,
        }),
        scheduler.factory({ skipTaskRunOnStartup: true }),
        catalogServiceMock.factory({
          entities: [
            ...names.map((n, i) => {
              const e = component(n, i % 2 ? 'sandbox' : 'compliance');
              // etags: an unchanged entity's result is not rewritten
              return { ...e, metadata: { ...e.metadata, etag: `etag-${i}` } };
            }),
            system,
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            scorecards: { refresh: { workers: 1 } },
          },
        }),
      ],
    });
    try {
      const credentials = mockCredentials.user('user:default/alice');
      for (const [i, name] of names.entries()) {
        const entityRef = `component:default/${name}`;
        const put = (category: string, summary: Record<string, number>) =>
          holder.evidence!.append(
            { entityRef, category, summary, producedAt: daysAgo(2) },
            { credentials },
          );
        await put('tests', { tests: 10, failures: 0, errors: 0 });
        await put('coverage', { linePct: 50 + i * 4 });
        if (i % 3) await put('sbom', { critical: 0, high: i % 4 });
      }

      await scheduler.triggerTask('scorecards-full-refresh');
      const problems = () =>
        lines.filter(
          l =>
            /^(WARN|ERROR)/.test(l) &&
            !/no evidence\.signing\.key configured/.test(l),
        );
      expect(problems()).toEqual([]);
      expect(lines.find(l => l.includes('full refresh of'))).toMatch(
        /full refresh of 12 entities .*\(12 changed, 12 written, 0 removed; 6 compliance results recorded as evidence in \d+ ms; evaluated on 1 worker thread\)/,
      );

      const alice = mockCredentials.user.header('user:default/alice');
      const pathOf = (name: string) =>
        `/api/scorecards/v1/entities/component/default/${name}`;
      const levels = new Set<string>();
      for (const name of names) {
        const onWorker = await request(backend.server)
          .get(pathOf(name))
          .set('Authorization', alice)
          .expect(200);
        expect(onWorker.body.checks.length).toBeGreaterThan(0);
        levels.add(onWorker.body.level);
        // a compliance-mode result: the record the refresh appended cites it
        const { items } = await holder.evidence!.list(
          `component:default/${name}`,
          { credentials, category: ['compliance'] },
        );
        expect(
          items.map(r => [r.envelope.summary.resultHash, r.envelope.producer]),
        ).toEqual(
          onWorker.body.mode === 'compliance'
            ? [[onWorker.body.resultHash, 'service:plugin:scorecards']]
            : [],
        );
        // a one-entity refresh computes on the main thread: the same result
        const onMain = await request(backend.server)
          .post(`${pathOf(name)}/refresh`)
          .set('Authorization', alice)
          .expect(200);
        expect(onMain.body.resultHash).toBe(onWorker.body.resultHash);
        expect(onMain.body.checks).toEqual(onWorker.body.checks);
        expect(onMain.body.inputs).toEqual(onWorker.body.inputs);
      }
      // the inputs differ, and so do the results
      expect(levels.size).toBeGreaterThan(1);

      // nothing changed: the next refresh (on the worker, whose records are
      // verified already) writes nothing and records nothing
      lines.length = 0;
      await scheduler.triggerTask('scorecards-full-refresh');
      expect(lines.find(l => l.includes('full refresh of'))).toMatch(
        /\(0 changed, 0 written, 0 removed; 0 compliance results recorded as evidence in \d+ ms; evaluated on 1 worker thread\)/,
      );
      expect(problems()).toEqual([]);
    } finally {
      await backend.stop();
    }
  });
});
