import { HashFn, sha256 } from '@assay/plugin-evidence-common';
import { sortedJsonHash } from './hashing';
import {
  CheckDefinition,
  CheckResult,
  EntityResult,
  ReplayInput,
} from './types';

/**
 * A check result without the text its definition holds (title,
 * description, category, remediation, controls): what a recorded result
 * keeps per check. A check whose text differs from its definition's keeps
 * it in full.
 *
 * @public
 */
export type CompactCheckResult = Omit<
  CheckResult,
  'title' | 'description' | 'category' | 'remediation' | 'controls'
> &
  Partial<
    Pick<
      CheckResult,
      'title' | 'description' | 'category' | 'remediation' | 'controls'
    >
  >;

/**
 * A result that names its check set by digest instead of carrying it: the
 * form stored per entity and recorded as `compliance` evidence (payload
 * `{ actor, result }`). The definitions are served content-addressed
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

/** Whether a result names its check set by digest (see {@link expandResult}). @public */
export function isCompactResult(
  r: EntityResult | CompactEntityResult,
): r is CompactEntityResult {
  return (
    typeof (r.replay as { checksDigest?: unknown })?.checksDigest ===
      'string' && !Array.isArray((r.replay as { checks?: unknown }).checks)
  );
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
      return {
        id: c.id,
        level: c.level,
        weight: c.weight,
        status: c.status,
        reason: c.reason,
        facts: c.facts,
        evidence: c.evidence,
        ...(c.waiver ? { waiver: c.waiver } : {}),
      };
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
  const want = r.replay.checksDigest;
  if (!options.trusted) {
    const got = checkSetDigest(checks);
    if (got !== want) {
      throw new Error(
        `the check set does not hash to the digest the result names (result: ${want}, check set: ${got})`,
      );
    }
  }
  const defs = byId(checks);
  const { checksDigest: _digest, ...replay } = r.replay;
  return {
    ...r,
    checks: r.checks.map(c => {
      const def = defs.get(c.id);
      if (c.title !== undefined || !def) return c as CheckResult; // kept in full
      const { id, waiver, ...rest } = c;
      return {
        id,
        title: def.title,
        ...(def.description ? { description: def.description } : {}),
        category: def.category,
        ...rest,
        remediation: def.remediation,
        controls: def.controls,
        ...(waiver ? { waiver } : {}),
      };
    }),
    replay: { ...replay, checks },
  };
}
