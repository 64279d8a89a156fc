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
      const level = (r.level ?? 'warning') as keyof typeof counts;
      if (!(level in counts)) {
        throw new Error(
          `result level '${String(
            r.level,
          )}' is not one of error, warning, note, none`,
        );
      }
      counts[level] += 1;
    }
  }
  return {
    tool: [...tools].join(', ') || null,
    results: counts.error + counts.warning + counts.note + counts.none,
    ...counts,
  };
}
