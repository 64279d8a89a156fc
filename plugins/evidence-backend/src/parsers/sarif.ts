import type { Log } from 'sarif';
import { parseJsonObject } from './json';

/** SARIF 2.1 → results by level across all runs. */
export function parseSarif(text: string) {
  const log = parseJsonObject(text) as Log;
  if (!Array.isArray(log.runs)) {
    throw new Error('runs must be an array');
  }
  const counts = { error: 0, warning: 0, note: 0, none: 0 };
  const tools = new Set<string>();
  for (const run of log.runs) {
    if (run.tool?.driver?.name) tools.add(run.tool.driver.name);
    for (const r of run.results ?? []) {
      counts[(r.level ?? 'warning') as keyof typeof counts] += 1;
    }
  }
  return {
    tool: [...tools].join(', ') || null,
    results: counts.error + counts.warning + counts.note + counts.none,
    ...counts,
  };
}
