import { evaluateEntity, resultHashOf } from './evaluate';
import { EvidenceInput, evidenceFacts, factsFromValues } from './facts';
import { CompactEntityResult, expandResult, isCompactResult } from './compact';
import { CheckDefinition, EntityResult } from './types';

/** @public */
export type ReplayOutcome = {
  /** true when the recomputed result equals the stored one (same hash, no differences) */
  matches: boolean;
  recomputed: EntityResult;
  /** Hashes the stored result cites that the records do not contain. */
  missingEvidence: string[];
  /** Checks whose status or reason differ, in words. */
  differences: string[];
};

/**
 * Recomputes a stored result from evidence records (e.g. an audit pack's
 * `records/`) and the result's replay input (catalog facts, checks,
 * waivers, evaluation time). Pure.
 *
 * A compact result (a `compliance` record's payload, which names its check
 * set by `replay.checksDigest`) needs `checkSet`: the definitions, e.g. from
 * `GET /api/scorecards/v1/check-sets/{digest}`; they must hash to that
 * digest (else this throws), so the rules replayed are the ones evaluated.
 * A full result (older records, the entity API) carries its checks.
 *
 * @public
 */
export function replayResult(
  result: EntityResult | CompactEntityResult,
  records: EvidenceInput[],
  checkSet?: CheckDefinition[],
): ReplayOutcome {
  let stored: EntityResult;
  if (isCompactResult(result)) {
    if (!checkSet) {
      throw new Error(
        `the result names its check set by digest (${result.replay.checksDigest}): the check definitions are needed to replay it`,
      );
    }
    stored = expandResult(result, checkSet);
  } else {
    stored = result;
  }
  const input = stored.replay;
  const window = records.filter(
    r =>
      r.envelope.entityRef === stored.entityRef &&
      r.envelope.seq <= input.headSeq,
  );
  const facts = {
    ...factsFromValues(input.entityFacts),
    ...evidenceFacts(window),
  };
  const recomputed = evaluateEntity({
    entityRef: stored.entityRef,
    mode: stored.mode,
    checks: input.checks,
    facts,
    waivers: input.waivers,
    maxEvidenceAgeDays: input.maxEvidenceAgeDays,
    now: input.evaluatedAt,
    headSeq: input.headSeq,
  });
  const have = new Set(window.map(r => r.hash));
  const missingEvidence = stored.inputs.filter(h => !have.has(h));
  const differences: string[] = [];
  const byId = new Map(recomputed.checks.map(c => [c.id, c]));
  for (const c of stored.checks) {
    const r = byId.get(c.id);
    if (!r) differences.push(`${c.id}: not recomputed`);
    else if (r.status !== c.status || r.reason !== c.reason) {
      differences.push(
        `${c.id}: stored ${c.status} (${c.reason}), replayed ${r.status} (${r.reason})`,
      );
    }
  }
  if (recomputed.score !== stored.score) {
    differences.push(
      `score: stored ${stored.score}, replayed ${recomputed.score}`,
    );
  }
  if (recomputed.level !== stored.level) {
    differences.push(
      `level: stored ${stored.level}, replayed ${recomputed.level}`,
    );
  }
  if (resultHashOf(stored) !== stored.resultHash) {
    differences.push('resultHash: does not match the stored result itself');
  }
  return {
    matches:
      recomputed.resultHash === stored.resultHash && differences.length === 0,
    recomputed,
    missingEvidence,
    differences,
  };
}
