import { evaluateEntity, resultHashOf } from './evaluate';
import { EvidenceInput, evidenceFacts, factsFromValues } from './facts';
import {
  assertCheckSet,
  assertCheckSetDigest,
  assertStoredResult,
  CompactEntityResult,
  expandResult,
  isCompactResult,
  isRecordedResult,
  RecordedEntityResult,
} from './compact';
import { CheckDefinition, EntityResult, ReplayInput } from './types';

/** @public */
export type ReplayOutcome = {
  /** true when the recomputed result equals the stored one (same hash, no differences) */
  matches: boolean;
  recomputed: EntityResult;
  /** Hashes the stored result cites that the records do not contain. */
  missingEvidence: string[];
  /**
   * What differs, in words: checks whose status or reason (the recorded
   * form: status, waiver) differ or that only one side has, score, level,
   * the cited inputs (as an exact list), `computedAt` against
   * `replay.evaluatedAt`, stored waivers that did not count or repeat, and
   * the result hash.
   */
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
 * A recorded result (the payload of newer `compliance` records, see
 * `recordedResult`) needs `checkSet` the same way; it keeps only each
 * check's status, so it matches when the recomputed result hashes to its
 * `resultHash` (which commits to every check's reason, facts and evidence)
 * and every status, the score, the level and the inputs it shows are the
 * recomputed ones.
 * A full result (older records, the entity API) carries its checks.
 *
 * Every form is first validated strictly (`assertStoredResult`: throws an
 * Error naming the field, e.g. a reason in a recorded result). What the
 * result hash does not cover is compared too: the inputs as an exact
 * list, `computedAt` (the engine's is `replay.evaluatedAt`) and
 * `replay.waivers` (the engine keeps only those that counted). The rest of
 * the replay input (catalog facts, waivers' content, `maxEvidenceAgeDays`,
 * the check set's digest) is taken from the result as it is: only the
 * `compliance` record that commits to the result's bytes vouches for it
 * (`assay scorecard replay` checks that binding).
 *
 * @public
 */
export function replayResult(
  result: EntityResult | CompactEntityResult | RecordedEntityResult,
  records: EvidenceInput[],
  checkSet?: CheckDefinition[],
): ReplayOutcome {
  // exactly one form, whatever `form` says: a field replay would ignore is
  // refused, not trusted
  assertStoredResult(result);
  if (isRecordedResult(result)) {
    const { checksDigest, ...input } = result.replay;
    if (!checkSet) {
      throw new Error(
        `the result names its check set by digest (${checksDigest}): the check definitions are needed to replay it`,
      );
    }
    assertCheckSetDigest(checkSet, checksDigest);
    assertCheckSet(checkSet);
    const { recomputed, missingEvidence } = recompute(
      result,
      { ...input, checks: checkSet },
      records,
    );
    const differences = [
      ...recordedDifferences(result, recomputed),
      ...replayInputDifferences(result, recomputed, 'recorded'),
    ];
    return {
      matches:
        recomputed.resultHash === result.resultHash && differences.length === 0,
      recomputed,
      missingEvidence,
      differences,
    };
  }
  let stored: EntityResult;
  if (isCompactResult(result)) {
    if (!checkSet) {
      throw new Error(
        `the result names its check set by digest (${result.replay.checksDigest}): the check definitions are needed to replay it`,
      );
    }
    assertCheckSetDigest(checkSet, result.replay.checksDigest);
    assertCheckSet(checkSet);
    stored = expandResult(result, checkSet, { trusted: true });
  } else {
    stored = result;
  }
  const { recomputed, missingEvidence } = recompute(
    stored,
    stored.replay,
    records,
  );
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
  differences.push(...scoreLevelDifferences(stored, recomputed, 'stored'));
  if (resultHashOf(stored) !== stored.resultHash) {
    differences.push('resultHash: does not match the stored result itself');
  }
  differences.push(...replayInputDifferences(stored, recomputed, 'stored'));
  return {
    matches:
      recomputed.resultHash === stored.resultHash && differences.length === 0,
    recomputed,
    missingEvidence,
    differences,
  };
}

/** Score and level of a stored or recorded result against the recomputed one, in words. */
function scoreLevelDifferences(
  kept: Pick<EntityResult, 'score' | 'level'>,
  recomputed: EntityResult,
  word: 'stored' | 'recorded',
): string[] {
  const out: string[] = [];
  if (recomputed.score !== kept.score) {
    out.push(`score: ${word} ${kept.score}, replayed ${recomputed.score}`);
  }
  if (recomputed.level !== kept.level) {
    out.push(`level: ${word} ${kept.level}, replayed ${recomputed.level}`);
  }
  return out;
}

/** Evaluates the replay input over the records up to its head. */
function recompute(
  stored: Pick<EntityResult, 'entityRef' | 'mode' | 'inputs'>,
  input: ReplayInput,
  records: EvidenceInput[],
): { recomputed: EntityResult; missingEvidence: string[] } {
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
  return { recomputed, missingEvidence };
}

/** How a recorded result differs from the recomputed one, in words. */
function recordedDifferences(
  recorded: RecordedEntityResult,
  recomputed: EntityResult,
): string[] {
  const differences: string[] = [];
  const byId = new Map(recomputed.checks.map(c => [c.id, c]));
  const seen = new Set<string>();
  for (const c of recorded.checks) {
    const r = byId.get(c.id);
    if (seen.has(c.id)) {
      differences.push(`${c.id}: recorded more than once`);
      continue;
    }
    seen.add(c.id);
    if (!r) {
      differences.push(`${c.id}: not recomputed`);
    } else if (r.status !== c.status) {
      differences.push(
        `${c.id}: recorded ${c.status}, replayed ${r.status} (${r.reason})`,
      );
    } else if (r.waiver?.id !== c.waiver) {
      differences.push(
        `${c.id}: recorded waiver ${c.waiver ?? 'none'}, replayed waiver ${
          r.waiver?.id ?? 'none'
        }`,
      );
    }
  }
  for (const r of recomputed.checks) {
    if (!seen.has(r.id)) {
      differences.push(
        `${r.id}: replayed ${r.status} (${r.reason}), not recorded`,
      );
    }
  }
  differences.push(...scoreLevelDifferences(recorded, recomputed, 'recorded'));
  if (recomputed.resultHash !== recorded.resultHash) {
    differences.push(
      `resultHash: recorded ${recorded.resultHash}, replayed ${
        recomputed.resultHash
      }${
        differences.length
          ? ''
          : ' (the reasons, fact values or evidence the recorded hash commits to differ)'
      }`,
    );
  }
  return differences;
}

/**
 * What the result hash does not cover but a stored result shows: the
 * cited inputs as an exact list (the engine's are sorted and distinct, so a
 * repeated or reordered hash is a difference), the computation time (the
 * engine sets `computedAt` to `replay.evaluatedAt`) and the waivers (the
 * engine keeps only those that counted, each once: the recomputed
 * `replay.waivers` are the stored ones that counted, so every stored one
 * must count and none may repeat for the two to be equal).
 */
function replayInputDifferences(
  stored: Pick<EntityResult, 'inputs' | 'computedAt'> & {
    replay: Pick<ReplayInput, 'evaluatedAt' | 'waivers'>;
  },
  recomputed: EntityResult,
  side: 'stored' | 'recorded',
): string[] {
  const differences: string[] = [];
  const replayedInputs = new Set(recomputed.inputs);
  const storedInputs = new Set(stored.inputs);
  for (const h of storedInputs) {
    if (!replayedInputs.has(h)) {
      differences.push(`inputs: ${side} ${h}, not read on replay`);
    }
  }
  for (const h of recomputed.inputs) {
    if (!storedInputs.has(h)) {
      differences.push(`inputs: replay read ${h}, not ${side}`);
    }
  }
  if (
    differences.length === 0 &&
    JSON.stringify(stored.inputs) !== JSON.stringify(recomputed.inputs)
  ) {
    differences.push(
      `inputs: ${side} ${stored.inputs.length} hashes (${storedInputs.size} distinct), replay reads ${recomputed.inputs.length} distinct in sorted order: repeated or out of order`,
    );
  }
  if (stored.computedAt !== stored.replay.evaluatedAt) {
    differences.push(
      `computedAt: ${stored.computedAt}, not the evaluation time ${stored.replay.evaluatedAt}`,
    );
  }
  const used = new Set(recomputed.checks.map(c => c.waiver?.id));
  const storedWaivers = new Set<string>();
  for (const w of stored.replay.waivers) {
    if (storedWaivers.has(w.id)) {
      differences.push(`replay.waivers: ${w.id} stored more than once`);
    }
    storedWaivers.add(w.id);
    if (!used.has(w.id)) {
      differences.push(
        `replay.waivers: ${w.id} (for ${w.checkId}) did not count on replay`,
      );
    }
  }
  return differences;
}
