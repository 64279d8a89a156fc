/* eslint-disable no-console */
/**
 * Wave planning of a coordinated promotion, 5,000 services with 20,000
 * dependency edges (goal ≤ 200 ms). `yarn bench:promotion` runs
 * delivery-backend's bench/promotion.ts, which imports this and adds the
 * gate-evaluation figure (10,000 evidence records on the entity, through
 * the real service); run alone, this file writes the planning row only.
 */
import os from 'node:os';
import { planWaves } from '../src/promotion/planWaves';
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { writeSection } from '../../../scripts/bench/writeSection';

/** A random DAG: services in a random order, each edge pointing to an earlier one. */
export function makeGraph(services: number, edgeCount: number, seed = 1) {
  let s = seed;
  const rnd = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  const nodes = Array.from(
    { length: services },
    (_, i) => `component:default/service-${i}`,
  );
  const order = nodes.map((_, i) => i);
  for (let i = services - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const edges: Array<[string, string]> = [];
  const seen = new Set<string>();
  while (edges.length < edgeCount) {
    const p = Math.floor(rnd() * services);
    // mostly near dependencies (layered architectures), some far ones
    const span =
      rnd() < 0.8
        ? 1 + Math.floor(rnd() * 50)
        : 1 + Math.floor(rnd() * services);
    const q = p - span;
    if (q < 0) continue;
    const key = `${p}:${q}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push([nodes[order[p]], nodes[order[q]]]);
  }
  return { nodes, edges };
}

/** Measures planWaves on 5,000 services / 20,000 edges; the Promotion table row. */
export function benchPlanWaves(): { line: string; row: string } {
  const graph = makeGraph(5000, 20000);
  for (let i = 0; i < 3; i++) planWaves(graph); // warm-up
  const times: number[] = [];
  let waves = 0;
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    waves = planWaves(graph).waves.length;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const worst = times[times.length - 1];
  const cold = (() => {
    const g = makeGraph(5000, 20000, 99);
    const t = performance.now();
    planWaves(g);
    return performance.now() - t;
  })();
  const ok = (b: boolean) => (b ? 'met' : '**missed**');
  return {
    line: `planWaves 5,000 services / 20,000 edges: median ${median.toFixed(
      1,
    )} ms, worst ${worst.toFixed(
      1,
    )} ms, ${waves} waves; a new graph ${cold.toFixed(1)} ms`,
    row: `| \`planWaves\`: 5,000 services, 20,000 dependency edges (random DAG, mostly near dependencies), ${waves} waves; 15 runs | ≤ 200 ms | median **${median.toFixed(
      1,
    )} ms**, worst ${worst.toFixed(
      1,
    )} ms; first run on a new graph ${cold.toFixed(1)} ms | ${ok(
      worst <= 200,
    )} |`,
  };
}

/** The machine line of the Promotion section. */
export function machineLine() {
  const machine = `${os.availableParallelism()} × ${os
    .cpus()[0]
    .model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${
    process.version
  }`;
  const load = os.loadavg()[0].toFixed(1);
  const date = new Date().toISOString().slice(0, 10);
  return `Command: \`yarn bench:promotion\` — ${date} — ${machine}; 1-minute load average ${load} when it started (shared machine).`;
}

/** Alone: the wave-planning row only (`yarn bench:promotion` runs delivery-backend's bench, which adds the gate evaluation). */
function main() {
  const header = machineLine();
  const { line, row } = benchPlanWaves();
  console.log(line);
  writeSection(
    'Promotion',
    [
      header,
      '',
      '| benchmark | goal | result | status |',
      '|---|---|---|---|',
      row,
    ].join('\n'),
  );
}

if (require.main === module) main();
