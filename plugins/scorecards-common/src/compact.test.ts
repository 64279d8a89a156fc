import fc from 'fast-check';
import { DEFAULT_CHECKS } from './defaultChecks';
import { evaluateEntity } from './evaluate';
import { entityFacts, evidenceFacts } from './facts';
import {
  checkSetDigest,
  compactResult,
  expandResult,
  isCompactResult,
  isRecordedResult,
  RecordedEntityResult,
  recordedResult,
} from './compact';
import { sortedJson, sortedJsonHash } from './hashing';
import { replayResult } from './replay';
import { CheckDefinition, Waiver } from './types';
import {
  chainOf,
  approvedWaiver,
  seedLike,
  serviceEntity,
} from './__testUtils__/chain';

const REF = 'component:default/service-a';
const NOW = '2026-11-30T00:00:00.000Z';

function run(opts: { high?: number; waivers?: Waiver[] } = {}) {
  const records = seedLike(REF, opts);
  const result = evaluateEntity({
    entityRef: REF,
    mode: 'compliance',
    checks: DEFAULT_CHECKS,
    facts: {
      ...entityFacts(serviceEntity('compliance')),
      ...evidenceFacts(records),
    },
    waivers: opts.waivers ?? [],
    maxEvidenceAgeDays: 30,
    now: NOW,
    headSeq: records.length,
  });
  return { result, records };
}

/** Through JSON, as a record's payload or an API answer arrives. */
const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v));

const waiver = approvedWaiver(REF);

describe('compact results', () => {
  it('names the check set by the hash of its sorted-key JSON', () => {
    expect(checkSetDigest(DEFAULT_CHECKS)).toBe(sortedJsonHash(DEFAULT_CHECKS));
    expect(checkSetDigest(wire(DEFAULT_CHECKS))).toBe(
      checkSetDigest(DEFAULT_CHECKS),
    );
    expect(checkSetDigest(DEFAULT_CHECKS.slice(1))).not.toBe(
      checkSetDigest(DEFAULT_CHECKS),
    );
  });

  it('drops the definitions and the text they hold, and gets them back exactly', () => {
    const { result } = run({ high: 2, waivers: [waiver] });
    const compact = compactResult(result);
    expect(isCompactResult(compact)).toBe(true);
    expect(isCompactResult(result)).toBe(false);
    expect('checks' in compact.replay).toBe(false);
    expect(compact.checks.every(c => c.title === undefined)).toBe(true);
    expect(compact.checks.find(c => c.waiver)?.waiver?.id).toBe('w1');
    const full = JSON.stringify(result).length;
    expect(JSON.stringify(compact).length).toBeLessThan(full / 2);
    const back = expandResult(wire(compact), wire(DEFAULT_CHECKS));
    expect(back).toEqual(wire(result));
    expect(sortedJson(back)).toBe(sortedJson(result));
  });

  it('keeps evidence as positions in the inputs, level and weight only when not the definition’s', () => {
    const { result } = run({ high: 2, waivers: [waiver] });
    const compact = wire(compactResult(result));
    const cited = result.checks.filter(c => c.evidence.length > 0);
    expect(cited.length).toBeGreaterThan(0);
    for (const c of compact.checks) {
      const full = result.checks.find(x => x.id === c.id)!;
      expect(c.evidence).toBeUndefined();
      expect(c.e!.map(i => result.inputs[i])).toEqual(full.evidence);
      expect(c.level).toBeUndefined();
      expect(c.weight).toBeUndefined();
    }
    // a level, weight or cited hash that is not the definition's or an input's stays
    const odd = {
      ...result,
      checks: result.checks.map((c, i) =>
        i === 0
          ? {
              ...c,
              level: 'gold' as const,
              weight: 7,
              evidence: ['f'.repeat(64)],
            }
          : c,
      ),
    };
    const oddCompact = wire(compactResult(odd));
    expect(oddCompact.checks[0]).toMatchObject({
      level: 'gold',
      weight: 7,
      evidence: ['f'.repeat(64)],
    });
    expect(oddCompact.checks[0].e).toBeUndefined();
    expect(expandResult(oddCompact, DEFAULT_CHECKS)).toEqual(wire(odd));
  });

  it('reads results compacted before positions (level, weight and hashes kept)', () => {
    const { result } = run({ high: 2, waivers: [waiver] });
    const before = wire(compactResult(result));
    before.checks = before.checks.map(({ e, ...c }) => {
      const full = result.checks.find(x => x.id === c.id)!;
      return {
        ...c,
        level: full.level,
        weight: full.weight,
        evidence: e!.map(i => result.inputs[i]),
      };
    });
    expect(expandResult(before, DEFAULT_CHECKS)).toEqual(wire(result));
  });

  it('refuses an evidence position outside the inputs', () => {
    const { result } = run();
    const compact = wire(compactResult(result));
    const c = compact.checks.find(x => x.e?.length)!;
    c.e = [result.inputs.length];
    expect(() => expandResult(compact, DEFAULT_CHECKS)).toThrow(
      new RegExp(`check ${c.id}: evidence position`),
    );
  });

  it('keeps a check whose text is not its definition’s in full', () => {
    const { result } = run();
    const edited = {
      ...result,
      checks: result.checks.map((c, i) =>
        i === 0 ? { ...c, title: 'edited' } : c,
      ),
    };
    const compact = compactResult(edited);
    expect(compact.checks[0].title).toBe('edited');
    expect(expandResult(compact, DEFAULT_CHECKS).checks[0].title).toBe(
      'edited',
    );
  });

  it('refuses a check set that does not hash to the digest', () => {
    const { result } = run();
    const compact = wire(compactResult(result));
    const altered: CheckDefinition[] = wire(DEFAULT_CHECKS);
    altered[0] = {
      ...altered[0],
      rule: { fact: 'entity.owner', exists: false },
    };
    expect(() => expandResult(compact, altered)).toThrow(
      /does not hash to the digest the result names/,
    );
    // even a change in prose only: the digest covers the whole definitions
    const retitled = wire(DEFAULT_CHECKS);
    retitled[1].remediation.text = 'something else';
    expect(() => expandResult(compact, retitled)).toThrow(/does not hash/);
  });
});

describe('replayResult of a compact result', () => {
  it('replays with the check set it names', () => {
    const { result, records } = run({ high: 2, waivers: [waiver] });
    const out = replayResult(
      wire(compactResult(result)),
      records,
      wire(DEFAULT_CHECKS),
    );
    expect(out.differences).toEqual([]);
    expect(out.matches).toBe(true);
  });

  it('needs the check set, and refuses another one', () => {
    const { result, records } = run();
    const compact = wire(compactResult(result));
    expect(() => replayResult(compact, records)).toThrow(
      /check definitions are needed/,
    );
    // a laxer rule set would replay to a pass: refused before evaluating
    const lax: CheckDefinition[] = wire(DEFAULT_CHECKS).map(
      (c: CheckDefinition) => ({
        ...c,
        rule: { fact: 'entity.kind', exists: true },
      }),
    );
    expect(() => replayResult(compact, records, lax)).toThrow(/does not hash/);
  });

  it('detects a forged compact result', () => {
    const { result, records } = run({ high: 2 });
    const compact = wire(compactResult(result));
    const forged = {
      ...compact,
      checks: compact.checks.map(c =>
        c.id === 'sbom-no-critical-high'
          ? { ...c, status: 'pass' as const, reason: 'ok' }
          : c,
      ),
    };
    const out = replayResult(forged, records, DEFAULT_CHECKS);
    expect(out.matches).toBe(false);
    expect(out.differences[0]).toMatch(
      /^sbom-no-critical-high: stored pass \(ok\), replayed fail/,
    );
  });

  it('still replays a full result (records written before compact payloads)', () => {
    const { result, records } = run({ high: 2 });
    expect(replayResult(wire(result), records).matches).toBe(true);
  });
});

describe('recorded results (compliance record payloads)', () => {
  it('keeps score, level, inputs, hash, each check’s status and the replay input, nothing else', () => {
    const { result } = run({ high: 2, waivers: [waiver] });
    const recorded = recordedResult(result);
    const { checks: _definitions, ...replay } = result.replay;
    expect(recorded).toEqual({
      form: 'recorded',
      entityRef: REF,
      mode: 'compliance',
      score: result.score,
      level: result.level,
      computedAt: NOW,
      checks: result.checks.map(c =>
        c.id === 'sbom-no-critical-high'
          ? { id: c.id, status: 'waived', waiver: 'w1' }
          : { id: c.id, status: c.status },
      ),
      inputs: result.inputs,
      resultHash: result.resultHash,
      replay: { ...replay, checksDigest: checkSetDigest(DEFAULT_CHECKS) },
    });
    expect(recorded.replay.waivers).toEqual([waiver]);
    expect(recordedResult(result, 'd'.repeat(64)).replay.checksDigest).toBe(
      'd'.repeat(64),
    );
    // smaller than the compact form, which keeps reasons, facts and evidence
    expect(JSON.stringify(recorded).length).toBeLessThan(
      JSON.stringify(compactResult(result)).length / 2,
    );
  });

  it('tells the three forms apart, also after JSON', () => {
    const { result } = run({ high: 2 });
    const forms = {
      full: wire(result),
      compact: wire(compactResult(result)),
      recorded: wire(recordedResult(result)),
    };
    expect(isRecordedResult(forms.recorded)).toBe(true);
    expect(isCompactResult(forms.recorded)).toBe(false);
    expect(isRecordedResult(forms.compact)).toBe(false);
    expect(isCompactResult(forms.compact)).toBe(true);
    expect(isRecordedResult(forms.full)).toBe(false);
    expect(isCompactResult(forms.full)).toBe(false);
  });

  it('replays, in all three forms, to a match', () => {
    const { result, records } = run({ high: 2, waivers: [waiver] });
    const checks = wire(DEFAULT_CHECKS);
    for (const [stored, set] of [
      [wire(result), undefined],
      [wire(compactResult(result)), checks],
      [wire(recordedResult(result)), checks],
    ] as const) {
      const out = replayResult(stored, records, set);
      expect(out.differences).toEqual([]);
      expect(out.missingEvidence).toEqual([]);
      expect(out.matches).toBe(true);
      expect(out.recomputed).toEqual(wire(result));
    }
  });

  it('needs the check set it names, and refuses another one', () => {
    const { result, records } = run();
    const recorded = wire(recordedResult(result));
    expect(() => replayResult(recorded, records)).toThrow(
      `the result names its check set by digest (${checkSetDigest(
        DEFAULT_CHECKS,
      )}): the check definitions are needed to replay it`,
    );
    const lax: CheckDefinition[] = wire(DEFAULT_CHECKS).map(
      (c: CheckDefinition) => ({
        ...c,
        rule: { fact: 'entity.kind', exists: true },
      }),
    );
    expect(() => replayResult(recorded, records, lax)).toThrow(
      /does not hash to the digest the result names/,
    );
    expect(() =>
      replayResult(recorded, records, DEFAULT_CHECKS.slice(1)),
    ).toThrow(/does not hash/);
  });

  describe('reports what was tampered with', () => {
    const { result, records } = run({ high: 2, waivers: [waiver] });
    const recorded = wire(recordedResult(result));
    const replay = (r: RecordedEntityResult) =>
      replayResult(r, records, DEFAULT_CHECKS);
    const withCheck = (
      id: string,
      change: Partial<RecordedEntityResult['checks'][number]>,
    ) => ({
      ...recorded,
      checks: recorded.checks.map(c => (c.id === id ? { ...c, ...change } : c)),
    });

    it('a status', () => {
      const out = replay(withCheck('coverage-70', { status: 'fail' }));
      expect(out.matches).toBe(false);
      expect(out.differences).toEqual([
        'coverage-70: recorded fail, replayed pass (evidence.coverage.linePct is 83.1 (ok ≥ 70))',
      ]);
    });

    it('a waiver', () => {
      const out = replay(
        withCheck('sbom-no-critical-high', { waiver: 'w-other' }),
      );
      expect(out.matches).toBe(false);
      expect(out.differences).toEqual([
        'sbom-no-critical-high: recorded waiver w-other, replayed waiver w1',
      ]);
    });

    it('a score and a level', () => {
      const out = replay({ ...recorded, score: 100, level: 'gold' });
      expect(out.matches).toBe(false);
      expect(out.differences).toEqual([
        `score: recorded 100, replayed ${result.score}`,
        `level: recorded gold, replayed ${result.level}`,
      ]);
    });

    it('the result hash', () => {
      const forged = { ...recorded, resultHash: 'e'.repeat(64) };
      const out = replay(forged);
      expect(out.matches).toBe(false);
      expect(out.differences).toEqual([
        `resultHash: recorded ${'e'.repeat(64)}, replayed ${
          result.resultHash
        } (the reasons, fact values or evidence the recorded hash commits to differ)`,
      ]);
    });

    it('an input', () => {
      const other = 'f'.repeat(64);
      const forged = {
        ...recorded,
        inputs: [...recorded.inputs.slice(1), other],
      };
      const out = replay(forged);
      expect(out.matches).toBe(false);
      expect(out.missingEvidence).toEqual([other]);
      expect(out.differences).toEqual([
        `inputs: recorded ${other}, not read on replay`,
        `inputs: replay read ${recorded.inputs[0]}, not recorded`,
      ]);
    });

    it('a check left out, added or repeated', () => {
      const dropped = {
        ...recorded,
        checks: recorded.checks.filter(c => c.id !== 'sast-clean'),
      };
      expect(replay(dropped).differences).toEqual([
        'sast-clean: replayed pass (evidence.sast.error is 0 (ok ≤ 0)), not recorded',
      ]);
      const added = {
        ...recorded,
        checks: [
          ...recorded.checks,
          { id: 'made-up', status: 'pass' as const },
        ],
      };
      expect(replay(added).differences).toEqual(['made-up: not recomputed']);
      const repeated = {
        ...recorded,
        checks: [
          ...recorded.checks,
          { id: 'sast-clean', status: 'fail' as const },
        ],
      };
      expect(replay(repeated).differences).toEqual([
        'sast-clean: recorded more than once',
      ]);
      for (const r of [dropped, added, repeated]) {
        expect(replay(r).matches).toBe(false);
      }
    });

    it('a replay input (the evaluation, not the record, changes)', () => {
      const out = replay({
        ...recorded,
        replay: { ...recorded.replay, waivers: [] },
      });
      expect(out.matches).toBe(false);
      expect(out.differences).toContain(
        'sbom-no-critical-high: recorded waived, replayed fail (evidence.sbom.high is 2 (needs ≤ 0))',
      );
    });

    it('records that do not support it', () => {
      const out = replayResult(
        recorded,
        seedLike(REF, { high: 0 }),
        DEFAULT_CHECKS,
      );
      expect(out.matches).toBe(false);
      expect(out.missingEvidence.length).toBeGreaterThan(0);
    });
  });

  it('property: any evaluated result, recorded and sent as JSON, replays to a match', () => {
    const DAY = 86_400_000;
    const at = (daysAgo: number) =>
      new Date(Date.parse(NOW) - daysAgo * DAY).toISOString();
    const evidence = fc.record({
      tests: fc.option(
        fc.record({
          tests: fc.nat(500),
          failures: fc.nat(3),
          errors: fc.nat(2),
        }),
        { nil: undefined },
      ),
      coverage: fc.option(
        fc.record({ linePct: fc.double({ min: 0, max: 100, noNaN: true }) }),
        { nil: undefined },
      ),
      sast: fc.option(fc.record({ error: fc.nat(3) }), { nil: undefined }),
      sbom: fc.option(fc.record({ critical: fc.nat(2), high: fc.nat(2) }), {
        nil: undefined,
      }),
      'load-test': fc.option(
        fc.record({ p95RegressionPct: fc.integer({ min: -20, max: 40 }) }),
        { nil: undefined },
      ),
      signature: fc.option(fc.record({ signed: fc.constant(1) }), {
        nil: undefined,
      }),
    });
    fc.assert(
      fc.property(
        evidence,
        fc.array(fc.nat(60), { minLength: 6, maxLength: 6 }),
        fc.constantFrom('sandbox', 'compliance'),
        fc.boolean(),
        fc.subarray(DEFAULT_CHECKS.map(c => c.id)),
        fc.integer({ min: -5, max: 30 }),
        (ev, ages, mode, strict, waived, expiresInDays) => {
          const items = Object.entries(ev)
            .filter(([, summary]) => summary !== undefined)
            .map(([category, summary], i) => ({
              category,
              summary: summary as Record<string, number>,
              producedAt: at(ages[i]),
            }));
          const records = chainOf(REF, items);
          const waivers = waived.map((checkId, i) => ({
            ...waiver,
            id: `w${i}`,
            checkId,
            expiresAt: at(-expiresInDays),
          }));
          const result = evaluateEntity({
            entityRef: REF,
            mode,
            checks: DEFAULT_CHECKS,
            facts: {
              ...entityFacts(
                serviceEntity(mode, {
                  'assay.dev/mesh-mtls': strict ? 'STRICT' : 'PERMISSIVE',
                }),
              ),
              ...evidenceFacts(records),
            },
            waivers,
            maxEvidenceAgeDays: 30,
            now: NOW,
            headSeq: records.length,
          });
          const recorded = wire(recordedResult(result));
          expect(isRecordedResult(recorded)).toBe(true);
          const out = replayResult(recorded, records, wire(DEFAULT_CHECKS));
          expect(out.differences).toEqual([]);
          expect(out.missingEvidence).toEqual([]);
          expect(out.matches).toBe(true);
          // and a changed status never replays to a match
          const [c, ...rest] = recorded.checks;
          const forged = {
            ...recorded,
            checks: [
              { ...c, status: c.status === 'pass' ? 'fail' : 'pass' },
              ...rest,
            ],
          } as RecordedEntityResult;
          expect(replayResult(forged, records, DEFAULT_CHECKS).matches).toBe(
            false,
          );
        },
      ),
      { numRuns: 150 },
    );
    // 150 full evaluations and replays: ~3 s alone, more when jest's workers
    // share the 2 cores — past jest's 5 s default
  }, 60_000);
});
