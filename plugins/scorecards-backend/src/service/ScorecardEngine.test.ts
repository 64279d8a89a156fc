import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Entity } from '@backstage/catalog-model';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ConfigReader } from '@backstage/config';
import { readScorecardsConfig } from '../config';
import { DatabaseScorecardStore } from '../store/DatabaseScorecardStore';
import { MemoryEvidenceService } from '../__testUtils__/MemoryEvidenceService';
import { component, seedEvidence, system } from '../__testUtils__/fixtures';
import { ScorecardEngine } from './ScorecardEngine';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

async function setup(recordCompliance = false) {
  const knex = await databases.init('SQLITE_3');
  const store = await DatabaseScorecardStore.create({
    database: mockServices.database({ knex, migrations: { skip: false } }),
  });
  const evidence = new MemoryEvidenceService();
  const names = ['a', 'b', 'c'];
  for (const n of names) seedEvidence(evidence, n, { high: n === 'b' ? 2 : 0 });
  const entities: any[] = names.map((n, i) => ({
    ...component(n, 'compliance'),
    metadata: { ...component(n, 'compliance').metadata, etag: `e${i}` },
  }));
  let now = new Date('2026-11-30T08:00:00.000Z');
  const engine = new ScorecardEngine({
    catalog: catalogServiceMock({ entities: [...entities, system] }),
    evidence,
    auth: mockServices.auth(),
    store,
    config: readScorecardsConfig(
      new ConfigReader({ scorecards: { recordCompliance } }),
    ),
    logger: mockServices.logger.mock(),
    now: () => now,
  });
  return {
    engine,
    store,
    evidence,
    knex,
    setNow: (d: string) => {
      now = new Date(d);
    },
  };
}

describe('ScorecardEngine.refreshAll', () => {
  it('does not rewrite unchanged results within a day; writes changed ones, and all on a new day', async () => {
    const { engine, store, evidence, knex, setNow } = await setup();
    const first = await engine.refreshAll();
    expect(first).toMatchObject({ entities: 3, changed: 3, written: 3 });
    const stored = await store.getResult('component:default/a');

    setNow('2026-11-30T09:00:00.000Z');
    const same = await engine.refreshAll();
    expect(same).toMatchObject({ entities: 3, changed: 0, written: 0 });
    // the stored result is the first of the day that gave it, still replayable as is
    expect(await store.getResult('component:default/a')).toEqual(stored);

    // new evidence for b: only b is rewritten
    evidence.appendSync(
      {
        entityRef: 'component:default/b',
        category: 'sbom',
        summary: { critical: 0, high: 0, medium: 1 },
        producedAt: '2026-11-30T08:30:00.000Z',
      },
      'service:ci',
    );
    setNow('2026-11-30T10:00:00.000Z');
    const one = await engine.refreshAll();
    expect(one).toMatchObject({ changed: 1, written: 1 });
    expect((await store.getResult('component:default/b'))!.computedAt).toBe(
      '2026-11-30T10:00:00.000Z',
    );
    expect((await store.getResult('component:default/a'))!.computedAt).toBe(
      '2026-11-30T08:00:00.000Z',
    );

    // a new day: every result is written (today's history point)
    setNow('2026-12-01T08:00:00.000Z');
    const next = await engine.refreshAll();
    expect(next.written).toBe(3);
    const days = await knex('scorecard_history')
      .where({ entity_ref: 'component:default/a' })
      .orderBy('day')
      .pluck('day');
    expect(days).toEqual(['2026-11-30', '2026-12-01']);
  });

  it('records changed compliance results as evidence once: its own record does not change the next result', async () => {
    const { engine, evidence, setNow } = await setup(true);
    const count = () =>
      [...evidence.chains.values()]
        .flat()
        .filter(r => r.envelope.category === 'compliance').length;
    expect(await engine.refreshAll()).toMatchObject({
      changed: 3,
      recorded: 3,
    });
    expect(count()).toBe(3);
    setNow('2026-11-30T09:00:00.000Z');
    expect(await engine.refreshAll()).toMatchObject({
      changed: 0,
      written: 0,
      recorded: 0,
    });
    expect(count()).toBe(3);
    // the cited chain head is the newest input record, not the compliance record
    const head = [...evidence.chains.get('component:default/a')!].reverse();
    expect(head[0].envelope.category).toBe('compliance');
  });
});

describe('ScorecardEngine.refreshAll parts', () => {
  it('evaluates the first catalog page as 250 + the rest and the last as two halves, each entity once', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseScorecardStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
    const entities = Array.from({ length: 2600 }, (_, i) =>
      component(`svc-${String(i).padStart(4, '0')}`, 'sandbox'),
    );
    const engine = new ScorecardEngine({
      catalog: catalogServiceMock({ entities }),
      evidence: new MemoryEvidenceService(),
      auth: mockServices.auth(),
      store,
      config: readScorecardsConfig(new ConfigReader({})),
      logger: mockServices.logger.mock(),
    });
    const saved: string[][] = [];
    const saveRows = store.saveRows.bind(store);
    jest.spyOn(store, 'saveRows').mockImplementation(async rows => {
      saved.push(rows.map(r => r.result.entity_ref));
      return saveRows(rows);
    });
    const summary = await engine.refreshAll();
    expect(summary).toMatchObject({ entities: 2600, written: 2600 });
    // catalog pages of 1,000: 1,000 (250 + 750), 1,000, 600 (300 + 300)
    expect(saved.map(p => p.length)).toEqual([250, 750, 1000, 300, 300]);
    const refs = saved.flat();
    expect(new Set(refs).size).toBe(2600);
    expect(refs).toEqual(
      entities.map(e => `component:default/${e.metadata.name}`),
    );
  });
});

describe('ScorecardEngine compliance recording in batches', () => {
  const complianceOf = (evidence: MemoryEvidenceService) =>
    [...evidence.chains.values()]
      .flat()
      .filter(r => r.envelope.category === 'compliance');

  it('records the changed compliance results with appendMany when the evidence service has it', async () => {
    const { engine, evidence, store } = await setup(true);
    const batches: string[][] = [];
    const appendSpy = jest.spyOn(evidence, 'append');
    const keys: string[] = [];
    (evidence as any).appendMany = async (requests: any[], options: any) => {
      batches.push(requests.map(r => r.entityRef));
      keys.push(...requests.map(r => r.idempotencyKey));
      return Promise.all(requests.map(r => evidence.append(r, options)));
    };
    expect(await engine.refreshAll()).toMatchObject({ recorded: 3 });
    // idempotency keys: the result and the refresh's time, not the entity
    // ref (keys are per entity; a long ref would pass the 128-character
    // limit), so the same result recorded again later (A → B → A) is new
    for (const key of keys) {
      expect(key).toMatch(/^scorecard-[0-9a-f]{64}-2026-11-30T08:00:00\.000Z$/);
      expect(key.length).toBeLessThanOrEqual(128);
    }
    expect(keys).toHaveLength(3);
    expect(batches).toEqual([
      ['component:default/a', 'component:default/b', 'component:default/c'],
    ]);
    // appendMany's own appends only (the engine made no single appends)
    expect(appendSpy).toHaveBeenCalledTimes(3);
    const recorded = complianceOf(evidence);
    expect(recorded.map(r => r.envelope.entityRef).sort()).toEqual([
      'component:default/a',
      'component:default/b',
      'component:default/c',
    ]);
    const stored = await store.getResult('component:default/b');
    const b = recorded.find(
      r => r.envelope.entityRef === 'component:default/b',
    )!;
    expect(b.envelope.summary).toMatchObject({
      actor: 'plugin:scorecards',
      resultHash: stored!.resultHash,
      level: stored!.level,
    });
  });

  it('appends the records of a refused batch one by one', async () => {
    const { engine, evidence } = await setup(true);
    const appendMany = jest.fn(async () => {
      throw new Error('records.1.category: refused');
    });
    (evidence as any).appendMany = appendMany;
    expect(await engine.refreshAll()).toMatchObject({ recorded: 3 });
    expect(appendMany).toHaveBeenCalledTimes(1);
    expect(complianceOf(evidence)).toHaveLength(3);
  });
});

describe('ScorecardEngine evidence reads', () => {
  it('reads a page of entities in bulk when the evidence service can, with the same results as reading each entity', async () => {
    const bulk = await setup();
    const listSpy = jest.spyOn(bulk.evidence, 'list');
    const bulkSpy = jest.spyOn(bulk.evidence, 'latestForEntities');
    await bulk.engine.refreshAll();
    expect(listSpy).not.toHaveBeenCalled();
    expect(bulkSpy).toHaveBeenCalledTimes(1);
    expect(bulkSpy.mock.calls[0][0]).toEqual([
      'component:default/a',
      'component:default/b',
      'component:default/c',
    ]);
    expect(bulkSpy.mock.calls[0][1]).toMatchObject({ window: 200 });

    // the same records through a service without the bulk read (list only),
    // into another result store
    const memory = bulk.evidence;
    const singleStore = await DatabaseScorecardStore.create({
      database: mockServices.database({
        knex: await databases.init('SQLITE_3'),
        migrations: { skip: false },
      }),
    });
    const single = {
      store: singleStore,
      engine: new ScorecardEngine({
        ...(bulk.engine as any).options,
        store: singleStore,
        evidence: {
          append: memory.append.bind(memory),
          list: memory.list.bind(memory),
        },
      }),
    };
    await single.engine.refreshAll();
    expect(listSpy).toHaveBeenCalledTimes(3);
    for (const n of ['a', 'b', 'c']) {
      const a = await bulk.store.getResult(`component:default/${n}`);
      const b = await single.store.getResult(`component:default/${n}`);
      expect(a!.checks.length).toBeGreaterThan(0);
      expect(a).toEqual(b);
    }
  });

  it('fails a refresh that may not read an entity’s evidence, naming it', async () => {
    const { engine, evidence } = await setup();
    jest
      .spyOn(evidence, 'latestForEntities')
      .mockImplementation(async refs =>
        refs.map(entityRef => ({ entityRef, readable: false, records: [] })),
      );
    await expect(engine.refreshAll()).rejects.toThrow(
      /may not read the evidence of component:default\/a/,
    );
  });

  describe('on a compute worker', () => {
    /** setup()'s engine with one compute worker and an evidence service with remoteAccess at `baseUrl`. */
    async function withWorker(baseUrl: string, recordCompliance = false) {
      const base = await setup(recordCompliance);
      const logger = mockServices.logger.mock();
      const evidence = Object.assign(base.evidence, {
        remoteAccess: async () => ({ baseUrl, token: 'token' }),
      });
      const engine = new ScorecardEngine({
        ...(base.engine as any).options,
        evidence,
        logger,
        config: { ...(base.engine as any).options.config, workers: 1 },
      });
      await engine.start();
      return { ...base, engine, logger };
    }

    it('fails the refresh with the error a worker reports (the evidence API unreachable) and keeps the worker', async () => {
      const { engine, logger } = await withWorker('http://127.0.0.1:1');
      try {
        await expect(engine.refreshAll()).rejects.toThrow(/fetch failed/);
        expect((engine as any).pool?.size).toBe(1);
        expect(logger.warn).not.toHaveBeenCalled();
      } finally {
        await engine.close();
      }
    });

    it('computes on the main thread, with a warning, once the worker has stopped', async () => {
      const { engine, logger, store } = await withWorker('http://127.0.0.1:1');
      try {
        // the worker dies (e.g. out of memory)
        await (engine as any).pool.workers[0].terminate();
        const summary = await engine.refreshAll();
        expect(summary).toMatchObject({ entities: 3, written: 3, workers: 0 });
        expect(logger.warn).toHaveBeenCalledTimes(1);
        expect(String(logger.warn.mock.calls[0][0])).toMatch(
          /compute workers failed, computing on the main thread from now on: .*stopped/,
        );
        expect(
          (await store.getResult('component:default/b'))!.checks.length,
        ).toBeGreaterThan(0);
        // and stays there
        expect((await engine.refreshAll()).workers).toBe(0);
        expect(logger.warn).toHaveBeenCalledTimes(1);
      } finally {
        await engine.close();
      }
    });

    it('records from the main thread what the worker held when it stops before recording, the same records', async () => {
      // the evidence API the worker reads: the bulk read of the memory service
      const api: { evidence?: MemoryEvidenceService } = {};
      const server = http.createServer((req, res) => {
        let text = '';
        req.on('data', d => {
          text += d;
        });
        req.on('end', async () => {
          res.setHeader('content-type', 'application/json');
          if (req.url !== '/v1/latest') {
            res.statusCode = 500;
            res.end('{"error":{"message":"not here"}}');
            return;
          }
          const { entityRefs, window } = JSON.parse(text);
          const items = await api.evidence!.latestForEntities(entityRefs, {
            window,
            credentials: mockCredentials.service(),
          });
          res.end(JSON.stringify({ items, rest: [] }));
        });
      });
      await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
      const w = await withWorker(
        `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        true,
      );
      api.evidence = w.evidence;
      const { engine, logger, store, evidence } = w;
      try {
        // the worker dies once the results are stored, before it records them
        const saveRows = store.saveRows.bind(store);
        jest.spyOn(store, 'saveRows').mockImplementation(async rows => {
          await saveRows(rows);
          await (engine as any).pool.workers[0].terminate();
        });
        const summary = await engine.refreshAll();
        expect(summary).toMatchObject({ entities: 3, written: 3, recorded: 3 });
        expect(logger.warn).toHaveBeenCalledWith(
          expect.stringMatching(
            /the compute workers could not record 3 compliance results .*recording them from the main thread/,
          ),
        );
        for (const n of ['a', 'b', 'c']) {
          const ref = `component:default/${n}`;
          const stored = (await store.getResult(ref))!;
          const { items } = await evidence.list(ref, {
            category: ['compliance'],
            credentials: mockCredentials.service(),
          });
          expect(items.map(i => i.envelope.summary.resultHash)).toEqual([
            stored.resultHash,
          ]);
          // the record the worker would have appended: the same idempotency key
          expect(items[0].envelope.producedAt).toBe(stored.computedAt);
        }
      } finally {
        await engine.close();
        await new Promise(r => server.close(r));
      }
    });

    describe('with two pages in flight on the worker', () => {
      /** An evidence API that never answers: the worker's reads stay pending. */
      let server: http.Server;
      let baseUrl: string;
      beforeAll(async () => {
        server = http.createServer(() => {});
        await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
        baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      });
      afterAll(async () => {
        server.closeAllConnections();
        await new Promise(r => server.close(r));
      });

      /** withWorker's engine, its catalog in two pages (a; b and c). */
      async function twoPages() {
        const w = await withWorker(baseUrl);
        const all: Entity[] = await (w.engine as any).options.catalog
          .getEntities({}, { credentials: mockCredentials.service() })
          .then((r: { items: Entity[] }) => r.items);
        const components = all.filter(e => e.kind === 'Component');
        const catalog = {
          async *streamEntities(request: { filter?: { kind?: unknown } }) {
            if (request.filter?.kind === 'system') return;
            yield components.slice(0, 1);
            yield components.slice(1);
          },
        };
        (w.engine as any).options.catalog = catalog;
        const pool = (w.engine as any).pool;
        const refresh = w.engine.refreshAll();
        refresh.catch(() => {});
        for (let i = 0; i < 500 && pool.pending.size < 2; i++) {
          await new Promise(r => setTimeout(r, 10));
        }
        expect(pool.pending.size).toBe(2);
        return { ...w, pool, refresh };
      }

      it('computes both on the main thread when the worker dies, with one warning', async () => {
        const { engine, logger, store, pool, refresh } = await twoPages();
        try {
          await pool.workers[0].terminate();
          const summary = await refresh;
          expect(summary).toMatchObject({ entities: 3, written: 3 });
          expect(logger.warn).toHaveBeenCalledTimes(1);
          for (const n of ['a', 'b', 'c']) {
            expect(
              (await store.getResult(`component:default/${n}`))!.checks.length,
            ).toBeGreaterThan(0);
          }
        } finally {
          await engine.close();
        }
      });

      it('finishes on the main thread, without a warning, when the engine is closed meanwhile (backend shutdown)', async () => {
        const { engine, logger, store, refresh } = await twoPages();
        await engine.close();
        expect(await refresh).toMatchObject({ entities: 3, written: 3 });
        expect(logger.warn).not.toHaveBeenCalled();
        expect(await store.getResult('component:default/c')).toBeDefined();
        // and no new workers after that
        expect((await engine.refreshAll()).workers).toBe(0);
        expect((engine as any).pool).toBeUndefined();
      });
    });
  });
});
