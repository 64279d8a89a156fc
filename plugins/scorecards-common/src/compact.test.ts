import { DEFAULT_CHECKS } from './defaultChecks';
import { evaluateEntity } from './evaluate';
import { entityFacts, evidenceFacts } from './facts';
import {
  checkSetDigest,
  compactResult,
  expandResult,
  isCompactResult,
} from './compact';
import { sortedJson, sortedJsonHash } from './hashing';
import { replayResult } from './replay';
import { CheckDefinition, Waiver } from './types';
import { seedLike, serviceEntity } from './__testUtils__/chain';

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

const waiver: Waiver = {
  id: 'w1',
  entityRef: REF,
  checkId: 'sbom-no-critical-high',
  reason: 'upstream fix pending',
  expiresAt: '2026-12-20T00:00:00.000Z',
  status: 'approved',
  requestedBy: 'user:default/a',
  requestedAt: '2026-11-29T00:00:00.000Z',
  decidedBy: 'user:default/b',
  decidedAt: '2026-11-29T01:00:00.000Z',
};

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
