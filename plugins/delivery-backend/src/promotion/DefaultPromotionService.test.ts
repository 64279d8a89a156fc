import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { readPromotionConfig } from './config';
import { DefaultPromotionService } from './DefaultPromotionService';
import { RecorderDeploymentProvider } from './providers/RecorderDeploymentProvider';
import { DatabasePromotionStore } from './store';
import {
  MemoryEvidence,
  TestPromotionEvidence,
} from './__testUtils__/memoryEvidence';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const A = 'component:default/service-a';
const digest = (c: string) => `sha256:${c.repeat(64)}`;

const component = (annotations: Record<string, string> = {}) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'service-a', namespace: 'default', annotations },
  spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' },
});

async function setup(
  opts: {
    annotations?: Record<string, string>;
    config?: Record<string, any>;
    scorecards?: any;
  } = {},
) {
  const knex = await databases.init('SQLITE_3');
  const store = await DatabasePromotionStore.create({
    database: mockServices.database({ knex }),
  });
  const memory = new MemoryEvidence();
  const evidence = new TestPromotionEvidence(memory);
  let now = new Date('2026-11-30T10:00:00.000Z');
  const provider = new RecorderDeploymentProvider();
  const service = new DefaultPromotionService({
    store,
    evidence,
    catalog: catalogServiceMock({
      entities: [
        component(
          opts.annotations ?? { 'assay.dev/compliance-mode': 'compliance' },
        ),
      ],
    }),
    auth: mockServices.auth({ pluginId: 'delivery' }),
    config: readPromotionConfig(
      new ConfigReader({ delivery: { promotion: opts.config ?? {} } }),
    ),
    provider,
    logger: mockServices.logger.mock(),
    scorecards: opts.scorecards,
    clock: () => now,
  });
  const put = (category: string, summary: Record<string, any>, days = 1) =>
    memory.appendSync({
      entityRef: A,
      category,
      summary,
      producedAt: new Date(now.getTime() - days * 86_400_000).toISOString(),
    });
  const healthy = () => ({
    tests: put('tests', { tests: 10, failures: 0, errors: 0 }),
    coverage: put('coverage', { linePct: 80 }),
    sast: put('sast', { error: 0, warning: 0 }),
    sbom: put('sbom', { critical: 0, high: 0 }),
    loadTest: put('load-test', { p95Ms: 100 }),
    // the pipeline's signature verifications of the images the tests' releases
    // ship (digest('a') newest: createRelease cites the one naming its image)
    otherSignatures: ['e', 'b'].map(c =>
      put('signature', { verified: true, digest: digest(c) }),
    ),
    signature: put('signature', { verified: true, digest: digest('a') }),
  });
  const release = (version: string, c = 'a') =>
    service.createRelease(
      A,
      {
        version,
        artifacts: [
          { name: 'img', kind: 'image', digest: digest(c) },
          { name: 'board', kind: 'dashboard', digest: digest('d') },
        ],
      },
      'user:default/bob',
    );
  return {
    service,
    store,
    memory,
    evidence,
    provider,
    put,
    healthy,
    release,
    advance: (hours: number) => {
      now = new Date(now.getTime() + hours * 3_600_000);
    },
  };
}

const gate = (p: { evaluation: { gates: any[] } }, id: string) =>
  p.evaluation.gates.find(g => g.id === id);

describe('DefaultPromotionService', () => {
  it('reads the records the release cites, by hash: never the chain, never newer records the release does not rest on', async () => {
    const t = await setup();
    const cited = t.healthy();
    const r = await t.release('1.0.0');
    // newer records after the release was cut, some failing: not read
    for (let i = 0; i < 50; i++)
      t.put('tests', { tests: 1, failures: 3, errors: 0 });
    t.put('coverage', { linePct: 10 });
    t.memory.listCalls = 0;
    const p = await t.service.preview(A, 'dev', r.hash, 'user:default/alice');
    expect(p.evaluation.allowed).toBe(true);
    expect(t.memory.listCalls).toBe(0);
    expect(gate(p, 'coverage').evidence).toEqual([cited.coverage.hash]);
    expect(gate(p, 'tests').evidence).toEqual([cited.tests.hash]);
    expect(gate(p, 'signature').evidence).toEqual([cited.signature.hash]);
  });

  it('a release citing a SAST record with errors stays blocked when a clean SAST record is appended later', async () => {
    const t = await setup();
    t.healthy();
    const bad = t.put('sast', { error: 7, warning: 0 });
    const r = await t.release('1.0.0');
    expect(r.evidence.find(e => e.category === 'sast')?.hash).toBe(bad.hash);
    const clean = t.put('sast', { error: 0, warning: 0 });
    const p = await t.service.preview(A, 'dev', r.hash, 'user:default/alice');
    expect(gate(p, 'sast')).toMatchObject({
      status: 'fail',
      evidence: [bad.hash],
    });
    expect(gate(p, 'sast').detail).toContain('7 error');
    expect(p.evaluation.inputs).not.toContain(clean.hash);
    const promoted = await t.service.promote(
      A,
      'dev',
      r.hash,
      'user:default/alice',
    );
    expect(promoted.status).toBe('blocked');
    expect(await t.service.deployedRelease(A, 'dev')).toBeNull();
  });

  it('a cited record the log does not have fails closed', async () => {
    const t = await setup();
    const ev = t.healthy();
    const r = await t.release('1.0.0');
    const i = t.memory.records.findIndex(x => x.hash === ev.coverage.hash);
    t.memory.records[i] = { ...t.memory.records[i], hash: digest('0') };
    const p = await t.service.preview(A, 'dev', r.hash, 'user:default/alice');
    expect(gate(p, 'evidence.coverage')).toMatchObject({
      status: 'fail',
      evidence: [ev.coverage.hash],
    });
    expect(gate(p, 'evidence.coverage').detail).toContain('did not verify');
    expect(gate(p, 'coverage').status).toBe('fail');
  });

  it('signature: fails when no signature record names the release image digest, or names none', async () => {
    const t = await setup();
    t.healthy();
    // no signature of image 'c' exists: the release cites the newest one (of 'a')
    const r = await t.release('1.0.0', 'c');
    let p = await t.service.preview(A, 'dev', r.hash, 'user:default/alice');
    expect(gate(p, 'signature').status).toBe('fail');
    expect(gate(p, 'signature').detail).toContain(
      `verified for ${digest('a')}`,
    );
    // a signature record without a digest is not bound to the image
    t.put('signature', { verified: true });
    const r2 = await t.release('1.0.1', 'c');
    p = await t.service.preview(A, 'dev', r2.hash, 'user:default/alice');
    expect(gate(p, 'signature')).toMatchObject({ status: 'fail' });
    expect(gate(p, 'signature').detail).toContain(
      'signature record does not name the image digest',
    );
    // a signature naming the image: cited, passes
    t.put('signature', { verified: true, digest: digest('c') });
    t.put('signature', { verified: true, digest: digest('f') });
    const r3 = await t.release('1.0.2', 'c');
    p = await t.service.preview(A, 'dev', r3.hash, 'user:default/alice');
    expect(gate(p, 'signature').status).toBe('pass');
  });

  it('fails closed on missing, unverified and stale evidence (compliance blocks, recorded with outcome blocked)', async () => {
    const t = await setup();
    const ev = t.healthy();
    const r = await t.release('1.0.0');
    // unverified: the sast record's inclusion fails
    t.evidence.unverified.add(ev.sast.hash);
    let p = await t.service.preview(A, 'dev', r.hash, 'user:default/alice');
    expect(gate(p, 'evidence.sast')).toMatchObject({ status: 'fail' });
    expect(gate(p, 'evidence.sast').detail).toContain('did not verify');
    expect(gate(p, 'sast').status).toBe('fail');
    t.evidence.unverified.clear();
    // stale: 31 days later every record is too old
    t.advance(31 * 24);
    p = await t.service.preview(A, 'dev', r.hash, 'user:default/alice');
    expect(gate(p, 'coverage').detail).toMatch(/days old/);
    expect(p.evaluation.allowed).toBe(false);
    const blocked = await t.service.promote(
      A,
      'dev',
      r.hash,
      'user:default/alice',
    );
    expect(blocked.status).toBe('blocked');
    expect(blocked.error).toContain('blocked (compliance)');
    const final = t.memory.records[t.memory.records.length - 1];
    expect(final.envelope.summary).toMatchObject({
      kind: 'promotion',
      outcome: 'blocked',
    });
    expect(await t.service.deployedRelease(A, 'dev')).toBeNull();
  });

  it('fails closed when the newest record does not link to its predecessor (chain)', async () => {
    const t = await setup();
    t.healthy();
    const r = await t.release('1.0.0');
    // someone rewrote the record before the newest coverage record (its
    // stored hash kept): the coverage record's link no longer verifies
    const cov = t.memory.records.findIndex(
      x => x.envelope.category === 'coverage',
    );
    const prev = t.memory.records[cov - 1];
    prev.envelope = { ...prev.envelope, summary: { failures: 0, tests: 999 } };
    const p = await t.service.preview(A, 'dev', r.hash, 'user:default/alice');
    expect(gate(p, 'evidence.coverage')).toMatchObject({ status: 'fail' });
    expect(gate(p, 'coverage').status).toBe('fail');
    expect(gate(p, 'evidence.sast').status).toBe('pass');
  });

  it('fails closed when a category has no record at all', async () => {
    const t = await setup();
    t.put('tests', { tests: 10, failures: 0, errors: 0 });
    const r = await t.release('1.0.0');
    const p = await t.service.preview(A, 'dev', r.hash, 'user:default/alice');
    expect(gate(p, 'evidence.signature')).toMatchObject({
      status: 'fail',
      detail: 'release 1.0.0 cites no signature record',
    });
    expect(gate(p, 'signature').status).toBe('fail');
  });

  it('sandbox mode: failures are warnings and no approvals are required', async () => {
    const t = await setup({
      annotations: { 'assay.dev/compliance-mode': 'sandbox' },
    });
    t.healthy();
    t.put('sbom', { critical: 0, high: 3 });
    const r = await t.release('1.0.0');
    await t.service.promote(A, 'dev', r.hash, 'user:default/alice');
    const p = await t.service.promote(
      A,
      'staging',
      r.hash,
      'user:default/alice',
    );
    expect(p.status).toBe('succeeded');
    expect(p.approvalsRequired).toBe(0);
    expect(gate(p, 'sbom.vulnerabilities')).toMatchObject({ status: 'warn' });
  });

  it('a protected environment (enforceCompliance) stays in compliance mode for a sandbox entity', async () => {
    const t = await setup({
      annotations: { 'assay.dev/compliance-mode': 'sandbox' },
      config: {
        environments: [
          { name: 'dev', approvals: 0 },
          { name: 'prod', approvals: 1, enforceCompliance: true },
        ],
      },
    });
    t.healthy();
    t.put('sbom', { critical: 0, high: 3 });
    const r = await t.release('1.0.0');
    const dev = await t.service.promote(A, 'dev', r.hash, 'user:default/alice');
    expect(dev.status).toBe('succeeded');
    expect(dev.mode).toBe('sandbox');
    const prod = await t.service.promote(
      A,
      'prod',
      r.hash,
      'user:default/alice',
    );
    expect(prod.mode).toBe('compliance');
    expect(prod.status).toBe('blocked');
    expect(gate(prod, 'sbom.vulnerabilities')).toMatchObject({
      status: 'fail',
    });
  });

  it('refuses self-approval and the producer; an expired approval does not count', async () => {
    const t = await setup({
      config: {
        environments: [
          { name: 'dev', approvals: 0 },
          { name: 'prod', approvals: 2 },
        ],
        approvalMaxAgeHours: 24,
      },
    });
    t.healthy();
    const r = await t.release('1.0.0');
    await t.service.promote(A, 'dev', r.hash, 'user:default/alice');
    const p = await t.service.promote(A, 'prod', r.hash, 'user:default/alice');
    expect(p.status).toBe('awaiting-approval');
    await expect(
      t.service.approve(p.id, 'user:default/alice'),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        'you requested this promotion; a different person must approve it',
    });
    await expect(
      t.service.approve(p.id, 'user:default/bob'),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: 'you produced this release; a different person must approve it',
    });
    // refs differ only in case: still the requester, the producer
    await expect(
      t.service.approve(p.id, 'user:default/Alice'),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(
      t.service.approve(p.id, 'User:Default/BOB'),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    const one = await t.service.approve(p.id, 'user:default/carol');
    expect(one.status).toBe('awaiting-approval');
    await expect(
      t.service.approve(p.id, 'user:default/CAROL'),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    expect(one.approvals[0].expiresAt).toBe('2026-12-01T10:00:00.000Z');
    // 25 hours later carol's approval has expired: dan's alone is not enough
    t.advance(25);
    t.healthy(); // fresh evidence (the gates are re-read at every approval)
    const two = await t.service.approve(p.id, 'user:default/dan');
    expect(two.status).toBe('awaiting-approval');
    expect(gate(two, 'approvals').detail).toMatch(
      /1 of 2 valid .*carol.*expired/,
    );
    const three = await t.service.approve(p.id, 'user:default/erin');
    expect(three.status).toBe('succeeded');
    expect(gate(three, 'approvals').status).toBe('pass');
    expect(await t.service.deployedRelease(A, 'prod')).toMatchObject({
      version: '1.0.0',
      promotionId: p.id,
    });
    // the final record cites the approvals' evidence records
    const final = t.memory.records[t.memory.records.length - 1];
    expect(final.envelope.summary.outcome).toBe('succeeded');
    for (const a of three.approvals) {
      expect(String(final.envelope.summary.inputs)).toContain(a.hash!);
    }
  });

  it('a deployment failure ends the promotion failed (recorded with outcome), nothing deployed; cancel only while awaiting', async () => {
    const t = await setup();
    t.healthy();
    const r = await t.release('1.0.0');
    t.provider.failFor(A, 'dev', 'registry unreachable');
    const p = await t.service.promote(A, 'dev', r.hash, 'user:default/alice');
    expect(p).toMatchObject({ status: 'failed' });
    expect(p.error).toContain('registry unreachable');
    expect(
      t.memory.records[t.memory.records.length - 1].envelope.summary,
    ).toMatchObject({
      outcome: 'failed',
    });
    expect(await t.service.deployedRelease(A, 'dev')).toBeNull();
    t.provider.clearFailures();
    await t.service.promote(A, 'dev', r.hash, 'user:default/alice');
    const s = await t.service.promote(
      A,
      'staging',
      r.hash,
      'user:default/alice',
    );
    const c = await t.service.cancel(s.id, 'user:default/alice', 'not today');
    expect(c.status).toBe('cancelled');
    await expect(
      t.service.cancel(s.id, 'user:default/alice'),
    ).rejects.toMatchObject({
      name: 'ConflictError',
    });
    // an already running release cannot be promoted again
    await expect(
      t.service.promote(A, 'dev', r.hash, 'user:default/alice'),
    ).rejects.toMatchObject({ name: 'ConflictError' });
  });

  it('load-test regression against the release running in the environment; promotion path', async () => {
    const t = await setup();
    t.healthy();
    const r1 = await t.release('1.0.0');
    await t.service.promote(A, 'dev', r1.hash, 'user:default/alice');
    t.put('load-test', { p95Ms: 125 }); // +25 % against 1.0.0's 100 ms
    const r2 = await t.release('1.1.0', 'b');
    const p = await t.service.preview(A, 'dev', r2.hash, 'user:default/alice');
    expect(gate(p, 'load-test.regression')).toMatchObject({ status: 'fail' });
    expect(gate(p, 'load-test.regression').detail).toContain('+25%');
    // 1.1.0 has not run in dev: staging's path gate fails
    const s = await t.service.preview(
      A,
      'staging',
      r2.hash,
      'user:default/alice',
    );
    expect(gate(s, 'path')).toMatchObject({ status: 'fail' });
    expect(gate(s, 'path').detail).toContain('1.0.0 does');
  });

  it("rollback re-runs the gates against today's policy; in compliance a failing gate blocks it", async () => {
    const t = await setup();
    const ev = t.healthy();
    const r1 = await t.release('1.0.0');
    await t.service.promote(A, 'dev', r1.hash, 'user:default/alice');
    const r2 = await t.release('1.1.0', 'b');
    await t.service.promote(A, 'dev', r2.hash, 'user:default/alice');
    // re-checked today: the SBOM record 1.0.0 cites no longer verifies
    t.evidence.unverified.add(ev.sbom.hash);
    const rb = await t.service.rollback(
      A,
      'dev',
      r1.hash,
      'user:default/carol',
      {
        reason: 'errors',
      },
    );
    expect(rb).toMatchObject({ kind: 'rollback', status: 'blocked' });
    expect(gate(rb, 'sbom.vulnerabilities').status).toBe('fail');
    expect(gate(rb, 'sbom.vulnerabilities').evidence).toEqual([ev.sbom.hash]);
    expect((await t.service.deployedRelease(A, 'dev'))!.version).toBe('1.1.0');
    t.evidence.unverified.clear();
    const ok = await t.service.rollback(
      A,
      'dev',
      r1.hash,
      'user:default/carol',
    );
    expect(ok).toMatchObject({ status: 'rolled-back', approvalsRequired: 0 });
    // the recorder restored the old release's image and dashboard digests
    const last = t.provider.deployments[t.provider.deployments.length - 1];
    expect(last.kind).toBe('rollback');
    expect(last.release.artifacts.map(a => a.digest)).toEqual([
      digest('a'),
      digest('d'),
    ]);
  });

  it('a rollback target must have run in that environment before and not be running now (no unapproved path to prod)', async () => {
    const t = await setup({
      config: {
        environments: [
          { name: 'dev', approvals: 0 },
          { name: 'prod', approvals: 2 },
        ],
      },
    });
    t.healthy();
    const r1 = await t.release('1.0.0');
    await t.service.promote(A, 'dev', r1.hash, 'user:default/alice');
    // a fresh release with an arbitrary image, never deployed anywhere
    const evil = await t.release('6.6.6', 'e');
    const deployments = t.provider.deployments.length;
    for (const env of ['prod', 'dev']) {
      await expect(
        t.service.rollback(A, env, evil.hash, 'user:default/alice'),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(
          new RegExp(
            `^releaseHash: .*never deployed to ${env}.*promote it instead`,
          ),
        ),
      });
    }
    // deployed to dev only: not a rollback target in prod
    await expect(
      t.service.rollback(A, 'prod', r1.hash, 'user:default/alice'),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('never deployed to prod'),
    });
    // what runs now is no rollback target either
    await expect(
      t.service.rollback(A, 'dev', r1.hash, 'user:default/alice'),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('releaseHash'),
    });
    expect(t.provider.deployments.length).toBe(deployments);
    expect((await t.service.history(A, { limit: 10 })).items.length).toBe(1);
    expect((await t.service.deployedRelease(A, 'dev'))!.version).toBe('1.0.0');
    expect(await t.service.deployedRelease(A, 'prod')).toBeNull();
  });

  it('scorecard level through the scorecards service; unavailable fails closed', async () => {
    const getLevel = jest.fn(async () => ({
      level: 'bronze',
      resultHash: 'r'.repeat(64),
    }));
    const t = await setup({
      config: { policy: { minScorecardLevel: 'silver' } },
      scorecards: { getLevel },
    });
    t.healthy();
    const r = await t.release('1.0.0');
    let p = await t.service.preview(A, 'dev', r.hash, 'user:default/alice');
    expect(gate(p, 'scorecard')).toMatchObject({ status: 'fail' });
    expect(gate(p, 'scorecard').evidence).toEqual(['r'.repeat(64)]);
    getLevel.mockResolvedValueOnce({
      level: 'gold',
      resultHash: 's'.repeat(64),
    });
    p = await t.service.preview(A, 'dev', r.hash, 'user:default/alice');
    expect(gate(p, 'scorecard').status).toBe('pass');
    getLevel.mockRejectedValueOnce(new Error('scorecards not installed'));
    p = await t.service.preview(A, 'dev', r.hash, 'user:default/alice');
    expect(gate(p, 'scorecard')).toMatchObject({ status: 'fail' });
  });
});
