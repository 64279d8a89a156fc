import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { evaluateGates } from '@assay/plugin-delivery-common';
import { recordHash } from '@assay/plugin-evidence-common';
import { as, entity, startPromotionBackend } from './__testUtils__/backend';

jest.setTimeout(180_000);

const A = 'component:default/service-a';
const B = 'component:default/service-b';
const api = '/api/delivery/v1/promotion';
const ent = (name: string) => `${api}/entities/component/default/${name}`;
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const artifacts = (c: string) => [
  {
    name: 'registry.example.com/payments/service-a',
    kind: 'image',
    digest: digest(c),
  },
  { name: 'overview', kind: 'dashboard', digest: digest('d') },
  { name: 'slo', kind: 'alert-rules', digest: digest('e') },
];

describe('promotion routes on the real evidence backend', () => {
  let ctx: Awaited<ReturnType<typeof startPromotionBackend>>;
  const asked: any[] = [];

  beforeAll(async () => {
    ctx = await startPromotionBackend({
      asked,
      entities: [
        entity('service-a', { 'assay.dev/compliance-mode': 'compliance' }),
        entity('service-b', {
          'assay.dev/compliance-mode': 'sandbox',
          // dev is a configured, unprotected environment: sandbox mode applies
          // there (an unknown name would get the strictest settings)
          'assay.dev/environments': 'dev → prod',
        }),
      ],
    });
  });
  afterAll(async () => {
    await ctx.backend.stop();
  });

  it('cuts a release citing the newest evidence, verifies it, previews, promotes, asks for an approval with separation of duties, and records everything as evidence', async () => {
    // the pipeline's evidence, its signature naming the image 1.0.0 ships
    const cited = await ctx.putAll(A, { signature: { digest: digest('a') } });
    const r1 = await request(ctx.server)
      .post(`${ent('service-a')}/releases`)
      .set('Authorization', as('bob'))
      .send({ version: '1.0.0', artifacts: artifacts('a') });
    expect(r1.status).toBe(201);
    expect(r1.body.producer).toBe('user:default/bob');
    expect(
      Object.fromEntries(
        r1.body.evidence.map((e: any) => [e.category, e.hash]),
      ),
    ).toEqual(cited);
    // the release is a `release` evidence record written by the plugin itself
    const [rel] = (await ctx.list(A, 'release')).items;
    expect(rel.hash).toBe(r1.body.hash);
    expect(rel.envelope.producer).toBe('service:plugin:delivery');
    expect(rel.envelope.summary).toMatchObject({
      kind: 'release',
      actor: 'user:default/bob',
      version: '1.0.0',
      image: digest('a'),
    });
    // the same version again: 409
    const dup = await request(ctx.server)
      .post(`${ent('service-a')}/releases`)
      .set('Authorization', as('bob'))
      .send({ version: '1.0.0', artifacts: artifacts('b') });
    expect(dup.status).toBe(409);

    const verify = await request(ctx.server)
      .get(`${ent('service-a')}/releases/${r1.body.hash}/verify`)
      .set('Authorization', as('dan'));
    expect(verify.status).toBe(200);
    expect(verify.body.ok).toBe(true);
    expect(verify.body.checks.map((c: any) => c.category).sort()).toEqual([
      'coverage',
      'load-test',
      'release',
      'sast',
      'sbom',
      'signature',
      'tests',
    ]);
    expect(verify.body.checks[1].reason).toMatch(
      /chain link .* inclusion verified/,
    );

    // gate preview (dry-run): every gate passes to dev, nothing stored
    const before = (await ctx.list(A)).totalCount;
    const preview = await request(ctx.server)
      .post(`${ent('service-a')}/preview`)
      .set('Authorization', as('alice'))
      .send({ environment: 'dev', releaseHash: r1.body.hash });
    expect(preview.status).toBe(200);
    expect(preview.body.evaluation.allowed).toBe(true);
    expect(
      preview.body.evaluation.gates.filter((g: any) => g.status !== 'pass'),
    ).toEqual([]);
    expect(preview.body.evaluation.inputs).toEqual(
      expect.arrayContaining(Object.values(cited)),
    );
    expect((await ctx.list(A)).totalCount).toBe(before);

    // promote to dev: no approvals in dev → succeeded
    const dev = await request(ctx.server)
      .post(`${ent('service-a')}/promotions`)
      .set('Authorization', as('alice'))
      .send({ environment: 'dev', releaseHash: r1.body.hash });
    expect(dev.status).toBe(201);
    expect(dev.body).toMatchObject({
      status: 'succeeded',
      kind: 'promotion',
      version: '1.0.0',
      requestedBy: 'user:default/alice',
      mode: 'compliance',
    });
    expect(dev.body.leadTimeSeconds).toBeGreaterThanOrEqual(0);
    // a gate decision and the final record, only the final one with an outcome
    const promo = (await ctx.list(A, 'promotion')).items;
    expect(promo.map(p => p.envelope.summary.kind)).toEqual([
      'promotion',
      'gate-decision',
    ]);
    expect(promo[0].envelope.summary).toMatchObject({
      outcome: 'succeeded',
      actor: 'user:default/alice',
      environment: 'dev',
      version: '1.0.0',
      releaseHash: r1.body.hash,
    });
    expect(promo[1].envelope.summary.outcome).toBeUndefined();
    expect(String(promo[1].envelope.summary.inputs).split(',')).toEqual(
      expect.arrayContaining(Object.values(cited)),
    );
    expect(
      promo.every(p => p.envelope.producer === 'service:plugin:delivery'),
    ).toBe(true);
    // the decision replays from the evidence it cites (pure evaluateGates)
    const payloadEval = dev.body.evaluation;
    const byHash = new Map((await ctx.list(A)).items.map(i => [i.hash, i]));
    for (const h of payloadEval.inputs) {
      if (h === r1.body.hash) continue;
      expect(recordHash(byHash.get(h)!.envelope)).toBe(h);
    }
    const replay = evaluateGates({
      policy: { approvals: { required: 0 } },
      mode: 'compliance',
      evidence: Object.fromEntries(
        Object.entries(cited).map(([c, h]) => [
          c,
          { envelope: byHash.get(h)!.envelope, hash: h, verified: true },
        ]),
      ),
      release: {
        version: '1.0.0',
        hash: r1.body.hash,
        producer: 'user:default/bob',
        artifacts: r1.body.artifacts,
      },
      requester: 'user:default/alice',
      approvals: [],
      now: dev.body.requestedAt,
    });
    expect(replay.gates.map(g => [g.id, g.status])).toEqual(
      payloadEval.gates.map((g: any) => [g.id, g.status]),
    );

    // staging needs one approval
    const staging = await request(ctx.server)
      .post(`${ent('service-a')}/promotions`)
      .set('Authorization', as('alice'))
      .send({ environment: 'staging', releaseHash: r1.body.hash });
    expect(staging.status).toBe(201);
    expect(staging.body.status).toBe('awaiting-approval');
    expect(staging.body.approvalsRequired).toBe(1);
    const path = staging.body.evaluation.gates.find(
      (g: any) => g.id === 'path',
    );
    expect(path).toMatchObject({ status: 'pass' });
    // one active promotion per entity and environment
    const again = await request(ctx.server)
      .post(`${ent('service-a')}/promotions`)
      .set('Authorization', as('carol'))
      .send({ environment: 'staging', releaseHash: r1.body.hash });
    expect(again.status).toBe(409);

    // the requester and the release's producer may not approve: 403 saying why
    const self = await request(ctx.server)
      .post(`${api}/promotions/${staging.body.id}/approvals`)
      .set('Authorization', as('alice'))
      .send({});
    expect(self.status).toBe(403);
    expect(self.body.error.message).toBe(
      'you requested this promotion; a different person must approve it',
    );
    const producer = await request(ctx.server)
      .post(`${api}/promotions/${staging.body.id}/approvals`)
      .set('Authorization', as('bob'))
      .send({});
    expect(producer.status).toBe(403);
    expect(producer.body.error.message).toBe(
      'you produced this release; a different person must approve it',
    );
    // a non-owner may not approve (permission) — before anything changes
    const dan = await request(ctx.server)
      .post(`${api}/promotions/${staging.body.id}/approvals`)
      .set('Authorization', as('dan'))
      .send({});
    expect(dan.status).toBe(403);
    expect(dan.body.error.message).toContain('delivery.promotion.approve');
    // a service principal is nobody: it can neither approve nor act
    const svc = mockCredentials.service.header();
    const bySvc = await request(ctx.server)
      .post(`${api}/promotions/${staging.body.id}/approvals`)
      .set('Authorization', svc)
      .send({});
    expect([401, 403]).toContain(bySvc.status);
    for (const route of ['promotions', 'rollback']) {
      const res = await request(ctx.server)
        .post(`${ent('service-a')}/${route}`)
        .set('Authorization', svc)
        .send({ environment: 'dev', releaseHash: r1.body.hash });
      expect([401, 403]).toContain(res.status);
    }
    const cancelBySvc = await request(ctx.server)
      .post(`${api}/promotions/${staging.body.id}/cancel`)
      .set('Authorization', svc)
      .send({});
    expect([401, 403]).toContain(cancelBySvc.status);

    const ok = await request(ctx.server)
      .post(`${api}/promotions/${staging.body.id}/approvals`)
      .set('Authorization', as('carol'))
      .send({ comment: 'gates read' });
    expect(ok.status).toBe(201);
    expect(ok.body.status).toBe('succeeded');
    expect(ok.body.approvals).toEqual([
      expect.objectContaining({
        approver: 'user:default/carol',
        hash: expect.any(String),
      }),
    ]);
    const approval = (await ctx.list(A, 'promotion')).items.find(
      i => i.envelope.summary.kind === 'approval',
    )!;
    expect(approval.hash).toBe(ok.body.approvals[0].hash);
    expect(approval.envelope.summary).toMatchObject({
      actor: 'user:default/carol',
      releaseHash: r1.body.hash,
      inputs: r1.body.hash,
    });
    // not awaiting approval any more: 409
    const late = await request(ctx.server)
      .post(`${api}/promotions/${staging.body.id}/approvals`)
      .set('Authorization', as('carol'))
      .send({});
    expect(late.status).toBe(409);

    // the overview shows what runs where
    const overview = await request(ctx.server)
      .get(ent('service-a'))
      .set('Authorization', as('dan'));
    expect(overview.status).toBe(200);
    expect(
      overview.body.environments.map((e: any) => [
        e.name,
        e.deployed?.version ?? null,
      ]),
    ).toEqual([
      ['dev', '1.0.0'],
      ['staging', '1.0.0'],
      ['prod', null],
    ]);
    expect(overview.body.permissions).toEqual({
      promote: false,
      approve: false,
      rollback: false,
    });
  });

  it('blocks in compliance mode when a gate fails (recorded, with an outcome), warns in sandbox mode', async () => {
    // a newer build with a critical vulnerability
    await ctx.put(A, 'sbom', { critical: 1, high: 0, medium: 0, low: 0 });
    const r2 = await request(ctx.server)
      .post(`${ent('service-a')}/releases`)
      .set('Authorization', as('bob'))
      .send({ version: '1.1.0', artifacts: artifacts('c') });
    expect(r2.status).toBe(201);
    const blocked = await request(ctx.server)
      .post(`${ent('service-a')}/promotions`)
      .set('Authorization', as('alice'))
      .send({ environment: 'dev', releaseHash: r2.body.hash });
    expect(blocked.status).toBe(201);
    expect(blocked.body.status).toBe('blocked');
    const gate = blocked.body.evaluation.gates.find(
      (g: any) => g.id === 'sbom.vulnerabilities',
    );
    expect(gate).toMatchObject({ status: 'fail' });
    expect(gate.detail).toContain('1 critical');
    const [final] = (await ctx.list(A, 'promotion')).items;
    expect(final.envelope.summary).toMatchObject({
      kind: 'promotion',
      outcome: 'blocked',
      version: '1.1.0',
    });
    // dev still runs 1.0.0
    const overview = await request(ctx.server)
      .get(ent('service-a'))
      .set('Authorization', as('alice'));
    expect(overview.body.environments[0].deployed.version).toBe('1.0.0');
    expect(overview.body.permissions.promote).toBe(true);

    // service-b: sandbox, environments from its annotation
    await ctx.putAll(B, {
      sbom: { high: 2 },
      signature: { digest: digest('f') },
    });
    const rb = await request(ctx.server)
      .post(`${ent('service-b')}/releases`)
      .set('Authorization', as('bob'))
      .send({ version: '2.0.0', artifacts: artifacts('f') });
    const ob = await request(ctx.server)
      .get(ent('service-b'))
      .set('Authorization', as('alice'));
    expect(ob.body.mode).toBe('sandbox');
    expect(ob.body.environments.map((e: any) => e.name)).toEqual([
      'dev',
      'prod',
    ]);
    const pb = await request(ctx.server)
      .post(`${ent('service-b')}/promotions`)
      .set('Authorization', as('alice'))
      .send({ environment: 'dev', releaseHash: rb.body.hash });
    expect(pb.body.status).toBe('succeeded');
    expect(
      pb.body.evaluation.gates.find(
        (g: any) => g.id === 'sbom.vulnerabilities',
      ),
    ).toMatchObject({ status: 'warn' });
  });

  it("rolls back: re-runs the gates against today's policy and records the result", async () => {
    const overview = await request(ctx.server)
      .get(ent('service-a'))
      .set('Authorization', as('alice'));
    const r1 = overview.body.releases.find((r: any) => r.version === '1.0.0');
    // put 1.2.0 into dev first (healthy evidence again)
    await ctx.putAll(A, { signature: { digest: digest('9') } });
    const r3 = await request(ctx.server)
      .post(`${ent('service-a')}/releases`)
      .set('Authorization', as('bob'))
      .send({ version: '1.2.0', artifacts: artifacts('9') });
    const p3 = await request(ctx.server)
      .post(`${ent('service-a')}/promotions`)
      .set('Authorization', as('alice'))
      .send({ environment: 'dev', releaseHash: r3.body.hash });
    expect(p3.body.status).toBe('succeeded');

    const rb = await request(ctx.server)
      .post(`${ent('service-a')}/rollback`)
      .set('Authorization', as('carol'))
      .send({ environment: 'dev', releaseHash: r1.hash, reason: 'latency' });
    expect(rb.status).toBe(201);
    expect(rb.body).toMatchObject({
      kind: 'rollback',
      status: 'rolled-back',
      version: '1.0.0',
      previousReleaseHash: r3.body.hash,
      approvalsRequired: 0,
    });
    expect(rb.body.evaluation.gates.length).toBeGreaterThan(5);
    const [final] = (await ctx.list(A, 'promotion')).items;
    expect(final.envelope.summary).toMatchObject({
      kind: 'rollback',
      outcome: 'rolled-back',
      actor: 'user:default/carol',
    });
    const after = await request(ctx.server)
      .get(ent('service-a'))
      .set('Authorization', as('alice'));
    expect(after.body.environments[0].deployed.version).toBe('1.0.0');

    // history, newest first, paged
    const h1 = await request(ctx.server)
      .get(`${ent('service-a')}/history?limit=2`)
      .set('Authorization', as('dan'));
    expect(h1.status).toBe(200);
    expect(h1.body.items.map((p: any) => p.kind)).toEqual([
      'rollback',
      'promotion',
    ]);
    const h2 = await request(ctx.server)
      .get(
        `${ent('service-a')}/history?limit=100&cursor=${encodeURIComponent(
          h1.body.nextCursor,
        )}`,
      )
      .set('Authorization', as('dan'));
    expect(h2.body.items.length).toBe(3); // dev 1.0.0, staging 1.0.0, blocked 1.1.0
    expect(h2.body.nextCursor).toBeNull();

    // KPIs: per entity, per team, overall (rollbacks are not promotions)
    const k = await request(ctx.server)
      .get(`${api}/kpis`)
      .set('Authorization', as('dan'));
    expect(k.status).toBe(200);
    const a = k.body.entities.find((e: any) => e.key === A);
    expect(a).toMatchObject({ promotions: 4, succeeded: 3, successRate: 0.75 });
    expect(a.leadTimeSecondsMedian).toEqual(expect.any(Number));
    expect(k.body.teams).toEqual([
      expect.objectContaining({
        key: 'group:default/payments-team',
        promotions: 5,
      }),
    ]);
    expect(k.body.overall).toMatchObject({ promotions: 5, succeeded: 4 });
    const kb = await request(ctx.server)
      .get(`${api}/kpis?entityRef=${encodeURIComponent(B)}`)
      .set('Authorization', as('dan'));
    expect(kb.body.overall).toMatchObject({ promotions: 1, successRate: 1 });
  });

  it('authorizes before revealing or changing anything; 400 names the field', async () => {
    const n = (await ctx.list(A)).totalCount;
    const noAuth = await request(ctx.server)
      .get(ent('service-a'))
      .set('Authorization', mockCredentials.none.header());
    expect(noAuth.status).toBe(401);
    for (const [path, body] of [
      ['promotions', { environment: 'dev', releaseHash: 'latest' }],
      ['rollback', { environment: 'dev', releaseHash: 'a'.repeat(64) }],
      ['releases', { version: '9.9.9', artifacts: [] }],
    ] as const) {
      asked.length = 0;
      const res = await request(ctx.server)
        .post(`${ent('service-a')}/${path}`)
        .set('Authorization', as('dan'))
        .send(body);
      expect(res.status).toBe(403);
      expect(asked[0]).toMatchObject({ resourceRef: A });
      expect(asked[0].permission.name).toMatch(/^delivery\.promotion\./);
    }
    // even a malformed body from a non-owner is a 403 (nothing revealed)
    const bad403 = await request(ctx.server)
      .post(`${ent('service-a')}/promotions`)
      .set('Authorization', as('dan'))
      .send({ environment: 'Dev!' });
    expect([400, 403]).toContain(bad403.status);

    for (const [path, body, field] of [
      [
        'promotions',
        { environment: 'dev', releaseHash: 'nope' },
        'releaseHash',
      ],
      [
        'promotions',
        { environment: 'nowhere', releaseHash: 'latest' },
        'environment',
      ],
      [
        'promotions',
        { environment: 'dev', releaseHash: 'latest', extra: 1 },
        'extra',
      ],
      [
        'releases',
        {
          version: '2.0.0',
          artifacts: [{ name: 'x', kind: 'image', digest: 'sha256:zz' }],
        },
        'digest',
      ],
      ['preview', { environment: 'dev', releaseHash: 'x' }, 'releaseHash'],
      // plans promote through the service: a planId in the body is refused
      [
        'promotions',
        { environment: 'dev', releaseHash: 'latest', planId: 'any-plan' },
        'planId',
      ],
    ] as const) {
      const res = await request(ctx.server)
        .post(`${ent('service-a')}/${path}`)
        .set('Authorization', as('alice'))
        .send(body);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.error.message).toContain(field);
    }
    const badLimit = await request(ctx.server)
      .get(`${ent('service-a')}/history?limit=0`)
      .set('Authorization', as('alice'));
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.error.message).toContain('limit');
    expect((await ctx.list(A)).totalCount).toBe(n);
    // a path parameter is named as such, not as the body
    const badHash = await request(ctx.server)
      .get(`${ent('service-a')}/releases/nothex/verify`)
      .set('Authorization', as('alice'));
    expect(badHash.status).toBe(400);
    expect(badHash.body.error.message).toMatch(/^hash: /);
    const noHash = await request(ctx.server)
      .post(`${ent('service-a')}/preview`)
      .set('Authorization', as('alice'))
      .send({ environment: 'dev', kind: 'rollback' });
    expect(noHash.status).toBe(400);
    expect(noHash.body.error.message).toMatch(/^releaseHash: /);
    const unknown = await request(ctx.server)
      .get(`${api}/promotions/00000000-0000-0000-0000-000000000000`)
      .set('Authorization', as('alice'));
    expect(unknown.status).toBe(404);
  });

  it('a release that never ran in the environment is no rollback target: 400 naming releaseHash, nothing deployed', async () => {
    const fresh = await request(ctx.server)
      .post(`${ent('service-a')}/releases`)
      .set('Authorization', as('bob'))
      .send({ version: '6.6.6', artifacts: artifacts('6') });
    expect(fresh.status).toBe(201);
    const before = await request(ctx.server)
      .get(ent('service-a'))
      .set('Authorization', as('alice'));
    for (const path of ['rollback', 'preview']) {
      const res = await request(ctx.server)
        .post(`${ent('service-a')}/${path}`)
        .set('Authorization', as('alice'))
        .send({
          environment: 'prod',
          releaseHash: fresh.body.hash,
          ...(path === 'preview' ? { kind: 'rollback' } : {}),
        });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.error.message).toMatch(
        /^releaseHash: 6\.6\.6 .*never deployed to prod.*promote it instead/,
      );
    }
    const after = await request(ctx.server)
      .get(ent('service-a'))
      .set('Authorization', as('alice'));
    expect(after.body.environments).toEqual(before.body.environments);
  });
});
