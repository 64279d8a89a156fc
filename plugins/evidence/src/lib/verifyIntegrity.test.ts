import { registerMswTestHooks } from '@backstage/test-utils';
import { setupServer } from 'msw/node';
import { EvidenceClient } from '../api/EvidenceClient';
import {
  BASE_URL,
  demoLog,
  ENTITY_REF,
  FakeEvidenceLog,
} from '../__testUtils__/fakeEvidenceLog';
import { createInMemoryCheckpointMemory } from './checkpointMemory';
import { IntegrityProgress, verifyIntegrity } from './verifyIntegrity';

const server = setupServer();
registerMswTestHooks(server);

const api = new EvidenceClient({
  discoveryApi: { getBaseUrl: async () => BASE_URL },
  fetchApi: { fetch: (...args) => fetch(...args) },
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
      uncheckpointed: 0,
      consistency: { kind: 'first-visit' },
      checkpoint: {
        origin: 'assay.test/evidence',
        treeSize: 8,
        keySource: 'server',
      },
    });
    expect(memory.get('assay.test/evidence')).toMatchObject({
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
    expect(memory.get('assay.test/evidence')?.treeSize).toBe(10);
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
    expect(memory.get('assay.test/evidence')?.treeSize).toBe(8);
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

  it('walks a long chain in pages of 500, reporting progress, and counts records newer than the checkpoint', async () => {
    const log = new FakeEvidenceLog();
    for (let i = 0; i < 1203; i++) {
      log.append(ENTITY_REF, {
        category: 'tests',
        summary: { tests: i, failures: 0 },
      });
    }
    log.checkpointSize = 1200;
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
      includedRecord: { seq: 1200 },
      uncheckpointed: 3,
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
    expect(report).toMatchObject({
      status: 'verified',
      checked: 0,
      uncheckpointed: 0,
    });
  });
});
