import fc from 'fast-check';
import { DependencyCycleError, planWaves } from './planWaves';

/** Brute force: wave(n) = length of the longest dependency path from n, by relaxation. */
function bruteForce(
  nodes: string[],
  edges: Array<[string, string]>,
): string[][] {
  const wave = new Map(nodes.map(n => [n, 0]));
  for (let round = 0; round <= nodes.length; round++) {
    let changed = false;
    for (const [a, b] of edges) {
      if (wave.get(a)! < wave.get(b)! + 1) {
        wave.set(a, wave.get(b)! + 1);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const waves: string[][] = [];
  for (const n of nodes) (waves[wave.get(n)!] ??= []).push(n);
  return waves;
}

describe('planWaves', () => {
  it('dependencies go first; independent nodes share a wave', () => {
    expect(
      planWaves({
        nodes: ['web', 'api', 'db', 'cache'],
        edges: [
          ['web', 'api'],
          ['api', 'db'],
        ],
      }).waves,
    ).toEqual([['db', 'cache'], ['api'], ['web']]);
  });

  it('diamond: a → b, a → c, b → d, c → d', () => {
    expect(
      planWaves({
        nodes: ['a', 'b', 'c', 'd'],
        edges: [
          ['a', 'b'],
          ['a', 'c'],
          ['b', 'd'],
          ['c', 'd'],
        ],
      }).waves,
    ).toEqual([['d'], ['b', 'c'], ['a']]);
  });

  it('earliest wave: a long chain does not delay an unrelated short one', () => {
    const { waves } = planWaves({
      nodes: ['x1', 'x2', 'x3', 'y1', 'y2'],
      edges: [
        ['x3', 'x2'],
        ['x2', 'x1'],
        ['y2', 'y1'],
      ],
    });
    expect(waves).toEqual([['x1', 'y1'], ['x2', 'y2'], ['x3']]);
  });

  it('a node depending on two levels goes after the later one (diamond with a shortcut)', () => {
    expect(
      planWaves({
        nodes: ['a', 'b', 'c'],
        edges: [
          ['a', 'b'],
          ['b', 'c'],
          ['a', 'c'],
        ],
      }).waves,
    ).toEqual([['c'], ['b'], ['a']]);
  });

  it('duplicate nodes and edges are harmless; no nodes → no waves', () => {
    expect(
      planWaves({
        nodes: ['a', 'b', 'a'],
        edges: [
          ['a', 'b'],
          ['a', 'b'],
        ],
      }).waves,
    ).toEqual([['b'], ['a']]);
    expect(planWaves({ nodes: [], edges: [] }).waves).toEqual([]);
  });

  it('a cycle throws an error naming its nodes', () => {
    const plan = () =>
      planWaves({
        nodes: ['a', 'b', 'c', 'd'],
        edges: [
          ['a', 'b'],
          ['b', 'c'],
          ['c', 'a'],
          ['d', 'a'],
        ],
      });
    let err: DependencyCycleError | undefined;
    try {
      plan();
    } catch (e) {
      err = e as DependencyCycleError;
    }
    expect(err).toBeInstanceOf(DependencyCycleError);
    expect(err!.cycle[0]).toBe(err!.cycle[err!.cycle.length - 1]);
    expect(new Set(err!.cycle)).toEqual(new Set(['a', 'b', 'c']));
    expect(err!.message).toMatch(
      /^dependency cycle: ([abc]) → [abc] → [abc] → \1$/,
    );
  });

  it('a self-dependency is a cycle of one', () => {
    expect(() => planWaves({ nodes: ['a'], edges: [['a', 'a']] })).toThrow(
      'dependency cycle: a → a',
    );
  });

  it('an edge naming an unknown node is an error naming it', () => {
    expect(() => planWaves({ nodes: ['a'], edges: [['a', 'zzz']] })).toThrow(
      '"zzz"',
    );
  });

  it('200-node random DAGs: equal to the brute-force reference', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 800 }),
        fc.integer(),
        (n, raw, seed) => {
          // a random permutation decides the topological order; edges point backwards
          const order = Array.from({ length: n }, (_, i) => i);
          let s = seed >>> 0;
          for (let i = n - 1; i > 0; i--) {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            const j = s % (i + 1);
            [order[i], order[j]] = [order[j], order[i]];
          }
          const nodes = order.map(i => `svc-${i}`);
          const edges: Array<[string, string]> = [];
          for (const [p, q] of raw) {
            const a = p % n;
            const b = q % n;
            if (a > b) edges.push([nodes[a], nodes[b]]);
          }
          const shuffled = [...nodes].sort();
          expect(planWaves({ nodes: shuffled, edges }).waves).toEqual(
            bruteForce(shuffled, edges),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('200-node random graphs with a planted cycle: the named cycle is a real cycle', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 200 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 600 }),
        fc.nat(),
        (n, raw, k) => {
          const nodes = Array.from({ length: n }, (_, i) => `n${i}`);
          const edges: Array<[string, string]> = raw.map(([p, q]) => [
            nodes[p % n],
            nodes[q % n],
          ]);
          const c = 2 + (k % Math.min(5, n - 1));
          for (let i = 0; i < c; i++)
            edges.push([nodes[i], nodes[(i + 1) % c]]);
          let err: DependencyCycleError | undefined;
          try {
            planWaves({ nodes, edges });
          } catch (e) {
            err = e as DependencyCycleError;
          }
          expect(err).toBeInstanceOf(DependencyCycleError);
          const set = new Set(edges.map(([a, b]) => `${a}>${b}`));
          const cyc = err!.cycle;
          expect(cyc[0]).toBe(cyc[cyc.length - 1]);
          for (let i = 0; i + 1 < cyc.length; i++)
            expect(set.has(`${cyc[i]}>${cyc[i + 1]}`)).toBe(true);
          expect(err!.message).toContain(cyc.join(' → '));
        },
      ),
      { numRuns: 150 },
    );
  });
});
