import { z } from 'zod';
import { HashFn, sha256 } from '@assay/plugin-evidence-common';
import { checkDefinitionSchema } from './checks';
import { sortedJsonHash } from './hashing';
import {
  CATEGORIES,
  CheckDefinition,
  CheckResult,
  CheckStatus,
  EntityResult,
  LEVELS,
  LevelOrNone,
  Mode,
  MODES,
  ReplayInput,
  STATUSES,
} from './types';

/** What a compact check result may leave out (see {@link CompactCheckResult}). @public */
export type CompactedField =
  | 'title'
  | 'description'
  | 'category'
  | 'remediation'
  | 'controls'
  | 'level'
  | 'weight'
  | 'evidence';

/**
 * A check result without what its definition holds (title, description,
 * category, remediation, controls; level and weight when they are the
 * definition's) and with its evidence as positions in the result's
 * `inputs` (`e`) when every hash it cites is one of them: what a stored
 * result keeps per check. A check whose text differs from its definition's
 * keeps it in full. Results compacted before `e` existed keep `level`,
 * `weight` and `evidence` (hashes); {@link expandResult} reads both.
 *
 * @public
 */
export type CompactCheckResult = Omit<CheckResult, CompactedField> &
  Partial<Pick<CheckResult, CompactedField>> & {
    /** the evidence cited, as positions in the result's `inputs` */
    e?: number[];
  };

/**
 * A result that names its check set by digest instead of carrying it: the
 * form stored per entity, and the payload (`{ actor, result }`) of
 * `compliance` evidence records written before {@link RecordedEntityResult}
 * (which keeps only each check's status). The definitions are served content-addressed
 * (`GET /api/scorecards/v1/check-sets/{digest}`); {@link expandResult}
 * checks that they hash to the digest before using them.
 *
 * @public
 */
export type CompactEntityResult = Omit<EntityResult, 'checks' | 'replay'> & {
  checks: CompactCheckResult[];
  replay: Omit<ReplayInput, 'checks'> & {
    /** {@link checkSetDigest} of the check definitions evaluated. */
    checksDigest: string;
  };
};

const digests = new WeakMap<CheckDefinition[], string>();

/**
 * Content address of a check set: hex SHA-256 of the sorted-key (RFC 8785
 * for this data) JSON of the definitions, in their order.
 *
 * @public
 */
export function checkSetDigest(
  checks: CheckDefinition[],
  hash: HashFn = sha256,
): string {
  let d = digests.get(checks);
  if (!d) {
    d = sortedJsonHash(checks, hash);
    digests.set(checks, d);
  }
  return d;
}

/**
 * Whether a result is the compact form: it names its check set by digest
 * (see {@link expandResult}) and keeps each check's reason, facts and
 * evidence. Never true of a {@link RecordedEntityResult}.
 *
 * @public
 */
export function isCompactResult(
  r: EntityResult | CompactEntityResult | RecordedEntityResult,
): r is CompactEntityResult {
  return (
    !isRecordedResult(r) &&
    typeof (r.replay as { checksDigest?: unknown })?.checksDigest ===
      'string' &&
    !Array.isArray((r.replay as { checks?: unknown }).checks)
  );
}

/**
 * Throws unless `checks` hashes ({@link checkSetDigest}) to `digest`, the
 * check set a compact or recorded result names.
 *
 * @public
 */
export function assertCheckSetDigest(
  checks: CheckDefinition[],
  digest: string,
): void {
  const got = checkSetDigest(checks);
  if (got !== digest) {
    throw new Error(
      `the check set does not hash to the digest the result names (result: ${digest}, check set: ${got})`,
    );
  }
}

const definitionsById = new WeakMap<
  CheckDefinition[],
  Map<string, CheckDefinition>
>();

function byId(checks: CheckDefinition[]) {
  let defs = definitionsById.get(checks);
  if (!defs) {
    defs = new Map(checks.map(c => [c.id, c]));
    definitionsById.set(checks, defs);
  }
  return defs;
}

/**
 * The result without its check definitions (named by `checksDigest`, by
 * default {@link checkSetDigest} of `r.replay.checks`) and without each
 * check's text when it is its definition's (as evaluation copies it).
 *
 * @public
 */
export function compactResult(
  r: EntityResult,
  checksDigest: string = checkSetDigest(r.replay.checks),
): CompactEntityResult {
  const defs = byId(r.replay.checks);
  const { checks: _definitions, ...replay } = r.replay;
  const position = new Map<string, number>();
  r.inputs.forEach((h, i) => position.set(h, i));
  return {
    ...r,
    checks: r.checks.map(c => {
      const def = defs.get(c.id);
      if (
        !def ||
        def.title !== c.title ||
        def.description !== c.description ||
        def.category !== c.category ||
        def.remediation !== c.remediation ||
        def.controls !== c.controls
      ) {
        return c;
      }
      const out: CompactCheckResult = {
        id: c.id,
        ...(c.level !== def.level ? { level: c.level } : {}),
        ...(c.weight !== def.weight ? { weight: c.weight } : {}),
        status: c.status,
        reason: c.reason,
        facts: c.facts,
      };
      const e: number[] = [];
      for (const h of c.evidence) {
        const i = position.get(h);
        if (i === undefined) break;
        e.push(i);
      }
      if (e.length === c.evidence.length) out.e = e;
      else out.evidence = c.evidence;
      if (c.waiver) out.waiver = c.waiver;
      return out;
    }),
    replay: { ...replay, checksDigest },
  };
}

/**
 * A compact result back in full with the check set it names. Throws when
 * `checks` does not hash to the result's `checksDigest` (unless the caller
 * says it already knows it does: `trusted`, for sets read back from its own
 * content-addressed store).
 *
 * @public
 */
export function expandResult(
  r: CompactEntityResult,
  checks: CheckDefinition[],
  options: { trusted?: boolean } = {},
): EntityResult {
  if (!options.trusted) assertCheckSetDigest(checks, r.replay.checksDigest);
  const defs = byId(checks);
  const { checksDigest: _digest, ...replay } = r.replay;
  return {
    ...r,
    checks: r.checks.map(c => {
      const def = defs.get(c.id);
      if (c.title !== undefined || !def) return c as CheckResult; // kept in full
      const { id, waiver, e, level, weight, evidence, ...rest } = c;
      return {
        id,
        title: def.title,
        ...(def.description ? { description: def.description } : {}),
        category: def.category,
        level: level ?? def.level,
        weight: weight ?? def.weight,
        ...rest,
        evidence: e
          ? e.map(i => {
              const h = r.inputs[i];
              if (typeof h !== 'string') {
                throw new Error(
                  `check ${id}: evidence position ${i} is not one of the result's ${r.inputs.length} inputs`,
                );
              }
              return h;
            })
          : evidence ?? [],
        remediation: def.remediation,
        controls: def.controls,
        ...(waiver ? { waiver } : {}),
      };
    }),
    replay: { ...replay, checks },
  };
}

/**
 * One check in a {@link RecordedEntityResult}: its status, and for a waived
 * check the id of the waiver that counted (in full in the result's
 * `replay.waivers`).
 *
 * @public
 */
export type RecordedCheckResult = {
  id: string;
  status: CheckStatus;
  /** Id of the waiver that made the check `waived`. */
  waiver?: string;
};

/**
 * The smallest form of a result, the payload of a `compliance` evidence
 * record (`{ actor, result }`): what a reader needs at a glance (score,
 * level, each check's status, the evidence cited) and what replay needs
 * (`replay`, with the check set named by digest). Each check's reason,
 * fact values and evidence, and the check text, are not kept: they are
 * derived again by `replayResult` from the cited records and the
 * check set, and `resultHash` commits to them (see `resultHashOf`), so
 * replay shows whether they are what was evaluated. `form` tells it from
 * the full and compact forms (records of both exist).
 *
 * @public
 */
export type RecordedEntityResult = {
  form: 'recorded';
  entityRef: string;
  mode: Mode;
  score: number;
  level: LevelOrNone;
  computedAt: string;
  checks: RecordedCheckResult[];
  /** Hashes of every evidence record the result read. */
  inputs: string[];
  /** Hash of the full result (see `resultHashOf`). */
  resultHash: string;
  replay: Omit<ReplayInput, 'checks'> & {
    /** {@link checkSetDigest} of the check definitions evaluated. */
    checksDigest: string;
  };
};

/** Whether a result is the recorded form ({@link recordedResult}). @public */
export function isRecordedResult(
  r: EntityResult | CompactEntityResult | RecordedEntityResult,
): r is RecordedEntityResult {
  return (r as { form?: unknown } | null)?.form === 'recorded';
}

/**
 * The result as a `compliance` record keeps it ({@link RecordedEntityResult}):
 * per check only id and status (and the waiver's id when waived), the check
 * set named by `checksDigest` (by default {@link checkSetDigest} of
 * `r.replay.checks`). Pure.
 *
 * @public
 */
export function recordedResult(
  r: EntityResult,
  checksDigest: string = checkSetDigest(r.replay.checks),
): RecordedEntityResult {
  const { checks: _definitions, ...replay } = r.replay;
  return {
    form: 'recorded',
    entityRef: r.entityRef,
    mode: r.mode,
    score: r.score,
    level: r.level,
    computedAt: r.computedAt,
    checks: r.checks.map(c =>
      c.waiver
        ? { id: c.id, status: c.status, waiver: c.waiver.id }
        : { id: c.id, status: c.status },
    ),
    inputs: r.inputs,
    resultHash: r.resultHash,
    replay: { ...replay, checksDigest },
  };
}

const factValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const sha256HexString = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters');
const waiverSchema = z
  .object({
    id: z.string(),
    entityRef: z.string(),
    checkId: z.string(),
    reason: z.string(),
    expiresAt: z.string(),
    status: z.enum(['pending', 'approved', 'rejected', 'expired']),
    requestedBy: z.string(),
    requestedAt: z.string(),
    decidedBy: z.string().optional(),
    decidedAt: z.string().optional(),
    evidenceHash: z.string().optional(),
    // older stored results may carry the decision comment
    comment: z.string().optional(),
  })
  .strict();
const replayBase = {
  entityFacts: z.record(factValue),
  waivers: z.array(waiverSchema),
  maxEvidenceAgeDays: z.number().finite(),
  evaluatedAt: z.string(),
  headSeq: z.number().int().min(0),
};
const resultBase = {
  entityRef: z.string(),
  mode: z.enum(MODES),
  score: z.number().finite(),
  level: z.enum([...LEVELS, 'none']),
  computedAt: z.string(),
  inputs: z.array(z.string()),
  resultHash: sha256HexString,
};
const checkResultBase = {
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  category: z.enum(CATEGORIES),
  level: z.enum(LEVELS),
  weight: z.number().finite(),
  status: z.enum(STATUSES),
  reason: z.string(),
  facts: z.record(factValue),
  evidence: z.array(z.string()),
  waiver: waiverSchema.optional(),
  remediation: z
    .object({ text: z.string(), url: z.string().optional() })
    .strict(),
  controls: z.array(z.string()),
};

const recordedSchema = z
  .object({
    form: z.literal('recorded'),
    ...resultBase,
    checks: z.array(
      z
        .object({
          id: z.string(),
          status: z.enum(STATUSES),
          waiver: z.string().optional(),
        })
        .strict(),
    ),
    replay: z.object({ ...replayBase, checksDigest: sha256HexString }).strict(),
  })
  .strict();

const compactSchema = z
  .object({
    ...resultBase,
    checks: z.array(
      z
        .object({
          ...checkResultBase,
          title: checkResultBase.title.optional(),
          category: checkResultBase.category.optional(),
          remediation: checkResultBase.remediation.optional(),
          controls: checkResultBase.controls.optional(),
          // the definition's when absent (see CompactCheckResult)
          level: checkResultBase.level.optional(),
          weight: checkResultBase.weight.optional(),
          // hashes, or positions in the result's inputs
          evidence: checkResultBase.evidence.optional(),
          e: z.array(z.number().int().min(0)).optional(),
        })
        .strict()
        .refine(c => (c.evidence === undefined) !== (c.e === undefined), {
          path: ['evidence'],
          message:
            'one of evidence (hashes) or e (positions in inputs) is required',
        })
        // a check kept in full (its own text) keeps everything as it is
        .refine(
          c =>
            c.title === undefined ||
            (c.e === undefined &&
              c.level !== undefined &&
              c.weight !== undefined),
          {
            path: ['title'],
            message:
              'a check kept in full has level, weight and evidence (hashes), not e',
          },
        ),
    ),
    replay: z.object({ ...replayBase, checksDigest: sha256HexString }).strict(),
  })
  .strict();

// a full result is what the entity API serves: unknown top-level keys are
// tolerated (every check is compared and hashed; the replay input is typed)
const fullSchema = z.object({
  ...resultBase,
  checks: z.array(z.object(checkResultBase).strict()),
  replay: z
    .object({ ...replayBase, checks: z.array(checkDefinitionSchema) })
    .strict(),
});

/**
 * Which form a stored result claims to be: `recorded` when it has a `form`
 * key (whatever its value: only `'recorded'` is valid), `compact` when its
 * replay input names the check set by digest, else `full`.
 *
 * @public
 */
export function resultFormOf(r: unknown): 'recorded' | 'compact' | 'full' {
  if (r && typeof r === 'object' && 'form' in r) return 'recorded';
  const replay = (r as { replay?: { checksDigest?: unknown } } | null)?.replay;
  return typeof replay?.checksDigest === 'string' ? 'compact' : 'full';
}

/**
 * Checks that a stored result is exactly one of the three forms, before it
 * is replayed: the recorded form keeps per check only `{ id, status,
 * waiver? }` (a reason, facts or evidence there would be ignored by replay,
 * so they are refused), the compact and full forms their typed fields.
 * Throws an Error naming the field (`result.checks.3.reason: not allowed in
 * a recorded result`) and returns the form otherwise. Pure.
 *
 * @public
 */
export function assertStoredResult(
  r: unknown,
): 'recorded' | 'compact' | 'full' {
  const form = resultFormOf(r);
  const schemas = {
    recorded: recordedSchema,
    compact: compactSchema,
    full: fullSchema,
  };
  const parsed = schemas[form].safeParse(r);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = ['result', ...issue.path].join('.');
    if (issue.code === z.ZodIssueCode.unrecognized_keys) {
      throw new Error(
        `${at}.${issue.keys[0]}: not allowed in a ${form} result`,
      );
    }
    throw new Error(`${at}: ${issue.message} (in a ${form} result)`);
  }
  return form;
}

/**
 * Throws unless `checks` are check definitions (`checkDefinitionSchema`),
 * naming the field (`checks.3.rule: …`): a check set named by digest is
 * read from a file or a server before it is replayed. Pure.
 *
 * @public
 */
export function assertCheckSet(checks: unknown): void {
  const parsed = z.array(checkDefinitionSchema).safeParse(checks);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${['checks', ...issue.path].join('.')}: ${issue.message}`);
  }
}
