import fc from 'fast-check';
import { evaluateRule, factsOfRule } from './rules';
import { Facts, Rule } from './types';

const NOW = Date.parse('2026-11-30T00:00:00Z');
const facts: Facts = {
  'evidence.coverage.linePct': {
    value: 83.1,
    evidence: ['h1'],
    at: '2026-11-24T00:00:00Z',
  },
  'evidence.sbom.high': {
    value: 2,
    evidence: ['h2'],
    at: '2026-11-25T00:00:00Z',
  },
  'entity.owner': { value: 'group:default/payments-team' },
  'entity.annotations.assay.dev/mesh-mtls': { value: 'STRICT' },
  'evidence.chain.verified': { value: true, evidence: ['h3'] },
  'evidence.sbom.producedAt': {
    value: '2026-11-25T00:00:00Z',
    evidence: ['h2'],
  },
};

describe('evaluateRule', () => {
  it('compares numbers and says why in words', () => {
    const ok = evaluateRule(
      { fact: 'evidence.coverage.linePct', gte: 70 },
      facts,
      NOW,
    );
    expect(ok.value).toBe(true);
    expect(ok.reason).toBe('evidence.coverage.linePct is 83.1 (ok ≥ 70)');
    expect(ok.evidence).toEqual(['h1']);
    const bad = evaluateRule(
      { fact: 'evidence.sbom.high', lte: 0 },
      facts,
      NOW,
    );
    expect(bad.value).toBe(false);
    expect(bad.reason).toBe('evidence.sbom.high is 2 (needs ≤ 0)');
    expect(bad.facts).toEqual({ 'evidence.sbom.high': 2 });
  });

  it('handles strings, booleans, in, matches and existence', () => {
    const t = (r: Rule) => evaluateRule(r, facts, NOW).value;
    expect(
      t({ fact: 'entity.annotations.assay.dev/mesh-mtls', equals: 'STRICT' }),
    ).toBe(true);
    expect(
      t({
        fact: 'entity.annotations.assay.dev/mesh-mtls',
        notEquals: 'STRICT',
      }),
    ).toBe(false);
    expect(t({ fact: 'evidence.chain.verified', equals: true })).toBe(true);
    expect(
      t({ fact: 'entity.owner', in: ['group:default/payments-team'] }),
    ).toBe(true);
    expect(t({ fact: 'entity.owner', matches: '^group:' })).toBe(true);
    expect(t({ fact: 'entity.system', exists: true })).toBe(false);
    expect(t({ fact: 'entity.system', exists: false })).toBe(true);
    expect(t({ fact: 'entity.owner', gte: 1 })).toBe(false);
  });

  it('checks age / freshness', () => {
    expect(
      evaluateRule(
        { fact: 'evidence.sbom.producedAt', maxAgeDays: 7 },
        facts,
        NOW,
      ).value,
    ).toBe(true);
    expect(
      evaluateRule(
        { fact: 'evidence.sbom.producedAt', maxAgeDays: 3 },
        facts,
        NOW,
      ).value,
    ).toBe(false);
  });

  it('is unknown when a fact is missing, with three-valued all/any/not', () => {
    const missing: Rule = { fact: 'evidence.signature.producedAt', gte: 1 };
    expect(evaluateRule(missing, facts, NOW)).toMatchObject({
      value: undefined,
      reason: 'evidence.signature.producedAt is missing',
    });
    const f: Rule = { fact: 'evidence.sbom.high', lte: 0 };
    const t: Rule = { fact: 'evidence.coverage.linePct', gte: 70 };
    expect(
      evaluateRule({ all: [t, missing] }, facts, NOW).value,
    ).toBeUndefined();
    expect(evaluateRule({ all: [f, missing] }, facts, NOW).value).toBe(false);
    expect(evaluateRule({ any: [t, missing] }, facts, NOW).value).toBe(true);
    expect(
      evaluateRule({ any: [f, missing] }, facts, NOW).value,
    ).toBeUndefined();
    expect(evaluateRule({ not: missing }, facts, NOW).value).toBeUndefined();
    expect(evaluateRule({ not: f }, facts, NOW).value).toBe(true);
    const both = evaluateRule({ all: [t, f] }, facts, NOW);
    expect(both.evidence.sort()).toEqual(['h1', 'h2']);
    expect(both.reason).toBe('evidence.sbom.high is 2 (needs ≤ 0)');
  });

  describe('properties', () => {
    const names = ['a', 'b', 'c', 'd'].map(n => `evidence.x.${n}`);
    const factsArb = fc.dictionary(
      fc.constantFrom(...names),
      fc.record({
        value: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.boolean()),
      }),
    ) as fc.Arbitrary<Facts>;
    const leafArb: fc.Arbitrary<Rule> = fc.oneof(
      fc.record({
        fact: fc.constantFrom(...names),
        gte: fc.integer({ min: -5, max: 5 }),
      }),
      fc.record({ fact: fc.constantFrom(...names), equals: fc.boolean() }),
      fc.record({ fact: fc.constantFrom(...names), exists: fc.boolean() }),
    );
    const { rule: ruleArb } = fc.letrec<{ rule: Rule }>(tie => ({
      rule: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leafArb,
        fc.record({
          all: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }),
        }),
        fc.record({
          any: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }),
        }),
        fc.record({ not: tie('rule') }),
      ),
    }));

    it('not(not r) == r and De Morgan hold under three-valued logic', () => {
      fc.assert(
        fc.property(ruleArb, ruleArb, factsArb, (r, s, fs) => {
          const v = (x: Rule) => evaluateRule(x, fs, NOW).value;
          expect(v({ not: { not: r } })).toBe(v(r));
          expect(v({ not: { all: [r, s] } })).toBe(
            v({ any: [{ not: r }, { not: s }] }),
          );
          expect(v({ not: { any: [r, s] } })).toBe(
            v({ all: [{ not: r }, { not: s }] }),
          );
        }),
      );
    });

    it('is deterministic and reads only the facts it names', () => {
      fc.assert(
        fc.property(ruleArb, factsArb, (r, fs) => {
          const a = evaluateRule(r, fs, NOW);
          expect(evaluateRule(r, fs, NOW)).toEqual(a);
          expect(
            Object.keys(a.facts).every(k => factsOfRule(r).includes(k)),
          ).toBe(true);
        }),
      );
    });

    it('a rule without missing facts is never unknown', () => {
      fc.assert(
        fc.property(ruleArb, r => {
          const full: Facts = Object.fromEntries(
            names.map(n => [n, { value: 1 }]),
          );
          expect(evaluateRule(r, full, NOW).value).not.toBeUndefined();
        }),
      );
    });
  });
});
