import { DEFAULT_CHECKS } from './defaultChecks';
import { evaluateEntity } from './evaluate';
import { entityFacts, evidenceFacts } from './facts';
import { chainOf, serviceEntity } from './__testUtils__/chain';

const REF = 'component:default/service-a';
const at = (day: number) =>
  `2026-11-${String(day).padStart(2, '0')}T00:00:00.000Z`;

/** What the promotion plugin writes per the promotion contract. */
const promotion = (
  kind: string,
  outcome?: string,
  extra: Record<string, string> = {},
) => ({
  category: 'promotion',
  summary: {
    kind,
    actor: 'user:default/alice',
    environment: 'prod',
    version: '1.2.3',
    releaseHash: 'f'.repeat(64),
    inputs: '',
    ...(outcome ? { outcome } : {}),
    ...extra,
  },
});

/** What delivery-backend's CanaryEvidenceWriter writes (CanaryEngine record summaries). */
const canary = (decision: string, extra: Record<string, string> = {}) => ({
  category: 'canary',
  summary: {
    decision,
    runId: 'run-1',
    actor: 'plugin:delivery',
    step: 1,
    fromWeight: 10,
    toWeight: 50,
    text: `${decision} at step 2`,
    inputs: '',
    ...extra,
  },
});

describe('evidenceFacts: promotion success rate', () => {
  it('counts only the final records of promotions (those carrying an outcome)', () => {
    const records = chainOf(REF, [
      promotion('release'),
      promotion('gate-decision'),
      promotion('approval'),
      promotion('promotion', 'succeeded'),
      promotion('gate-decision'),
      promotion('promotion', 'failed'),
      promotion('plan-step'),
      promotion('promotion', 'succeeded'),
      promotion('promotion', 'blocked'),
      promotion('rollback', 'succeeded'),
      promotion('approval'),
    ]);
    const f = evidenceFacts(records)['evidence.promotion.successRate'];
    // 2 succeeded of 4 final promotion records; 6 intermediate records and the rollback ignored
    expect(f.value).toBe(0.5);
    const finals = [3, 5, 7, 8].map(i => records[i].hash);
    expect([...f.evidence!].sort()).toEqual([...finals].sort());
  });

  it('intermediate records alone give no rate (missing, not 0%)', () => {
    const records = chainOf(REF, [
      promotion('release'),
      promotion('gate-decision'),
      promotion('approval'),
    ]);
    expect(evidenceFacts(records)['evidence.promotion.successRate']).toBe(
      undefined,
    );
  });

  it('the last 20 final records count, however many intermediate ones lie between', () => {
    const items = [];
    for (let i = 0; i < 5; i++) items.push(promotion('promotion', 'failed'));
    for (let i = 0; i < 20; i++) {
      items.push(promotion('gate-decision'), promotion('approval'));
      items.push(promotion('promotion', 'succeeded'));
    }
    expect(
      evidenceFacts(chainOf(REF, items))['evidence.promotion.successRate']
        .value,
    ).toBe(1);
  });

  it('passes the promotion-success check with ≥ 90% of final records succeeded', () => {
    const records = chainOf(REF, [
      ...Array.from({ length: 9 }, () => promotion('promotion', 'succeeded')),
      promotion('promotion', 'rolled-back'),
      ...Array.from({ length: 10 }, () => promotion('approval')),
    ]);
    const r = evaluateEntity({
      entityRef: REF,
      mode: 'compliance',
      checks: DEFAULT_CHECKS.filter(c => c.id === 'promotion-success'),
      facts: {
        ...entityFacts(serviceEntity('compliance')),
        ...evidenceFacts(records),
      },
      waivers: [],
      maxEvidenceAgeDays: 30,
      now: '2026-11-30T00:00:00.000Z',
    });
    expect(r.checks[0]).toMatchObject({
      status: 'pass',
      facts: { 'evidence.promotion.successRate': 0.9 },
    });
  });
});

describe('evidenceFacts: canary facts from the delivery plugin records', () => {
  const evaluateCanary = (items: ReturnType<typeof canary>[]) => {
    const records = chainOf(
      REF,
      items.map((x, i) => ({ ...x, producedAt: at(i + 1) })),
    );
    const facts = evidenceFacts(records);
    const r = evaluateEntity({
      entityRef: REF,
      mode: 'compliance',
      checks: DEFAULT_CHECKS.filter(c => c.id === 'canary-passed'),
      facts: { ...entityFacts(serviceEntity('compliance')), ...facts },
      waivers: [],
      maxEvidenceAgeDays: 30,
      now: '2026-11-30T00:00:00.000Z',
    });
    return { records, facts, check: r.checks[0] };
  };

  it('a completed run: outcome succeeded from the `completed` decision, classification from the last verdict', () => {
    const { records, facts, check } = evaluateCanary([
      canary('started'),
      canary('verdict', { classification: 'Pass', score: '97' }),
      canary('step'),
      canary('verdict', { classification: 'Pass', score: '99' }),
      canary('completed'),
    ]);
    expect(facts['evidence.canary.outcome']).toEqual({
      value: 'succeeded',
      evidence: [records[4].hash],
      at: at(5),
    });
    expect(facts['evidence.canary.classification']).toMatchObject({
      value: 'Pass',
      evidence: [records[3].hash],
    });
    expect(check.status).toBe('pass');
  });

  it('a rolled-back run fails the check with the reason', () => {
    const { facts, check } = evaluateCanary([
      canary('started'),
      canary('verdict', { classification: 'Fail', score: '20' }),
      canary('rollback'),
    ]);
    expect(facts['evidence.canary.outcome'].value).toBe('rolled-back');
    expect(facts['evidence.canary.classification'].value).toBe('Fail');
    expect(check.status).toBe('fail');
    expect(check.reason).toContain("evidence.canary.outcome is 'rolled-back'");
  });

  it('a run in progress after a rollback: the last finished run and the newest verdict count, not the newest record', () => {
    const { facts } = evaluateCanary([
      canary('started'),
      canary('rollback'),
      canary('started'),
      canary('verdict', { classification: 'Marginal' }),
      canary('retry'),
      canary('step'),
    ]);
    expect(facts['evidence.canary.outcome'].value).toBe('rolled-back');
    expect(facts['evidence.canary.classification'].value).toBe('Marginal');
  });

  it('an Argo Rollouts verdict counts as a verdict; no finished run means no outcome', () => {
    const { facts, check } = evaluateCanary([
      canary('argo-verdict', { classification: 'Pass' }),
    ]);
    expect(facts['evidence.canary.outcome']).toBe(undefined);
    expect(facts['evidence.canary.classification'].value).toBe('Pass');
    expect(check.status).toBe('pass');
  });

  it('manual promotion and abort', () => {
    expect(
      evaluateCanary([canary('started'), canary('promoted')]).facts[
        'evidence.canary.outcome'
      ].value,
    ).toBe('promoted');
    const aborted = evaluateCanary([canary('started'), canary('aborted')]);
    expect(aborted.facts['evidence.canary.outcome'].value).toBe('aborted');
    expect(aborted.check.status).toBe('fail');
  });
});
