/** A dependency cycle; `cycle` lists its nodes in order (first repeated last). @public */
export class DependencyCycleError extends Error {
  readonly name = 'DependencyCycleError';
  constructor(readonly cycle: string[]) {
    super(`dependency cycle: ${cycle.join(' → ')}`);
  }
}

/**
 * Plans a coordinated promotion in waves. `[a, b]` means a depends on b, so b
 * goes first. Every node is placed in the earliest wave its dependencies
 * allow (wave = 1 + the latest wave of its dependencies; none → wave 0);
 * within a wave, nodes keep their input order. A cycle throws
 * {@link DependencyCycleError} whose message names the cycle's nodes; an
 * edge naming an unknown node throws an Error naming it.
 * @public
 */
export function planWaves(input: {
  nodes: string[];
  edges: Array<[string, string]>;
}): { waves: string[][] } {
  const index = new Map<string, number>();
  const names: string[] = [];
  for (const n of input.nodes) {
    if (!index.has(n)) {
      index.set(n, names.length);
      names.push(n);
    }
  }
  const count = names.length;
  const idOf = (n: string, edge: [string, string]) => {
    const id = index.get(n);
    if (id === undefined) {
      throw new Error(
        `edge [${edge[0]}, ${edge[1]}] names "${n}", which is not in nodes`,
      );
    }
    return id;
  };
  // dependents[b] = nodes that depend on b; pending[a] = a's unplaced dependencies
  const dependents: number[][] = Array.from({ length: count }, () => []);
  const pending = new Int32Array(count);
  const seen = new Set<string>();
  for (const edge of input.edges) {
    const a = idOf(edge[0], edge);
    const b = idOf(edge[1], edge);
    if (a === b) throw new DependencyCycleError([names[a], names[a]]);
    const key = `${a}\u0000${b}`;
    if (seen.has(key)) continue;
    seen.add(key);
    dependents[b].push(a);
    pending[a]++;
  }
  const waveOf = new Int32Array(count).fill(-1);
  let current: number[] = [];
  for (let i = 0; i < count; i++) if (pending[i] === 0) current.push(i);
  const waves: string[][] = [];
  let placed = 0;
  while (current.length) {
    current.sort((p, q) => p - q);
    const w = waves.length;
    waves.push(current.map(i => names[i]));
    const next: number[] = [];
    for (const b of current) {
      waveOf[b] = w;
      placed++;
      for (const a of dependents[b]) {
        if (--pending[a] === 0) next.push(a);
      }
    }
    current = next;
  }
  if (placed < count)
    throw new DependencyCycleError(findCycle(names, dependents, waveOf));
  return { waves };
}

/** A cycle among the nodes Kahn's algorithm could not place. */
function findCycle(
  names: string[],
  dependents: number[][],
  waveOf: Int32Array,
): string[] {
  // dependencies among unplaced nodes: a → b when a depends on b
  const deps: number[][] = names.map(() => []);
  dependents.forEach((list, b) => {
    if (waveOf[b] >= 0) return;
    for (const a of list) if (waveOf[a] < 0) deps[a].push(b);
  });
  const state = new Uint8Array(names.length); // 0 new, 1 on stack, 2 done
  for (let start = 0; start < names.length; start++) {
    if (waveOf[start] >= 0 || state[start]) continue;
    const stack: Array<{ node: number; next: number }> = [
      { node: start, next: 0 },
    ];
    const path: number[] = [start];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.next < deps[top.node].length) {
        const d = deps[top.node][top.next++];
        if (state[d] === 1) {
          const from = path.indexOf(d);
          return [...path.slice(from), d].map(i => names[i]);
        }
        if (state[d] === 0) {
          state[d] = 1;
          stack.push({ node: d, next: 0 });
          path.push(d);
        }
      } else {
        state[top.node] = 2;
        stack.pop();
        path.pop();
      }
    }
  }
  /* c8 ignore next */
  throw new Error('unplaced nodes without a cycle');
}
