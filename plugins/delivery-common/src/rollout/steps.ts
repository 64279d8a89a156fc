import { RolloutStep } from './types';
import { ROLLOUT_DEFAULTS } from './machine';

/** Annotation holding a service's canary steps. @public */
export const CANARY_STEPS_ANNOTATION = 'assay.dev/canary-steps';

/** A canary-steps value that cannot be used; the message says why. @public */
export class CanaryStepsError extends Error {
  readonly name = 'CanaryStepsError';
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** `90`, `90s`, `5m`, `1h`, `1h30m` → seconds. @public */
export function parseDurationSeconds(text: string): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const re = /(\d+)([smh])/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNITS[m[2]];
    consumed += m[0].length;
  }
  if (consumed !== t.length || consumed === 0) {
    throw new CanaryStepsError(
      `"${text}" is not a duration (e.g. 90s, 5m, 1h30m)`,
    );
  }
  return total;
}

function validate(steps: RolloutStep[], source: string): RolloutStep[] {
  if (steps.length === 0) throw new CanaryStepsError(`${source}: no steps`);
  let prev = 0;
  steps.forEach((s, i) => {
    if (!Number.isFinite(s.weight) || s.weight <= 0 || s.weight > 100) {
      throw new CanaryStepsError(
        `${source}: step ${i + 1} weight ${s.weight} must be between 1 and 100`,
      );
    }
    if (s.weight <= prev) {
      throw new CanaryStepsError(
        `${source}: step ${i + 1} weight ${
          s.weight
        } must be greater than ${prev} (weights increase)`,
      );
    }
    if (s.intervalSeconds !== undefined && !(s.intervalSeconds > 0)) {
      throw new CanaryStepsError(
        `${source}: step ${i + 1} interval must be positive`,
      );
    }
    prev = s.weight;
  });
  if (prev !== 100) {
    throw new CanaryStepsError(
      `${source}: the last step must be 100 (got ${prev})`,
    );
  }
  return steps;
}

/**
 * Parses the `assay.dev/canary-steps` annotation. Accepted forms:
 * `10,50,100`, `10 → 50 → 100`, `10 -> 50 -> 100`, with optional `%`, a
 * per-step interval `@5m` and `!` for a step without analysis
 * (`5%@2m!, 25%@10m, 100`), or a JSON array of weights or of
 * `{ weight, intervalSeconds?, analysis? }`. Missing/empty → default
 * 10 → 50 → 100. Throws {@link CanaryStepsError} naming the problem.
 * @public
 */
export function parseCanarySteps(
  value: string | undefined | null,
): RolloutStep[] {
  const source = `annotation ${CANARY_STEPS_ANNOTATION}`;
  if (value === undefined || value === null || value.trim() === '') {
    return ROLLOUT_DEFAULTS.steps.map(weight => ({ weight }));
  }
  const text = value.trim();
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CanaryStepsError(`${source}: not valid JSON`);
    }
    if (!Array.isArray(parsed))
      throw new CanaryStepsError(`${source}: expected an array`);
    return validate(
      parsed.map((item, i) => {
        if (typeof item === 'number') return { weight: item };
        if (
          item &&
          typeof item === 'object' &&
          typeof item.weight === 'number'
        ) {
          const step: RolloutStep = { weight: item.weight };
          if (item.intervalSeconds !== undefined)
            step.intervalSeconds = Number(item.intervalSeconds);
          if (item.analysis !== undefined)
            step.analysis = Boolean(item.analysis);
          return step;
        }
        throw new CanaryStepsError(
          `${source}: step ${i + 1} needs a numeric weight`,
        );
      }),
      source,
    );
  }
  const items = text.split(/\s*(?:,|→|->|>|\s)\s*/).filter(Boolean);
  return validate(
    items.map((item, i) => {
      const m = /^(\d+(?:\.\d+)?)%?(?:@([0-9smh]+))?(!)?$/.exec(item);
      if (!m) {
        throw new CanaryStepsError(
          `${source}: step ${
            i + 1
          } "${item}" is not <weight>[%][@<interval>][!]`,
        );
      }
      const step: RolloutStep = { weight: Number(m[1]) };
      if (m[2]) step.intervalSeconds = parseDurationSeconds(m[2]);
      if (m[3]) step.analysis = false;
      return step;
    }),
    source,
  );
}
