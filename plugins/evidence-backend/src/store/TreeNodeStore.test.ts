import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { DatabaseEvidenceStore } from './DatabaseEvidenceStore';
import { TreeNodeStore } from './TreeNodeStore';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('TreeNodeStore', () => {
  it('keeps nodes that were cached when a load evicts them from the cache', async () => {
    const knex = await databases.init('SQLITE_3');
    await DatabaseEvidenceStore.create({
      database: mockServices.database({ knex }),
    });
    const rows = Array.from({ length: 40 }, (_, idx) => ({
      level: 0,
      idx,
      hash: idx.toString(16).padStart(64, '0'),
    }));
    await knex.batchInsert('evidence_tree_nodes', rows, 20);
    const nodes = new TreeNodeStore(10);
    // cache the first five, then load them together with 30 others: the
    // cache (10 entries) evicts the first ones while loading
    await nodes.load(
      knex,
      [0, 1, 2, 3, 4].map(index => ({ level: 0, index })),
    );
    const refs = Array.from({ length: 35 }, (_, index) => ({
      level: 0,
      index,
    }));
    const lookup = await nodes.load(knex, refs);
    for (const { index } of refs) {
      expect(Buffer.from(lookup(0, index)).toString('hex')).toBe(
        rows[index].hash,
      );
    }
    // sparse indexes come by list, dense ones by range: both complete
    const sparse = await new TreeNodeStore().load(knex, [
      { level: 0, index: 1 },
      { level: 0, index: 39 },
    ]);
    expect(Buffer.from(sparse(0, 39)).toString('hex')).toBe(rows[39].hash);
    expect(() => sparse(0, 2)).toThrow(/missing Merkle tree node 0:2/);
  });
});
