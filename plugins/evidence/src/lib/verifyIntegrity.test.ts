import { registerMswTestHooks } from '@backstage/test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { EvidenceClient } from '../api/EvidenceClient';
import {
  BASE_URL,
  demoLog,
  ENTITY_REF,
  FakeEvidenceLog,
} from '../__testUtils__/fakeEvidenceLog';
import {
  createInMemoryCheckpointMemory,
  entityMemoryKey,
} from './checkpointMemory';
import {
  IntegrityProgress,
  RECHECK_WINDOW,
  VERIFY_PAGE_SIZE,
  verifyIntegrity,
} from './verifyIntegrity';

const server = setupServer();
registerMswTestHooks(server);

const requests: URL[] = [];
const api = new EvidenceClient({
  discoveryApi: { getBaseUrl: async () => BASE_URL },
  fetchApi: {
    fetch: (input, init) => {
      requests.push(new URL(String(input)));
      return fetch(input, init);
    },
  },
});
const checkpointFetches = () =>
  requests.filter(u => u.pathname.endsWith('/v1/checkpoint')).length;
const remembered = (
  memory: ReturnType<typeof createInMemoryCheckpointMemory>,
) => memory.get(entityMemoryKey(ENTITY_REF));

beforeEach(() => {
  requests.length = 0;
});

function setup(log: FakeEvidenceLog = demoLog()) {
  server.use(...log.handlers());
  return log;
}

describe('verifyIntegrity', () => {
  it('verifies a real chain, the signed checkpoint and the head inclusion', async () => {
    const log = setup();
    const memory = createInMemoryCheckpointMemory();
    const report = await verifyIntegrity({
      api,
      entityRef: ENTITY_REF,
      memory,
    });
    const head = log.chain()[log.chain().length - 1];
    expect(report).toMatchObject({
      status: 'verified',
      checked: 6,
      head: { seq: 6, hash: head.hash, leafIndex: head.leafIndex },
      includedRecord: { seq: 6 },
      consistency: { kind: 'first-visit' },
      checkpoint: {
        origin: 'assay.test/evidence',
        treeSize: 8,
        keySource: 'server',
      },
    });
    expect(remembered(memory)).toMatchObject({
      treeSize: 8,
      verifierKey: log.verifierKey,
    });
  });

  it('names the first record whose canonical bytes were edited', async () => {
    const log = setup();
    const tampered = log.tamper(3, c =>
      c.replace('"linePct":83.1', '"linePct":93.1'),
    );
    const report = await verifyIntegrity({
      api,
      entityRef: ENTITY_REF,
      memory: createInMemoryCheckpointMemory(),
    });
    expect(report).toMatchObject({
      status: 'broken',
      checked: 2,
      problem: { stage: 'chain', record: { seq: 3, hash: tampered.hash } },
    });
    expect(report).toMatchObject({
      problem: { message: expect.stringMatching(/^hash mismatch/) },
    });
  });

  it('names a record whose hash was recomputed but whose successor still links to the old one', async () => {
    const log = setup();
    const r = log.tamper(2, c => c.replace('"tests":412', '"tests":999'));
    const { sha256Hex } = jest.requireActual('@assay/plugin-evidence-common');
    r.hash = sha256Hex(r.canonical);
    const report = await verifyIntegrity({
      api,
      entityRef: ENTITY_REF,
      memory: createInMemoryCheckpointMemory(),
    });
    expect(report).toMatchObject({
      status: 'broken',
      problem: { stage: 'chain', record: { seq: 3 } },
    });
    expect(report).toMatchObject({
      problem: {
        message: expect.stringMatching(/previousHash does not match record #2/),
      },
    });
  });

  it('catches a rewritten head through its inclusion proof', async () => {
    const log = setup();
    const head = log.chain()[5];
    // an attacker rewrites the head and its hash consistently, but the signed log still has the original leaf
    const original = log.checkpointNote();
    log.tamper(6, c => c.replace('"p95Ms":182.4', '"p95Ms":82.4'));
    const { sha256Hex } = jest.requireActual('@assay/plugin-evidence-common');
    head.hash = sha256Hex(head.canonical);
    log.noteOverride = original;
    // proofs are still served from the original tree
    const realLeaves = [...log.leaves];
    realLeaves[head.leafIndex] = realLeaves[head.leafIndex].replace(
      '"p95Ms":82.4',
      '"p95Ms":182.4',
    );
    const origInclusion = log.inclusion.bind(log);
    log.inclusion = (i, n) => {
      const saved = log.leaves[head.leafIndex];
      log.leaves[head.leafIndex] = realLeaves[head.leafIndex];
      try {
        return origInclusion(i, n);
      } finally {
        log.leaves[head.leafIndex] = saved;
      }
    };
    const report = await verifyIntegrity({
      api,
      entityRef: ENTITY_REF,
      memory: createInMemoryCheckpointMemory(),
    });
    expect(report).toMatchObject({
      status: 'broken',
      problem: { stage: 'inclusion', record: { seq: 6, hash: head.hash } },
    });
  });

  it('rejects a checkpoint signed by another key', async () => {
    const log = setup();
    const forger = new FakeEvidenceLog();
    log.noteOverride = forger.checkpointNote(0);
    const report = await verifyIntegrity({
      api,
      entityRef: ENTITY_REF,
      memory: createInMemoryCheckpointMemory(),
    });
    expect(report).toMatchObject({
      status: 'broken',
      problem: { stage: 'signature' },
    });
  });

  it('trusts only pinned keys when configured', async () => {
    setup();
    const other = new FakeEvidenceLog();
    const report = await verifyIntegrity({
      api,
      entityRef: ENTITY_REF,
      memory: createInMemoryCheckpointMemory(),
      pinnedKeys: [other.verifierKey],
    });
    expect(report).toMatchObject({
      status: 'broken',
      problem: { stage: 'signature' },
    });
  });

  it('checks a consistency proof against the checkpoint seen on the last visit', async () => {
    const log = setup();
    const memory = createInMemoryCheckpointMemory();
    await verifyIntegrity({ api, entityRef: ENTITY_REF, memory });
    log.append(ENTITY_REF, {
      category: 'release',
      summary: { version: '1.4.3' },
    });
    log.append('component:default/service-b', {
      category: 'tests',
      summary: { tests: 1 },
    });
    const report = await verifyIntegrity({
      api,
      entityRef: ENTITY_REF,
      memory,
    });
    expect(report).toMatchObject({
      status: 'verified',
      checked: 7,
      consistency: { kind: 'extended', fromSize: 8 },
      checkpoint: { treeSize: 10 },
    });
    expect(remembered(memory)?.treeSize).toBe(10);
    const again = await verifyIntegrity({ api, entityRef: ENTITY_REF, memory });
    expect(again).toMatchObject({ consistency: { kind: 'unchanged' } });
  });

  it('reports a log that was rewritten since the last visit', async () => {
    const log = setup();
    const memory = createInMemoryCheckpointMemory();
    await verifyIntegrity({ api, entityRef: ENTITY_REF, memory });
    // history rewritten: another entity's old leaf changed, then the log grew
    log.leaves[0] = log.leaves[0].replace('"tests":10', '"tests":11');
    log.append(ENTITY_REF, {
      category: 'release',
      summary: { version: '1.4.3' },
    });
    const report = await verifyIntegrity({
      api,
      entityRef: ENTITY_REF,
      memory,
    });
    expect(report).toMatchObject({
      status: 'broken',
      problem: { stage: 'consistency' },
    });
    expect(remembered(memory)?.treeSize).toBe(8);
  });

  it('reports a changed signing key (trust on first use)', async () => {
    setup();
    const memory = createInMemoryCheckpointMemory();
    await verifyIntegrity({ api, entityRef: ENTITY_REF, memory });
    setup(demoLog()); // same data shape, new key
    const report = await verifyIntegrity({
      api,
      entityRef: ENTITY_REF,
      memory,
    });
    expect(report).toMatchObject({
      status: 'broken',
      problem: { stage: 'key' },
    });
  });

  it('walks a long chain in pages of 500, reporting progress', async () => {
    const log = new FakeEvidenceLog();
    for (let i = 0; i < 1203; i++) {
      log.append(ENTITY_REF, {
        category: 'tests',
        summary: { tests: i, failures: 0 },
      });
    }
    setup(log);
    const progress: IntegrityProgress[] = [];
    const report = await verifyIntegrity({
      api,
      entityRef: ENTITY_REF,
      memory: createInMemoryCheckpointMemory(),
      onProgress: p => progress.push(p),
    });
    expect(report).toMatchObject({
      status: 'verified',
      checked: 1203,
      includedRecord: { seq: 1203 },
    });
    const records = progress.filter(p => p.phase === 'records');
    expect(records[records.length - 1]).toMatchObject({
      verified: 1203,
      total: 1203,
    });
    expect(progress.map(p => p.phase)).toEqual(
      expect.arrayContaining([
        'records',
        'checkpoint',
        'inclusion',
        'consistency',
      ]),
    );
  });

  it('verifies an entity without records against the checkpoint only', async () => {
    setup();
    const report = await verifyIntegrity({
      api,
      entityRef: 'component:default/empty',
      memory: createInMemoryCheckpointMemory(),
    });
    expect(report).toMatchObject({ status: 'verified', checked: 0 });
    expect(
      report.status === 'verified' ? report.includedRecord : report,
    ).toBeUndefined();
  });

  describe('runs the same full record check as /verify, the CLI and the audit pack', () => {
    // Each edit keeps the envelope's canonical prefix, the hash (recomputed)
    // and every link intact, and the signed log is built over the edited
    // bytes: only the full check of the bytes catches them.
    it.each([
      [
        'a trailing duplicate key',
        (c: string) => c.replace(/\}$/, ',"seq":99}'),
      ],
      [
        'a non-canonical number in the summary',
        (c: string) => c.replace('"p95Ms":182.4', '"p95Ms":182.40'),
      ],
      [
        'a duplicate key in the summary',
        (c: string) => c.replace('"p95Ms":182.4', '"p95Ms":182.4,"p95Ms":82.4'),
      ],
      [
        'summary keys out of order',
        (c: string) =>
          c.replace(
            '"errorRate":0.0012,"p95Ms":182.4',
            '"p95Ms":182.4,"errorRate":0.0012',
          ),
      ],
      [
        'a non-canonical string escape',
        (c: string) => c.replace('"staging"', '"st\\u0061ging"'),
      ],
      [
        'a time that is not ISO 8601 (schema)',
        (c: string) =>
          c.replace(
            '"producedAt":"2025-01-08T00:00:00.000Z"',
            '"producedAt":"yesterday"',
          ),
      ],
      [
        'whitespace in the tail',
        (c: string) => c.replace(/"v":1\}$/, '"v": 1}'),
      ],
    ])('rejects %s', async (_, edit) => {
      const log = setup();
      const before = log.chain()[5].canonical;
      const head = log.tamper(6, edit);
      expect(head.canonical).not.toBe(before);
      const { sha256Hex } = jest.requireActual('@assay/plugin-evidence-common');
      head.hash = sha256Hex(head.canonical);
      const report = await verifyIntegrity({
        api,
        entityRef: ENTITY_REF,
        memory: createInMemoryCheckpointMemory(),
      });
      expect(report).toMatchObject({
        status: 'broken',
        checked: 5,
        problem: { stage: 'chain', record: { hash: head.hash } },
      });
    });
  });

  describe('never calls records verified that no signed checkpoint covers', () => {
    it('re-fetches a checkpoint older than the newest records once, then verifies against the newer one', async () => {
      const log = setup();
      // the first checkpoint served predates the two newest records
      server.use(
        http.get(
          `${BASE_URL}/v1/checkpoint`,
          () => HttpResponse.text(log.checkpointNote(6)),
          { once: true },
        ),
      );
      const memory = createInMemoryCheckpointMemory();
      const report = await verifyIntegrity({
        api,
        entityRef: ENTITY_REF,
        memory,
      });
      expect(checkpointFetches()).toBe(2);
      expect(report).toMatchObject({
        status: 'verified',
        checked: 6,
        includedRecord: { seq: 6, leafIndex: 7 },
        checkpoint: { treeSize: 8 },
      });
      expect(remembered(memory)?.treeSize).toBe(8);
    });

    it('is broken when the newest records are still not covered after a re-fetch', async () => {
      const log = setup();
      log.checkpointSize = 6; // leaves 6 and 7 (records #5 and #6) never get signed
      const memory = createInMemoryCheckpointMemory();
      const report = await verifyIntegrity({
        api,
        entityRef: ENTITY_REF,
        memory,
      });
      expect(checkpointFetches()).toBe(2);
      expect(report).toMatchObject({
        status: 'broken',
        checked: 4,
        checkpoint: { treeSize: 6 },
        problem: {
          stage: 'inclusion',
          message: expect.stringMatching(
            /^no signed checkpoint covers records #5–#6/,
          ),
          record: { seq: 5, hash: log.chain()[4].hash },
        },
      });
      expect(remembered(memory)).toBeUndefined();
    });

    it('is broken when records exist but none is covered by the checkpoint', async () => {
      const log = setup();
      log.checkpointSize = 1; // only service-b's first leaf
      const report = await verifyIntegrity({
        api,
        entityRef: ENTITY_REF,
        memory: createInMemoryCheckpointMemory(),
      });
      expect(checkpointFetches()).toBe(2);
      expect(report).toMatchObject({
        status: 'broken',
        checked: 0,
        problem: {
          stage: 'inclusion',
          message: expect.stringMatching(
            /^no signed checkpoint covers records #1–#6/,
          ),
          record: { seq: 1, hash: log.chain()[0].hash },
        },
      });
    });

    it('names the single uncovered record', async () => {
      const log = setup();
      log.checkpointSize = 7;
      const report = await verifyIntegrity({
        api,
        entityRef: ENTITY_REF,
        memory: createInMemoryCheckpointMemory(),
      });
      expect(report).toMatchObject({
        status: 'broken',
        problem: {
          stage: 'inclusion',
          message: expect.stringMatching(
            /^no signed checkpoint covers record #6:/,
          ),
          record: { seq: 6 },
        },
      });
    });
  });

  describe('remembers the last checkpoint per entity, not per server-chosen origin', () => {
    it('reports a new key even when the server also changed its origin', async () => {
      setup();
      const memory = createInMemoryCheckpointMemory();
      await verifyIntegrity({ api, entityRef: ENTITY_REF, memory });
      const impostor = setup(demoLog('impostor.example/log'));
      const report = await verifyIntegrity({
        api,
        entityRef: ENTITY_REF,
        memory,
      });
      expect(report).toMatchObject({
        status: 'broken',
        checkpoint: { origin: 'impostor.example/log' },
        problem: {
          stage: 'key',
          message: expect.stringContaining(impostor.verifierKey),
        },
      });
      // still the checkpoint of the genuine log
      expect(remembered(memory)?.origin).toBe('assay.test/evidence');
    });

    it('keeps a separate memory for each entity', async () => {
      setup();
      const memory = createInMemoryCheckpointMemory();
      await verifyIntegrity({ api, entityRef: ENTITY_REF, memory });
      const other = await verifyIntegrity({
        api,
        entityRef: 'component:default/service-b',
        memory,
      });
      expect(other).toMatchObject({
        status: 'verified',
        consistency: { kind: 'first-visit' },
      });
      const again = await verifyIntegrity({
        api,
        entityRef: 'Component:default/service-a',
        memory,
      });
      expect(again).toMatchObject({ consistency: { kind: 'unchanged' } });
    });
  });

  describe('detects that the newest records were removed or replaced', () => {
    it('first visit: the signed checkpoint commits to a head the server no longer serves', async () => {
      const log = setup();
      const removed = log.deleteNewest(); // the head row deleted in the database
      const report = await verifyIntegrity({
        api,
        entityRef: ENTITY_REF,
        memory: createInMemoryCheckpointMemory(),
      });
      expect(report).toMatchObject({
        status: 'broken',
        problem: {
          stage: 'heads',
          kind: 'truncated',
          record: { seq: 6, hash: removed.hash },
          message: expect.stringMatching(
            /^truncated: the signed checkpoint commits to head #6 .* end at #5$/,
          ),
        },
      });
    });

    it('first visit: a checkpoint without heads cannot tell (why heads are bound)', async () => {
      const log = setup();
      log.bindHeads = false;
      log.deleteNewest();
      const report = await verifyIntegrity({
        api,
        entityRef: ENTITY_REF,
        memory: createInMemoryCheckpointMemory(),
      });
      expect(report).toMatchObject({
        status: 'verified',
        checked: 5,
        heads: { status: 'unbound' },
      });
    });

    it('reports the heads it checked when everything is there', async () => {
      setup();
      const report = await verifyIntegrity({
        api,
        entityRef: ENTITY_REF,
        memory: createInMemoryCheckpointMemory(),
      });
      expect(report).toMatchObject({
        status: 'verified',
        heads: { status: 'bound', entities: 2 },
      });
    });

    it('returning visit: the head this browser verified is gone, even under a newer checkpoint', async () => {
      const log = setup();
      const memory = createInMemoryCheckpointMemory();
      await verifyIntegrity({ api, entityRef: ENTITY_REF, memory });
      expect(remembered(memory)?.head?.seq).toBe(6);
      // head deleted, and the heads the log signs later are rewritten to
      // match (an operator who also controls the signing key)
      log.bindHeads = false;
      const removed = log.deleteNewest();
      log.append('component:default/service-b', {
        category: 'tests',
        summary: { tests: 1 },
      });
      const report = await verifyIntegrity({
        api,
        entityRef: ENTITY_REF,
        memory,
      });
      expect(report).toMatchObject({
        status: 'broken',
        problem: {
          stage: 'heads',
          kind: 'truncated',
          record: { seq: 6, hash: removed.hash },
        },
      });
    });

    it('returning visit: a record edited in place before the remembered head is named', async () => {
      const log = setup();
      const memory = createInMemoryCheckpointMemory();
      expect(
        (await verifyIntegrity({ api, entityRef: ENTITY_REF, memory })).status,
      ).toBe('verified');
      const tampered = log.tamper(3, c =>
        c.replace('"linePct":83.1', '"linePct":99.9'),
      );
      const report = await verifyIntegrity({
        api,
        entityRef: ENTITY_REF,
        memory,
      });
      expect(report).toMatchObject({
        status: 'broken',
        problem: { stage: 'chain', record: { seq: 3, hash: tampered.hash } },
      });
    });

    it('returning visit: another record at the remembered seq is a replaced head', async () => {
      setup();
      const memory = createInMemoryCheckpointMemory();
      await verifyIntegrity({ api, entityRef: ENTITY_REF, memory });
      const seen = remembered(memory)!;
      memory.set(entityMemoryKey(ENTITY_REF), {
        ...seen,
        head: { seq: 6, hash: 'f'.repeat(64) },
      });
      const report = await verifyIntegrity({
        api,
        entityRef: ENTITY_REF,
        memory,
      });
      expect(report).toMatchObject({
        status: 'broken',
        problem: { stage: 'heads', kind: 'head replaced' },
      });
    });

    it('rejects a head proof that is not in the signed heads tree', async () => {
      const log = setup();
      const other = new FakeEvidenceLog();
      server.use(
        http.get(`${BASE_URL}/v1/entities/:k/:n/:name/head-proof`, () =>
          HttpResponse.json(
            other
              .headsTree(log.leaves.length)
              .proof(ENTITY_REF, log.leaves.length),
          ),
        ),
      );
      const report = await verifyIntegrity({
        api,
        entityRef: ENTITY_REF,
        memory: createInMemoryCheckpointMemory(),
      });
      expect(report).toMatchObject({
        status: 'broken',
        problem: {
          stage: 'heads',
          message: expect.stringMatching(
            /does not match the signed checkpoint/,
          ),
        },
      });
    });

    it('fetches records appended between the listing and the checkpoint', async () => {
      const log = setup();
      let appended = false;
      const handlers = log.handlers();
      server.use(
        http.get(`${BASE_URL}/v1/checkpoint`, () => {
          if (!appended) {
            appended = true;
            log.append(ENTITY_REF, { category: 'release', summary: {} });
          }
          return HttpResponse.text(log.checkpointNote());
        }),
        ...handlers.filter(h => !String(h.info.path).endsWith('/checkpoint')),
      );
      const report = await verifyIntegrity({
        api,
        entityRef: ENTITY_REF,
        memory: createInMemoryCheckpointMemory(),
      });
      expect(report).toMatchObject({
        status: 'verified',
        checked: 7,
        head: { seq: 7 },
        heads: { status: 'bound' },
      });
    });
  });
});

describe('verifyIntegrity on a return visit (incremental)', () => {
  const listed = () => requests.filter(u => u.pathname.endsWith('/records'));

  /** A first visit, two appends, a returning visit; the requests it made. */
  async function returningVisit(increment: boolean) {
    const log = setup();
    log.noIncrement = !increment;
    const memory = createInMemoryCheckpointMemory();
    const first = await verifyIntegrity({ api, entityRef: ENTITY_REF, memory });
    expect(first).toMatchObject({ status: 'verified', checked: 6 });
    expect(first.status === 'verified' && first.incremental).toBeUndefined();
    expect(remembered(memory)?.head?.seq).toBe(6);
    const treeSize = remembered(memory)!.treeSize;
    log.append(ENTITY_REF, { category: 'tests', summary: { tests: 1 } });
    log.append(ENTITY_REF, { category: 'tests', summary: { tests: 2 } });
    requests.length = 0;
    const report = await verifyIntegrity({
      api,
      entityRef: ENTITY_REF,
      memory,
    });
    expect(report).toMatchObject({
      status: 'verified',
      checked: 8,
      incremental: { fromSeq: 6, checkedNow: 2 },
      head: { seq: 8 },
      consistency: { kind: 'extended' },
    });
    expect(remembered(memory)?.head?.seq).toBe(8);
    return { treeSize };
  }

  it('fetches and checks only the records after the head it verified before, and the window before it, in one round trip', async () => {
    const { treeSize } = await returningVisit(true);
    // the increment (window of 6 before #6, the new records, checkpoint and
    // proofs) and the key, nothing else
    expect(requests.map(u => u.pathname.split('/').pop()).sort()).toEqual([
      'increment',
      'public-key',
    ]);
    const inc = requests.find(u => u.pathname.endsWith('/increment'))!;
    expect(Object.fromEntries(inc.searchParams)).toEqual({
      after: '6',
      treeSize: String(treeSize),
      window: '6',
    });
  });

  it('does the same with the separate routes on a backend without /increment', async () => {
    await returningVisit(false);
    // the walk started after the remembered head; before it, only the
    // re-check window (at most one page) was listed again
    const walk = listed().filter(u => u.searchParams.get('order') === 'asc');
    expect(walk[0].searchParams.get('cursor')).toBe('6');
    expect(walk.slice(1).map(u => u.searchParams.get('limit'))).toEqual(['6']);
    expect(RECHECK_WINDOW).toBeLessThanOrEqual(VERIFY_PAGE_SIZE);
  });

  it('is broken when the new records do not link to the remembered head', async () => {
    const log = setup();
    const memory = createInMemoryCheckpointMemory();
    await verifyIntegrity({ api, entityRef: ENTITY_REF, memory });
    const seen = remembered(memory)!;
    memory.set(entityMemoryKey(ENTITY_REF), {
      ...seen,
      head: { seq: 6, hash: 'ab'.repeat(32) },
    });
    log.append(ENTITY_REF, { category: 'tests', summary: { tests: 1 } });
    const report = await verifyIntegrity({
      api,
      entityRef: ENTITY_REF,
      memory,
    });
    expect(report).toMatchObject({
      status: 'broken',
      problem: {
        stage: 'chain',
        message: expect.stringMatching(/previousHash does not match/),
        record: { seq: 7 },
      },
    });
  });

  it('names a removed head even when nothing new was appended', async () => {
    const log = setup();
    const memory = createInMemoryCheckpointMemory();
    await verifyIntegrity({ api, entityRef: ENTITY_REF, memory });
    log.deleteNewest();
    const report = await verifyIntegrity({
      api,
      entityRef: ENTITY_REF,
      memory,
    });
    expect(report).toMatchObject({
      status: 'broken',
      problem: { message: expect.stringMatching(/truncated/) },
    });
  });
});
