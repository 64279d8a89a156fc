import { DEFAULT_CHECKS } from './defaultChecks';
import { evaluateEntity } from './evaluate';
import { entityFacts, evidenceFacts } from './facts';
import {
  assertStoredResult,
  checkSetDigest,
  compactResult,
  recordedResult,
} from './compact';
import { replayResult } from './replay';
import { EntityResult, Waiver } from './types';
import { approvedWaiver, seedLike, serviceEntity } from './__testUtils__/chain';

const REF = 'component:default/service-a';
const NOW = '2026-11-30T00:00:00.000Z';

const waiver = approvedWaiver(REF);

/** A waiver for a check that passes: it never counts. */
const unused: Waiver = { ...waiver, id: 'w2', checkId: 'has-owner' };

/** Through JSON, as a record's payload or an API answer arrives. */
const wire = <T>(v: T): any => JSON.parse(JSON.stringify(v));

function evaluated() {
  const records = seedLike(REF, { high: 2 });
  const result = evaluateEntity({
    entityRef: REF,
    mode: 'compliance',
    checks: DEFAULT_CHECKS,
    facts: {
      ...entityFacts(serviceEntity('compliance')),
      ...evidenceFacts(records),
    },
    waivers: [waiver, unused],
    maxEvidenceAgeDays: 30,
    now: NOW,
    headSeq: records.length,
  });
  return { result, records };
}

const forms = {
  full: (r: EntityResult) => wire(r),
  compact: (r: EntityResult) => wire(compactResult(r)),
  recorded: (r: EntityResult) => wire(recordedResult(r)),
};

describe.each(Object.entries(forms))(
  'replayResult of a %s result: what the result hash does not cover',
  (_form, formOf) => {
    const { result, records } = evaluated();
    const replay = (stored: unknown) =>
      replayResult(stored as EntityResult, records, DEFAULT_CHECKS);

    it('matches as stored, with only the waiver that counted kept', () => {
      expect(result.replay.waivers).toEqual([waiver]);
      expect(result.computedAt).toBe(result.replay.evaluatedAt);
      expect(result.inputs.length).toBeGreaterThan(2);
      const out = replay(formOf(result));
      expect(out.differences).toEqual([]);
      expect(out.matches).toBe(true);
    });

    it('does not match when computedAt is not the evaluation time', () => {
      const stored = formOf(result);
      stored.computedAt = '1999-01-01T00:00:00.000Z';
      const out = replay(stored);
      expect(out.matches).toBe(false);
      expect(out.differences).toContain(
        `computedAt: 1999-01-01T00:00:00.000Z, not the evaluation time ${NOW}`,
      );
    });

    it('does not match when evaluatedAt (and computedAt) moved 5 hours', () => {
      const stored = formOf(result);
      stored.replay.evaluatedAt = '2026-11-30T05:00:00.000Z';
      const out = replay(stored);
      expect(out.matches).toBe(false);
      expect(out.differences).toContain(
        `computedAt: ${NOW}, not the evaluation time 2026-11-30T05:00:00.000Z`,
      );
    });

    it('does not match a repeated cited input (the set is the same)', () => {
      const stored = formOf(result);
      stored.inputs = [...stored.inputs, stored.inputs[0]];
      const out = replay(stored);
      expect(out.matches).toBe(false);
      expect(out.differences).toContain(
        `inputs: ${_form === 'recorded' ? 'recorded' : 'stored'} ${
          stored.inputs.length
        } hashes (${stored.inputs.length - 1} distinct), replay reads ${
          stored.inputs.length - 1
        } distinct in sorted order: repeated or out of order`,
      );
    });

    it('does not match reordered cited inputs', () => {
      const stored = formOf(result);
      stored.inputs = [...stored.inputs].reverse();
      const out = replay(stored);
      expect(out.matches).toBe(false);
      expect(
        out.differences.some(d => d.endsWith('repeated or out of order')),
      ).toBe(true);
    });

    it('does not match a stored waiver that did not count', () => {
      const stored = formOf(result);
      stored.replay.waivers = [...stored.replay.waivers, unused];
      const out = replay(stored);
      expect(out.matches).toBe(false);
      expect(out.differences).toContain(
        'replay.waivers: w2 (for has-owner) did not count on replay',
      );
    });

    it('does not match a waiver stored twice', () => {
      const stored = formOf(result);
      stored.replay.waivers = [waiver, waiver];
      const out = replay(stored);
      expect(out.matches).toBe(false);
      expect(out.differences).toContain(
        'replay.waivers: w1 stored more than once',
      );
    });
  },
);

describe('stored results are validated strictly before replay', () => {
  const { result, records } = evaluated();
  const replay = (stored: unknown) =>
    replayResult(stored as EntityResult, records, DEFAULT_CHECKS);

  it('accepts each form as written', () => {
    expect(assertStoredResult(wire(result))).toBe('full');
    expect(assertStoredResult(wire(compactResult(result)))).toBe('compact');
    expect(assertStoredResult(wire(recordedResult(result)))).toBe('recorded');
  });

  it('refuses evidence positions, or no level or weight, on a check kept in full, and a check with neither evidence nor positions', () => {
    const compact = wire(compactResult(result));
    const full = result.checks[0];
    const inFull = (extra: object) => ({
      ...compact,
      checks: [
        { ...full, e: [0], evidence: undefined, ...extra },
        ...compact.checks.slice(1),
      ],
    });
    expect(() => assertStoredResult(wire(inFull({})))).toThrow(
      /^result\.checks\.0\.title: a check kept in full has level, weight and evidence/,
    );
    expect(() =>
      assertStoredResult(
        wire(
          inFull({ e: undefined, evidence: full.evidence, level: undefined }),
        ),
      ),
    ).toThrow(/^result\.checks\.0\.title: /);
    const { e: _e, ...bare } = compact.checks[1];
    expect(() =>
      assertStoredResult({
        ...compact,
        checks: [compact.checks[0], bare, ...compact.checks.slice(2)],
      }),
    ).toThrow(/^result\.checks\.1\.evidence: one of evidence/);
  });

  it('refuses an old compact result relabelled recorded, with forged reasons', () => {
    const compact = wire(compactResult(result));
    compact.checks = compact.checks.map((c: any) => ({
      ...c,
      reason: 'all good',
      facts: {},
      evidence: [],
    }));
    const relabelled = { form: 'recorded', ...compact };
    expect(() => replay(relabelled)).toThrow(
      /^result\.checks\.0\.(level|weight|reason|facts|evidence): not allowed in a recorded result$/,
    );
  });

  it('names a reason added to one check of a recorded result', () => {
    const recorded = wire(recordedResult(result));
    recorded.checks[3].reason = 'forged';
    expect(() => replay(recorded)).toThrow(
      new Error('result.checks.3.reason: not allowed in a recorded result'),
    );
  });

  it('refuses a recorded result without its form with a field, not a TypeError', () => {
    const { form: _form, ...bare } = wire(recordedResult(result));
    let thrown: unknown;
    try {
      replay(bare);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toMatch(
      /^result\.checks\.0\.\w+: Required \(in a compact result\)$/,
    );
  });

  it('names a status that is not one of the statuses, a wrong form and extra keys', () => {
    const recorded = wire(recordedResult(result));
    recorded.checks[0].status = 'great';
    expect(() => replay(recorded)).toThrow(/^result\.checks\.0\.status: /);
    expect(() =>
      replay({ ...wire(recordedResult(result)), form: 'compact' }),
    ).toThrow(/^result\.form: /);
    expect(() =>
      replay({ ...wire(recordedResult(result)), verdict: 'gold' }),
    ).toThrow(new Error('result.verdict: not allowed in a recorded result'));
    const extraReplay = wire(recordedResult(result));
    extraReplay.replay.checks = DEFAULT_CHECKS;
    expect(() => replay(extraReplay)).toThrow(
      new Error('result.replay.checks: not allowed in a recorded result'),
    );
  });

  it('names a malformed check definition, in a full result or a check set named by digest', () => {
    const full = wire(result);
    full.replay.checks[2] = null;
    expect(() => replay(full)).toThrow(/^result\.replay\.checks\.2: /);
    // a set that hashes to the digest its (forged) result names, with a rule
    // evaluation cannot read
    const bad = wire(DEFAULT_CHECKS);
    bad[1].rule = { fact: 'evidence.tests.failures', lte: 'zero' };
    for (const stored of [
      wire(recordedResult(result, checkSetDigest(bad))),
      wire(compactResult(result, checkSetDigest(bad))),
    ]) {
      expect(() => replayResult(stored, records, bad)).toThrow(
        /^checks\.1\.rule: /,
      );
    }
  });

  it('refuses what is not a result at all with a message, not a TypeError', () => {
    for (const v of [null, 42, 'x', [], {}]) {
      expect(() => replay(v)).toThrow(/^result(\.\w+)?: /);
      expect(() => replay(v)).not.toThrow(TypeError);
    }
  });
});
