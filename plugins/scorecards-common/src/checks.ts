import { z } from 'zod';
import { CATEGORIES, CheckDefinition, LEVELS, Rule } from './types';

const scalar = z.union([z.string(), z.number().finite(), z.boolean()]);
const factName = z
  .string()
  .regex(
    /^(entity|evidence)\.[A-Za-z0-9_.\-/]+$/,
    'must start with entity. or evidence.',
  );

const leaf = z.union([
  z.object({ fact: factName, exists: z.boolean() }).strict(),
  z.object({ fact: factName, equals: scalar }).strict(),
  z.object({ fact: factName, notEquals: scalar }).strict(),
  z.object({ fact: factName, in: z.array(scalar).min(1) }).strict(),
  z
    .object({
      fact: factName,
      matches: z.string().refine(s => {
        try {
          return Boolean(new RegExp(s));
        } catch {
          return false;
        }
      }, 'must be a valid regular expression'),
    })
    .strict(),
  z
    .object({
      fact: factName,
      gt: z.number().finite().optional(),
      gte: z.number().finite().optional(),
      lt: z.number().finite().optional(),
      lte: z.number().finite().optional(),
    })
    .strict()
    .refine(
      r => [r.gt, r.gte, r.lt, r.lte].some(v => v !== undefined),
      'needs one of exists, equals, notEquals, in, matches, gt, gte, lt, lte, maxAgeDays',
    ),
  z.object({ fact: factName, maxAgeDays: z.number().positive() }).strict(),
]);

/**
 * Zod schema of a rule: `{ all: [...] }`, `{ any: [...] }`, `{ not: rule }`
 * or a leaf `{ fact, <operator> }`.
 *
 * @public
 */
export const ruleSchema: z.ZodType<Rule> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(ruleSchema).min(1) }).strict(),
    z.object({ any: z.array(ruleSchema).min(1) }).strict(),
    z.object({ not: ruleSchema }).strict(),
    leaf,
  ]),
) as z.ZodType<Rule>;

const list = z.array(z.string().min(1)).optional();

/** Zod schema of one configured check. @public */
export const checkDefinitionSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase kebab-case'),
    title: z.string().min(1),
    description: z.string().optional(),
    category: z.enum(CATEGORIES),
    level: z.enum(LEVELS),
    weight: z.number().positive().finite().default(1),
    appliesTo: z
      .object({
        kind: list,
        type: list,
        lifecycle: list,
        tags: list,
        owner: list,
      })
      .strict()
      .optional(),
    rule: ruleSchema,
    maxAgeDays: z.number().positive().optional(),
    remediation: z
      .object({ text: z.string().min(1), url: z.string().url().optional() })
      .strict(),
    controls: z
      .array(
        z
          .string()
          .regex(
            /^[A-Za-z0-9]+:[A-Za-z0-9.\-()]+$/,
            'must be <framework>:<control>, e.g. SOC2:CC8.1',
          ),
      )
      .default([]),
  })
  .strict();

/**
 * Thrown for invalid check configuration; the message names the check and
 * the field.
 *
 * @public
 */
export class InvalidCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidCheckError';
  }
}

function pathOf(path: (string | number)[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${p}` : p;
  }
  return out;
}

/**
 * Validates configured checks. Throws {@link InvalidCheckError} naming the
 * check (by id or position) and the field, e.g.
 * `scorecards.checks[2] (id 'coverage'): rule.gte: Expected number`.
 *
 * @public
 */
export function parseChecks(
  raw: unknown,
  where = 'scorecards.checks',
): CheckDefinition[] {
  if (!Array.isArray(raw)) {
    throw new InvalidCheckError(`${where}: must be a list of checks`);
  }
  const seen = new Set<string>();
  return raw.map((item, i) => {
    const id =
      item && typeof item === 'object' && typeof (item as any).id === 'string'
        ? ` (id '${(item as any).id}')`
        : '';
    const parsed = checkDefinitionSchema.safeParse(item);
    if (!parsed.success) {
      const issue = deepestIssue(parsed.error.issues);
      throw new InvalidCheckError(
        `${where}[${i}]${id}: ${pathOf(issue.path) || '(check)'}: ${
          issue.message
        }`,
      );
    }
    if (seen.has(parsed.data.id)) {
      throw new InvalidCheckError(
        `${where}[${i}]${id}: id: duplicate check id`,
      );
    }
    seen.add(parsed.data.id);
    return parsed.data as CheckDefinition;
  });
}

/**
 * For union failures, the issue that got furthest into the input, preferring
 * a wrong value over a key that another union member would have needed.
 */
function deepestIssue(issues: z.ZodIssue[]): z.ZodIssue {
  const rank = (i: z.ZodIssue) => {
    if (i.code === z.ZodIssueCode.invalid_union) return -1;
    const missing =
      i.code === z.ZodIssueCode.invalid_type && i.received === 'undefined';
    return i.path.length * 2 + (missing ? 0 : 1);
  };
  let best = issues[0];
  const visit = (found: z.ZodIssue[]) => {
    for (const issue of found) {
      if (issue.code === z.ZodIssueCode.invalid_union) {
        for (const e of issue.unionErrors) visit(e.issues);
      } else if (rank(issue) > rank(best)) {
        best = issue;
      }
    }
  };
  visit(issues);
  return best;
}
