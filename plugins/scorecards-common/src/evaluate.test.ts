import { DEFAULT_CHECKS } from './defaultChecks';
import fc from 'fast-check';
import { evaluateEntity, levelOf, resultHashOf, scoreOf } from './evaluate';
import { sortedJsonHash } from './hashing';
import { entityFacts, evidenceFacts } from './facts';
import { replayResult } from './replay';
import { CheckDefinition, Waiver } from './types';
import { chainOf, seedLike, serviceEntity } from './__testUtils__/chain';

const REF = 'component:default/service-a';
const NOW = '2026-11-30T00:00:00.000Z';

function run(
  mode: 'sandbox' | 'compliance',
  opts: {
    high?: number;
    waivers?: Waiver[];
    now?: string;
    checks?: CheckDefinition[];
  } = {},
) {
  const records = seedLike(REF, opts);
  return evaluateEntity({
    entityRef: REF,
    mode,
    checks: opts.checks ?? DEFAULT_CHECKS,
    facts: { ...entityFacts(serviceEntity(mode)), ...evidenceFacts(records) },
    waivers: opts.waivers ?? [],
    maxEvidenceAgeDays: 30,
    now: opts.now ?? NOW,
    headSeq: records.length,
  });
}

const check = (r: ReturnType<typeof run>, id: string) =>
  r.checks.find(c => c.id === id)!;

describe('evaluateEntity', () => {
  it('compliance: missing facts fail, the seed-like service reaches silver', () => {
    const r = run('compliance');
    expect(r.level).toBe('silver');
    expect(check(r, 'coverage-70')).toMatchObject({
      status: 'pass',
      facts: { 'evidence.coverage.linePct': 83.1 },
    });
    expect(check(r, 'signatures-present')).toMatchObject({
      status: 'fail',
      reason: 'evidence.signature.producedAt is missing',
    });
    expect(check(r, 'coverage-70').evidence).toHaveLength(1);
    expect(r.inputs.length).toBeGreaterThan(3);
  });

  it('sandbox: failures warn and missing facts are unknown', () => {
    const r = run('sandbox', { high: 2 });
    expect(check(r, 'sbom-no-critical-high')).toMatchObject({
      status: 'warn',
      reason: 'evidence.sbom.high is 2 (needs ≤ 0)',
    });
    // absence is a definite answer for an existence rule: a warning
    expect(check(r, 'signatures-present').status).toBe('warn');
    expect(check(r, 'load-test-regression').status).toBe('unknown');
    expect(r.checks.some(c => c.status === 'fail')).toBe(false);
    expect(r.level).toBe('silver');
  });

  it('stale evidence fails in compliance and warns in sandbox', () => {
    const later = '2027-02-01T00:00:00.000Z';
    expect(
      check(run('compliance', { now: later }), 'coverage-70'),
    ).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/^evidence is stale: produced 2026-11-25/),
    });
    expect(check(run('sandbox', { now: later }), 'coverage-70').status).toBe(
      'warn',
    );
  });

  it('approved, unexpired waivers count; pending and expired ones do not', () => {
    const waiver: Waiver = {
      id: 'w1',
      entityRef: REF,
      checkId: 'signatures-present',
      reason: 'cosign rollout planned for Q1',
      expiresAt: '2026-12-15T00:00:00.000Z',
      status: 'approved',
      requestedBy: 'user:default/alice',
      requestedAt: NOW,
      decidedBy: 'user:default/bob',
      decidedAt: NOW,
    };
    const other = [
      'load-test-regression',
      'canary-passed',
      'promotion-success',
      'runbook-present',
      'sbom-no-critical-high',
    ].map((checkId, i) => ({ ...waiver, id: `w${i + 2}`, checkId }));
    const r = run('compliance', { waivers: [waiver, ...other] });
    expect(check(r, 'signatures-present')).toMatchObject({
      status: 'waived',
      waiver: { id: 'w1', decidedBy: 'user:default/bob' },
    });
    expect(check(r, 'signatures-present').reason).toContain(
      'waived by user:default/bob until 2026-12-15',
    );
    expect(r.level).toBe('gold');
    expect(r.score).toBe(100);
    expect(check(r, 'coverage-70').status).toBe('pass');
    expect(
      check(
        run('compliance', { waivers: [{ ...waiver, status: 'pending' }] }),
        'signatures-present',
      ).status,
    ).toBe('fail');
    const expired = run('compliance', {
      waivers: [waiver],
      now: '2026-12-16T00:00:00.000Z',
    });
    expect(check(expired, 'signatures-present').status).toBe('fail');
  });

  it('applies-to filters checks by kind, type, lifecycle, tags and owner', () => {
    const only = (appliesTo: CheckDefinition['appliesTo']) =>
      run('compliance', { checks: [{ ...DEFAULT_CHECKS[0], appliesTo }] })
        .checks.length;
    expect(only({ kind: ['Component'], type: ['service'] })).toBe(1);
    expect(only({ kind: ['API'] })).toBe(0);
    expect(only({ tags: ['python'] })).toBe(1);
    expect(only({ tags: ['go'] })).toBe(0);
    expect(only({ owner: ['group:default/payments-team'] })).toBe(1);
    expect(only({ lifecycle: ['experimental'] })).toBe(0);
  });

  it('levels need every check at and below the level; score is weighted', () => {
    expect(
      levelOf([
        { level: 'bronze', status: 'pass' },
        { level: 'silver', status: 'warn' },
        { level: 'gold', status: 'pass' },
      ]),
    ).toBe('bronze');
    expect(
      levelOf([
        { level: 'bronze', status: 'fail' },
        { level: 'silver', status: 'pass' },
      ]),
    ).toBe('none');
    expect(
      levelOf([
        { level: 'bronze', status: 'waived' },
        { level: 'silver', status: 'pass' },
      ]),
    ).toBe('silver');
    expect(
      levelOf([
        { level: 'bronze', status: 'pass' },
        { level: 'gold', status: 'pass' },
      ]),
    ).toBe('gold');
    expect(levelOf([{ level: 'bronze', status: 'pass' }])).toBe('bronze');
    expect(
      scoreOf([
        { weight: 3, status: 'pass' },
        { weight: 1, status: 'fail' },
      ]),
    ).toBe(75);
    expect(scoreOf([])).toBe(100);
  });

  it('derives the load-test regression from the previous run and cites both', () => {
    const recs = chainOf(REF, [
      { category: 'load-test', summary: { p95Ms: 200 } },
      { category: 'load-test', summary: { p95Ms: 230 } },
    ]);
    const f = evidenceFacts(recs)['evidence.load-test.p95RegressionPct'];
    expect(f.value).toBe(15);
    expect(f.evidence).toEqual([recs[1].hash, recs[0].hash]);
  });

  it('chain.verified is false when a record is tampered with or missing', () => {
    const recs = seedLike(REF);
    expect(evidenceFacts(recs)['evidence.chain.verified'].value).toBe(true);
    const tampered = recs.map((r, i) =>
      i === 2
        ? { ...r, envelope: { ...r.envelope, summary: { error: 0 } } }
        : r,
    );
    expect(evidenceFacts(tampered)['evidence.chain.verified'].value).toBe(
      false,
    );
    expect(evidenceFacts(tampered)['evidence.sast.error']).toBeUndefined();
    expect(
      evidenceFacts(recs.filter((_, i) => i !== 1))['evidence.chain.verified']
        .value,
    ).toBe(false);
  });
});

describe('replayResult', () => {
  it('recomputes the same result from the records and the replay input', () => {
    const stored = run('compliance', { high: 2 });
    const records = [...seedLike(REF, { high: 2 })];
    const out = replayResult(JSON.parse(JSON.stringify(stored)), records);
    expect(out.differences).toEqual([]);
    expect(out.missingEvidence).toEqual([]);
    expect(out.matches).toBe(true);
  });

  it('detects a result that the evidence does not support', () => {
    const stored = run('compliance', { high: 2 });
    const other = replayResult(stored, seedLike(REF, { high: 0 }));
    expect(other.matches).toBe(false);
    expect(other.missingEvidence.length).toBeGreaterThan(0);
    const forged = { ...stored, level: 'gold' as const };
    const f = replayResult(forged, seedLike(REF, { high: 2 }));
    expect(f.matches).toBe(false);
    expect(f.differences).toContain('level: stored gold, replayed silver');
  });
});

/** resultHashOf by its definition: sorted-key JSON of what a result says. */
function resultHashOfDefinition(r: Parameters<typeof resultHashOf>[0]) {
  return sortedJsonHash({
    entityRef: r.entityRef,
    mode: r.mode,
    score: r.score,
    level: r.level,
    inputs: r.inputs,
    checks: r.checks.map(c => ({
      id: c.id,
      level: c.level,
      weight: c.weight,
      status: c.status,
      reason: c.reason,
      facts: c.facts,
      evidence: c.evidence,
      waiver: c.waiver?.id ?? null,
    })),
  });
}

describe('resultHashOf', () => {
  it('equals the sorted-key JSON hash of the result (real results)', () => {
    for (const mode of ['compliance', 'sandbox'] as const) {
      const r = run(mode, { high: 2 });
      expect(r.resultHash).toBe(resultHashOfDefinition(r));
    }
  });

  it('equals the sorted-key JSON hash for any facts, reasons and waivers', () => {
    const factKey = fc.oneof(
      fc.string(),
      fc.constantFrom('entity.owner', '10', '9', '0', 'a.b', '__x'),
    );
    const factValue = fc.oneof(
      fc.string(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
    );
    const checkArb = fc.record({
      id: fc.string(),
      level: fc.constantFrom('bronze', 'silver', 'gold'),
      weight: fc.integer({ min: 1, max: 5 }),
      status: fc.constantFrom('pass', 'fail', 'warn', 'unknown', 'waived'),
      reason: fc.string(),
      facts: fc.dictionary(factKey, factValue, { maxKeys: 4 }),
      evidence: fc.array(fc.string({ minLength: 64, maxLength: 64 }), {
        maxLength: 3,
      }),
      waiver: fc.option(fc.record({ id: fc.uuid() }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.record({
          entityRef: fc.string(),
          mode: fc.constantFrom('compliance', 'sandbox'),
          score: fc.double({ min: 0, max: 100 }),
          level: fc.constantFrom('none', 'bronze', 'silver', 'gold'),
          inputs: fc.array(fc.string(), { maxLength: 3 }),
          checks: fc.array(checkArb, { maxLength: 5 }),
        }),
        r => {
          const x = r as unknown as Parameters<typeof resultHashOf>[0];
          expect(resultHashOf(x)).toBe(resultHashOfDefinition(x));
        },
      ),
      { numRuns: 500 },
    );
    // (500 runs take ~1 s alone; more on a loaded machine)
  }, 30_000);
});
