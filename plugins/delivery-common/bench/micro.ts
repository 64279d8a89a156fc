/* eslint-disable no-console */
/**
 * Micro-benchmark of one `judge()` call's parts (development aid, not a
 * figure for docs/benchmarks.md): `node --require
 * @backstage/cli/config/nodeTransform.cjs plugins/delivery-common/bench/micro.ts`.
 */
import { judge, judgeWith } from '../src/judge/judge';
import { cleanSorted } from '../src/judge/sortSample';
import { mannWhitneyDetailed } from '../src/judge/mannWhitney';
import { makeCases } from './run';
import { kernelSwitch } from '../src/judge/wasmKernel';

function time(label: string, cases: unknown[], fn: (c: any) => unknown) {
  for (let i = 0; i < 100; i++) for (const c of cases) fn(c);
  const cpu = () => {
    const u = process.threadCpuUsage();
    return u.user + u.system;
  };
  // the best of 15 rounds: the machine is shared
  let best = Infinity;
  for (let round = 0; round < 15; round++) {
    const reps = 30;
    const t0 = cpu();
    for (let i = 0; i < reps; i++) for (const c of cases) fn(c);
    best = Math.min(best, (cpu() - t0) / (reps * cases.length));
  }
  console.log(`${label.padEnd(24)} ${best.toFixed(1)} µs`);
}

const cases = makeCases(48);
const sorted = cases.map(c => ({
  x: Float64Array.from(c.metrics[0].canary).sort(),
  y: Float64Array.from(c.metrics[0].baseline).sort(),
}));
const which = process.argv[2] ?? 'all';
if (which === 'all' || which === 'judge') time('judge', cases, c => judge(c));
if (which === 'all' || which === 'nokernel') {
  // the JavaScript fallback (WebAssembly unavailable or refused)
  time('judge, no wasm kernel', cases, c => {
    kernelSwitch.enabled = false;
    try {
      return judge(c);
    } finally {
      kernelSwitch.enabled = true;
    }
  });
}
if (which === 'all') {
  time('cleanSorted ×2', cases, c => {
    cleanSorted(c.metrics[0].canary, 'remove', 0);
    cleanSorted(c.metrics[0].baseline, 'remove', 1);
  });
  const stub = () => ({
    estimate: 3.75,
    confidenceInterval: [2.117, 5.376] as [number, number],
  });
  time('judge, stub MW', cases, c => judgeWith(c, stub));
  time('mannWhitneyDetailed', sorted, s => mannWhitneyDetailed(s.x, s.y, 0.98));
}
if (which === 'parts') {
  const { PairwiseDifferences } = require('../src/judge/mannWhitney');
  const { DiffSelector } = require('../src/judge/selectDiffs');
  time('PairwiseDifferences', sorted, s => new PairwiseDifferences(s.x, s.y));
  const pd = sorted.map(s => new PairwiseDifferences(s.x, s.y));
  const sel = sorted.map(
    (s, i) =>
      new DiffSelector(
        s.x,
        s.y,
        (pd[i] as any).meanDiff,
        (pd[i] as any).sdDiff,
      ),
  );
  const idx = sorted.map((_, i) => i);
  time(
    'DiffSelector ctor',
    idx,
    i =>
      new DiffSelector(
        sorted[i].x,
        sorted[i].y,
        (pd[i] as any).meanDiff,
        (pd[i] as any).sdDiff,
      ),
  );
  const groups: Array<[number, number]> = [
    [470000, 470000],
    [530001, 530001],
    [500000, 500001],
  ];
  const mk = (i: number) =>
    new DiffSelector(
      sorted[i].x,
      sorted[i].y,
      (pd[i] as any).meanDiff,
      (pd[i] as any).sdDiff,
    );
  time('ctor+count3 stride 4', idx, i => (mk(i) as any).count3(0, 1, 2, 4));
  time('ctor+count3 stride 1', idx, i => (mk(i) as any).count3(0, 1, 2, 1));
  time('ctor+gather3', idx, i =>
    (mk(i) as any).gather3(-1, -0.8, 2, 2.2, 5, 5.2),
  );
  time('selectMany (new sel)', idx, i =>
    new DiffSelector(
      sorted[i].x,
      sorted[i].y,
      (pd[i] as any).meanDiff,
      (pd[i] as any).sdDiff,
    ).selectMany(groups),
  );
}
if (which === 'sort') {
  const { sortFiniteInPlace } = require('../src/judge/sortSample');
  const arrs = cases.map(c => Float64Array.from(c.metrics[0].canary));
  const mm = arrs.map(a => [Math.min(...a), Math.max(...a)]);
  const work = new Float64Array(1000);
  const idx = arrs.map((_, i) => i);
  time('copy only', idx, i => work.set(arrs[i]));
  time('sortFiniteInPlace', idx, i => {
    work.set(arrs[i]);
    sortFiniteInPlace(work, 1000, mm[i][0], mm[i][1]);
  });
  time('cleanSorted 1', cases, c =>
    cleanSorted(c.metrics[0].canary, 'remove', 0),
  );
}
