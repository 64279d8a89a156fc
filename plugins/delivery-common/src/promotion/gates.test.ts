import { evaluateGates } from './gates';
import { EvaluateGatesInput, GateEvidence } from './types';

const NOW = '2026-11-30T10:00:00.000Z';
const h = (n: string) => `sha256:${n.padEnd(64, '0')}`;
const rec = (
  category: string,
  summary: GateEvidence['envelope']['summary'],
  over: Partial<GateEvidence> & { producedAt?: string } = {},
): GateEvidence => ({
  envelope: {
    category,
    summary,
    producedAt: over.producedAt ?? '2026-11-29T10:00:00.000Z',
    recordedAt: '2026-11-29T10:00:01.000Z',
    producer: 'service:ci',
  },
  hash: over.hash ?? h(category.replace(/[^a-f0-9]/g, 'a')),
  verified: over.verified ?? true,
});
const healthy = () => ({
  tests: rec(
    'tests',
    { tests: 120, failures: 0, errors: 0, skipped: 1 },
    { hash: h('1') },
  ),
  sast: rec(
    'sast',
    { results: 2, error: 0, warning: 0, note: 2, none: 0 },
    { hash: h('2') },
  ),
  sbom: rec(
    'sbom',
    { components: 80, critical: 0, high: 0, medium: 3, low: 1 },
    { hash: h('3') },
  ),
  coverage: rec('coverage', { linePct: 82.5 }, { hash: h('4') }),
  'load-test': rec(
    'load-test',
    { p95Ms: 210, errorRate: 0.001 },
    { hash: h('5') },
  ),
  signature: rec('signature', { verified: true }, { hash: h('6') }),
});
const RELEASE = {
  version: '1.4.0',
  hash: h('r1'),
  producer: 'user:default/carol',
};
const base = (over: Partial<EvaluateGatesInput> = {}): EvaluateGatesInput => ({
  policy: {},
  mode: 'compliance',
  evidence: healthy(),
  release: RELEASE,
  requester: 'user:default/alice',
  previousRelease: {
    version: '1.3.0',
    hash: h('r0'),
    loadTest: rec('load-test', { p95Ms: 200 }, { hash: h('7') }),
  },
  approvals: [
    {
      approver: 'user:default/bob',
      releaseHash: RELEASE.hash,
      approvedAt: '2026-11-30T09:00:00.000Z',
      hash: h('8'),
    },
  ],
  now: NOW,
  ...over,
});
const gate = (r: ReturnType<typeof evaluateGates>, id: string) =>
  r.gates.find(g => g.id === id)!;

describe('evaluateGates', () => {
  it('a healthy release passes every gate and cites every hash it read', () => {
    const r = evaluateGates(base());
    expect(
      r.gates.filter(g => g.status !== 'pass').map(g => `${g.id}: ${g.detail}`),
    ).toEqual([]);
    expect(r.allowed).toBe(true);
    expect(r.inputs).toEqual(
      expect.arrayContaining([
        h('1'),
        h('2'),
        h('3'),
        h('4'),
        h('5'),
        h('6'),
        h('7'),
        h('8'),
        RELEASE.hash,
        h('r0'),
      ]),
    );
    expect(gate(r, 'load-test.regression').detail).toBe(
      'p95 210 ms vs 200 ms for 1.3.0: +5% ≤ 10%',
    );
    expect(gate(r, 'coverage').rule).toBe('line coverage ≥ 70%');
  });

  it.each([
    ['not cited', { coverage: null }, 'release 1.4.0 cites no coverage record'],
    [
      'unverified',
      {
        coverage: rec(
          'coverage',
          { linePct: 90 },
          { verified: false, hash: h('9') },
        ),
      },
      'did not verify',
    ],
    [
      'stale',
      {
        coverage: rec(
          'coverage',
          { linePct: 90 },
          { producedAt: '2026-09-01T00:00:00.000Z' },
        ),
      },
      'days old',
    ],
  ])(
    'fail-closed on %s evidence: both the evidence gate and the fact gate fail',
    (_n, patch, text) => {
      const r = evaluateGates(base({ evidence: { ...healthy(), ...patch } }));
      expect(gate(r, 'evidence.coverage').status).toBe('fail');
      expect(gate(r, 'coverage').status).toBe('fail');
      expect(gate(r, 'coverage').detail).toContain(text);
      expect(r.allowed).toBe(false);
    },
  );

  it('sandbox mode turns failures into warnings and allows', () => {
    const r = evaluateGates(
      base({
        mode: 'sandbox',
        evidence: { ...healthy(), coverage: null },
        approvals: [],
      }),
    );
    expect(gate(r, 'coverage').status).toBe('warn');
    expect(gate(r, 'coverage').detail).toContain('sandbox mode');
    expect(gate(r, 'approvals').status).toBe('pass'); // 0 approvals required in sandbox
    expect(r.allowed).toBe(true);
    expect(r.summary).toContain('warning');
  });

  it('SBOM with a high vulnerability fails; medium alone passes', () => {
    const r = evaluateGates(
      base({
        evidence: {
          ...healthy(),
          sbom: rec('sbom', { critical: 0, high: 1, medium: 4 }),
        },
      }),
    );
    expect(gate(r, 'sbom.vulnerabilities')).toMatchObject({
      status: 'fail',
      detail: '0 critical, 1 high',
    });
  });

  it('coverage 69.9% fails, 70% passes', () => {
    expect(
      gate(
        evaluateGates(
          base({
            evidence: {
              ...healthy(),
              coverage: rec('coverage', { linePct: 69.9 }),
            },
          }),
        ),
        'coverage',
      ).status,
    ).toBe('fail');
    expect(
      gate(
        evaluateGates(
          base({
            evidence: {
              ...healthy(),
              coverage: rec('coverage', { linePct: 70 }),
            },
          }),
        ),
        'coverage',
      ).status,
    ).toBe('pass');
  });

  it('SAST: an error finding blocks; warnings block only when the policy lists them; a fact missing from the record fails closed', () => {
    const sast = (error: number, warning: number) => ({
      ...healthy(),
      sast: rec('sast', { error, warning, note: 0 }),
    });
    expect(
      gate(evaluateGates(base({ evidence: sast(1, 0) })), 'sast').status,
    ).toBe('fail');
    // default (as the scorecards' sast-clean check): warnings do not block
    expect(
      gate(evaluateGates(base({ evidence: sast(0, 2) })), 'sast').status,
    ).toBe('pass');
    expect(
      gate(
        evaluateGates(
          base({
            evidence: sast(0, 1),
            policy: { sastBlockingLevels: ['error', 'warning'] },
          }),
        ),
        'sast',
      ).status,
    ).toBe('fail');
    const r = evaluateGates(
      base({ evidence: { ...healthy(), sast: rec('sast', { results: 0 }) } }),
    );
    expect(gate(r, 'sast').detail).toContain('has no error fact');
  });

  it('signature: verified for another image than the release ships fails; for its image passes', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const other = `sha256:${'b'.repeat(64)}`;
    const withSig = (d: string) => ({
      ...healthy(),
      signature: rec('signature', { verified: true, digest: d }),
    });
    const release = {
      ...base().release,
      artifacts: [{ name: 'image', kind: 'image' as const, digest }],
    };
    expect(
      gate(
        evaluateGates(base({ evidence: withSig(digest), release })),
        'signature',
      ).status,
    ).toBe('pass');
    const bad = gate(
      evaluateGates(base({ evidence: withSig(other), release })),
      'signature',
    );
    expect(bad.status).toBe('fail');
    expect(bad.detail).toContain(`verified for ${other}`);
  });

  it('signature: a release with an image fails when the signature record names no digest', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const release = {
      ...base().release,
      artifacts: [{ name: 'image', kind: 'image' as const, digest }],
    };
    const r = gate(
      evaluateGates(
        base({
          evidence: {
            ...healthy(),
            signature: rec('signature', { verified: true }),
          },
          release,
        }),
      ),
      'signature',
    );
    expect(r.status).toBe('fail');
    expect(r.detail).toContain(
      'signature record does not name the image digest',
    );
    // sandbox: the same is a warning
    expect(
      gate(
        evaluateGates(
          base({
            mode: 'sandbox',
            evidence: {
              ...healthy(),
              signature: rec('signature', { verified: true }),
            },
            release,
          }),
        ),
        'signature',
      ).status,
    ).toBe('warn');
  });

  it('a required category the release does not cite fails closed, also its fact gate', () => {
    const { sast: _sast, ...rest } = healthy();
    const r = evaluateGates(base({ evidence: rest }));
    expect(gate(r, 'evidence.sast')).toMatchObject({
      status: 'fail',
      detail: 'release 1.4.0 cites no sast record',
    });
    expect(gate(r, 'sast').status).toBe('fail');
    expect(gate(r, 'sast').detail).toContain(
      'release 1.4.0 cites no sast record',
    );
    expect(r.allowed).toBe(false);
  });

  it('promotion path: a release that does not run in the previous environment fails', () => {
    const r = evaluateGates(
      base({
        path: {
          previousEnvironment: 'dev',
          deployedThere: false,
          deployedVersion: '1.0.0',
        },
      }),
    );
    expect(gate(r, 'path')).toMatchObject({ status: 'fail' });
    expect(gate(r, 'path').detail).toContain('1.0.0 does');
    expect(
      gate(
        evaluateGates(
          base({ path: { previousEnvironment: 'dev', deployedThere: true } }),
        ),
        'path',
      ).status,
    ).toBe('pass');
  });

  it('load-test regression: 11% fails, 10% passes; first release passes; previous without a load test fails', () => {
    const lt = (p95Ms: number) => ({
      ...healthy(),
      'load-test': rec('load-test', { p95Ms }),
    });
    expect(
      gate(evaluateGates(base({ evidence: lt(222) })), 'load-test.regression')
        .status,
    ).toBe('fail');
    expect(
      gate(evaluateGates(base({ evidence: lt(220) })), 'load-test.regression')
        .status,
    ).toBe('pass');
    expect(
      gate(
        evaluateGates(base({ previousRelease: null })),
        'load-test.regression',
      ),
    ).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('no previous release'),
    });
    expect(
      gate(
        evaluateGates(
          base({
            previousRelease: {
              version: '1.3.0',
              hash: h('r0'),
              loadTest: null,
            },
          }),
        ),
        'load-test.regression',
      ).status,
    ).toBe('fail');
  });

  it('tests with a failure fail; signatures not verified fail', () => {
    expect(
      gate(
        evaluateGates(
          base({
            evidence: {
              ...healthy(),
              tests: rec('tests', { failures: 1, errors: 0 }),
            },
          }),
        ),
        'tests',
      ).status,
    ).toBe('fail');
    expect(
      gate(
        evaluateGates(
          base({
            evidence: {
              ...healthy(),
              signature: rec('signature', { verified: false }),
            },
          }),
        ),
        'signature',
      ).status,
    ).toBe('fail');
  });

  it('scorecard level gate when the policy asks for one', () => {
    const levels = ['bronze', 'silver', 'gold'];
    const policy = { minScorecardLevel: 'silver' };
    expect(
      gate(
        evaluateGates(
          base({ policy, scorecard: { level: 'gold', levels, hash: h('c') } }),
        ),
        'scorecard',
      ),
    ).toMatchObject({ status: 'pass', evidence: [h('c')] });
    expect(
      gate(
        evaluateGates(base({ policy, scorecard: { level: 'bronze', levels } })),
        'scorecard',
      ).status,
    ).toBe('fail');
    expect(
      gate(evaluateGates(base({ policy, scorecard: null })), 'scorecard')
        .status,
    ).toBe('fail');
    expect(evaluateGates(base()).gates.some(g => g.id === 'scorecard')).toBe(
      false,
    );
  });

  describe('approvals (separation of duties)', () => {
    const approve = (approver: string, over = {}) => ({
      approver,
      releaseHash: RELEASE.hash,
      approvedAt: '2026-11-30T09:00:00.000Z',
      ...over,
    });
    it('self-approval by the requester is refused, saying why', () => {
      const r = evaluateGates(
        base({ approvals: [approve('user:default/alice')] }),
      );
      expect(gate(r, 'approvals')).toMatchObject({ status: 'fail' });
      expect(gate(r, 'approvals').detail).toContain(
        'the requester cannot approve their own promotion',
      );
    });
    it('refs compare case-insensitively: requester, producer, double counting', () => {
      const r = evaluateGates(
        base({
          approvals: [
            approve('User:Default/ALICE'),
            approve(RELEASE.producer.toUpperCase()),
            approve('user:default/dan'),
            approve('user:default/Dan'),
          ],
        }),
      );
      const d = gate(r, 'approvals').detail;
      expect(d).toContain('the requester cannot approve their own promotion');
      expect(d).toContain("the release's producer cannot approve it");
      expect(d).toContain('user:default/Dan: already counted');
    });
    it("the release's producer cannot approve", () => {
      expect(
        gate(
          evaluateGates(base({ approvals: [approve(RELEASE.producer)] })),
          'approvals',
        ).detail,
      ).toContain('producer cannot approve');
    });
    it('expired approvals and approvals of another release do not count', () => {
      const r = evaluateGates(
        base({
          approvals: [
            approve('user:default/bob', {
              approvedAt: '2026-11-25T09:00:00.000Z',
            }),
            approve('user:default/dan', { releaseHash: h('other') }),
            approve('user:default/erin', {
              expiresAt: '2026-11-30T09:59:59.000Z',
            }),
          ],
        }),
      );
      expect(gate(r, 'approvals').status).toBe('fail');
      expect(gate(r, 'approvals').detail).toMatch(
        /bob: expired.*dan: approved another release.*erin: expired/,
      );
    });
    it('N approvals from distinct people are required', () => {
      const policy = { approvals: { required: 2 } };
      expect(
        gate(
          evaluateGates(
            base({
              policy,
              approvals: [
                approve('user:default/bob'),
                approve('user:default/bob'),
              ],
            }),
          ),
          'approvals',
        ).status,
      ).toBe('fail');
      expect(
        gate(
          evaluateGates(
            base({
              policy,
              approvals: [
                approve('user:default/bob'),
                approve('user:default/dan'),
              ],
            }),
          ),
          'approvals',
        ).status,
      ).toBe('pass');
    });
  });

  it('policy overrides: required evidence, freshness, coverage', () => {
    const r = evaluateGates(
      base({
        policy: {
          requiredEvidence: ['tests'],
          maxEvidenceAgeDays: 0.5,
          minCoveragePct: 90,
        },
      }),
    );
    expect(
      r.gates.filter(g => g.id.startsWith('evidence.')).map(g => g.id),
    ).toEqual(['evidence.tests']);
    expect(gate(r, 'evidence.tests').detail).toContain('1.0 days old');
    expect(gate(r, 'coverage').status).toBe('fail');
  });
});
