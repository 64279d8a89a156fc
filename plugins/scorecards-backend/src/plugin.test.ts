import { mockCredentials } from '@backstage/backend-test-utils';
import { EVIDENCE_APPENDED_TOPIC } from '@assay/plugin-evidence-common';
import request from 'supertest';
import { MemoryEvidenceService } from './__testUtils__/MemoryEvidenceService';
import { startScorecards } from './__testUtils__/backend';
import { component, seedEvidence, system } from './__testUtils__/fixtures';

jest.setTimeout(60_000);

const alice = mockCredentials.user.header('user:default/alice');
const bob = mockCredentials.user.header('user:default/bob');
const carol = mockCredentials.user.header('user:default/carol');
const A = '/api/scorecards/v1/entities/component/default/service-a';
const B = '/api/scorecards/v1/entities/component/default/service-b';

async function setup() {
  const evidence = new MemoryEvidenceService();
  seedEvidence(evidence, 'service-a');
  seedEvidence(evidence, 'service-b', { high: 2 });
  const { backend, events } = await startScorecards({
    entities: [
      component('service-a', 'compliance'),
      component('service-b', 'sandbox'),
      system,
    ],
    evidence,
  });
  return { evidence, events, server: backend.server, backend };
}

describe('scorecards plugin', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    ctx = await setup();
  });
  afterEach(async () => {
    await ctx.backend.stop();
  });

  it('computes results whose cited hashes resolve in the evidence store', async () => {
    const res = await request(ctx.server).get(A).set('Authorization', alice);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      entityRef: 'component:default/service-a',
      mode: 'compliance',
      level: 'silver',
    });
    const hashes = new Set(
      ctx.evidence.chains.get('component:default/service-a')!.map(r => r.hash),
    );
    expect(res.body.inputs.length).toBeGreaterThan(0);
    for (const h of res.body.inputs) expect(hashes.has(h)).toBe(true);
    const gold = res.body.checks.find(
      (c: any) => c.id === 'signatures-present',
    );
    expect(gold).toMatchObject({
      status: 'fail',
      reason: 'evidence.signature.producedAt is missing',
    });

    const b = await request(ctx.server).get(B).set('Authorization', alice);
    expect(
      b.body.checks.find((c: any) => c.id === 'sbom-no-critical-high'),
    ).toMatchObject({
      status: 'warn',
      level: 'gold',
      reason: 'evidence.sbom.high is 2 (needs ≤ 0)',
    });
  });

  it('records changed compliance-mode results as compliance evidence with the plugin credentials', async () => {
    await request(ctx.server).get(A).set('Authorization', alice);
    const records = ctx.evidence.chains.get('component:default/service-a')!;
    const compliance = records.filter(
      r => r.envelope.category === 'compliance',
    );
    expect(compliance).toHaveLength(1);
    expect(compliance[0].envelope.producer).toBe('service:plugin:scorecards');
    expect(compliance[0].envelope.summary).toMatchObject({
      level: 'silver',
      actor: 'plugin:scorecards',
    });
    // sandbox results are not recorded
    await request(ctx.server).get(B).set('Authorization', alice);
    expect(
      ctx.evidence.chains
        .get('component:default/service-b')!
        .some(r => r.envelope.category === 'compliance'),
    ).toBe(false);
  });

  it('refreshes one entity incrementally when evidence is appended', async () => {
    await request(ctx.server).get(A).set('Authorization', alice);
    const rec = ctx.evidence.appendSync(
      {
        entityRef: 'component:default/service-a',
        category: 'signature',
        summary: { signed: true },
      },
      'service:ci',
    );
    await ctx.events.publish({
      topic: EVIDENCE_APPENDED_TOPIC,
      eventPayload: {
        entityRef: rec.envelope.entityRef,
        category: 'signature',
        hash: rec.hash,
        seq: rec.envelope.seq,
      },
    });
    let check: any;
    for (let i = 0; i < 50; i++) {
      const res = await request(ctx.server).get(A).set('Authorization', alice);
      check = res.body.checks.find((c: any) => c.id === 'signatures-present');
      if (check.status === 'pass') break;
      await new Promise(r => setTimeout(r, 100));
    }
    expect(check).toMatchObject({ status: 'pass', evidence: [rec.hash] });
  });

  it('waivers: requester cannot approve, someone else can; recorded as evidence; expiry capped in compliance mode', async () => {
    const req = await request(ctx.server)
      .post(`${B}/waivers`)
      .set('Authorization', alice)
      .send({
        checkId: 'sbom-no-critical-high',
        reason: 'upstream fix lands in 2.0.2',
        expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      });
    expect(req.status).toBe(201);
    expect(req.body).toMatchObject({
      status: 'pending',
      requestedBy: 'user:default/alice',
    });

    const self = await request(ctx.server)
      .post(`/api/scorecards/v1/waivers/${req.body.id}/approve`)
      .set('Authorization', alice)
      .send({});
    expect(self.status).toBe(403);
    expect(self.body.error.message).toMatch(
      /requested this waiver and cannot approve it/,
    );

    const other = await request(ctx.server)
      .post(`/api/scorecards/v1/waivers/${req.body.id}/approve`)
      .set('Authorization', bob)
      .send({});
    expect(other.status).toBe(200);
    expect(other.body).toMatchObject({
      status: 'approved',
      decidedBy: 'user:default/bob',
    });
    const rec = ctx.evidence.chains
      .get('component:default/service-b')!
      .find(r => r.envelope.category === 'waiver')!;
    expect(rec.hash).toBe(other.body.evidenceHash);
    expect(rec.envelope.producer).toBe('service:plugin:scorecards');
    expect(rec.envelope.summary).toMatchObject({
      actor: 'user:default/bob',
      requestedBy: 'user:default/alice',
      decision: 'approved',
    });

    const result = await request(ctx.server).get(B).set('Authorization', alice);
    expect(
      result.body.checks.find((c: any) => c.id === 'sbom-no-critical-high'),
    ).toMatchObject({
      status: 'waived',
      waiver: { decidedBy: 'user:default/bob' },
    });

    const again = await request(ctx.server)
      .post(`/api/scorecards/v1/waivers/${req.body.id}/approve`)
      .set('Authorization', bob)
      .send({});
    expect(again.status).toBe(409);

    const tooLong = await request(ctx.server)
      .post(`${A}/waivers`)
      .set('Authorization', alice)
      .send({
        checkId: 'signatures-present',
        reason: 'signing is being rolled out',
        expiresAt: new Date(Date.now() + 60 * 86_400_000).toISOString(),
      });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toBe(
      'expiresAt: at most 30 days ahead for an entity in compliance mode',
    );
  });

  it('expired waivers stop counting on their own', async () => {
    const expiresAt = new Date(Date.now() + 2500).toISOString();
    const req = await request(ctx.server)
      .post(`${B}/waivers`)
      .set('Authorization', alice)
      .send({
        checkId: 'sbom-no-critical-high',
        reason: 'short-lived exemption',
        expiresAt,
      });
    await request(ctx.server)
      .post(`/api/scorecards/v1/waivers/${req.body.id}/approve`)
      .set('Authorization', bob)
      .send({});
    const status = async () =>
      (
        await request(ctx.server).get(B).set('Authorization', alice)
      ).body.checks.find((c: any) => c.id === 'sbom-no-critical-high').status;
    expect(await status()).toBe('waived');
    await new Promise(r =>
      setTimeout(r, Date.parse(expiresAt) - Date.now() + 100),
    );
    expect(await status()).toBe('warn');
    const list = await request(ctx.server)
      .get('/api/scorecards/v1/waivers?status=expired')
      .set('Authorization', alice);
    expect(list.body.items.map((w: any) => w.id)).toEqual([req.body.id]);
  });

  it('bad input is a 400 naming the field, nothing stored', async () => {
    const bad = await request(ctx.server)
      .post(`${B}/waivers`)
      .set('Authorization', alice)
      .send({
        checkId: 'nope',
        reason: 'a long enough reason',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe("checkId: unknown check 'nope'");
    const short = await request(ctx.server)
      .post(`${B}/waivers`)
      .set('Authorization', alice)
      .send({
        checkId: 'sast-clean',
        reason: 'short',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(/reason/);
    const limit = await request(ctx.server)
      .get('/api/scorecards/v1/overview?limit=1000')
      .set('Authorization', alice);
    expect(limit.status).toBe(400);
    expect(limit.body.error.message).toMatch(/limit/);
    const list = await request(ctx.server)
      .get(`${B}/waivers`)
      .set('Authorization', alice);
    expect(list.body.items).toEqual([]);
  });

  it('authorizes every route: 401 without credentials, 403 without the permission', async () => {
    const none = await request(ctx.server)
      .get(A)
      .set('Authorization', mockCredentials.none.header());
    expect(none.status).toBe(401);
    const refresh = await request(ctx.server)
      .post(`${A}/refresh`)
      .set('Authorization', carol);
    expect(refresh.status).toBe(403);
    expect(refresh.body.error.message).toBe(
      'not allowed: scorecards.entity.refresh on component:default/service-a',
    );
    const ok = await request(ctx.server)
      .post(`${A}/refresh`)
      .set('Authorization', alice);
    expect(ok.status).toBe(200);
    const waiver = await request(ctx.server)
      .post(`${A}/waivers`)
      .set('Authorization', carol)
      .send({
        checkId: 'sast-clean',
        reason: 'a long enough reason',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      });
    expect(waiver.status).toBe(403);
    const missing = await request(ctx.server)
      .get('/api/scorecards/v1/entities/component/default/nope')
      .set('Authorization', alice);
    expect(missing.status).toBe(404);
  });

  it('overview, CSV export, rollups, trends, history and controls', async () => {
    await request(ctx.server).get(A).set('Authorization', alice);
    await request(ctx.server).get(B).set('Authorization', alice);
    const ov = await request(ctx.server)
      .get(
        '/api/scorecards/v1/overview?owner=group:default/payments-team&orderBy=score&order=desc&limit=1',
      )
      .set('Authorization', carol);
    expect(ov.status).toBe(200);
    expect(ov.body).toMatchObject({
      totalCount: 2,
      limit: 1,
      levels: { silver: 2 },
    });
    expect(ov.body.items).toHaveLength(1);
    expect(ov.body.items[0]).toMatchObject({
      system: 'system:default/example-service',
      domain: 'domain:default/payments',
    });
    const failing = await request(ctx.server)
      .get('/api/scorecards/v1/overview?failingCheck=sbom-no-critical-high')
      .set('Authorization', alice);
    expect(failing.body.items.map((r: any) => r.entityRef)).toEqual([
      'component:default/service-b',
    ]);

    const csv = await request(ctx.server)
      .get('/api/scorecards/v1/overview/export?mode=compliance')
      .set('Authorization', alice);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe(
      'entityRef,title,kind,owner,system,domain,mode,level,score,failing,failingChecks,computedAt',
    );
    expect(csv.text.split('\r\n').filter(Boolean)).toHaveLength(2);

    const team = await request(ctx.server)
      .get('/api/scorecards/v1/rollups/team')
      .set('Authorization', alice);
    expect(team.body.items).toEqual([
      expect.objectContaining({
        key: 'group:default/payments-team',
        entities: 2,
        levels: { none: 0, bronze: 0, silver: 2, gold: 0 },
      }),
    ]);
    const trends = await request(ctx.server)
      .get('/api/scorecards/v1/trends?days=7')
      .set('Authorization', alice);
    expect(trends.body.points).toHaveLength(1);
    const history = await request(ctx.server)
      .get(`${A}/history`)
      .set('Authorization', alice);
    expect(history.body.points).toEqual([
      expect.objectContaining({ level: 'silver' }),
    ]);

    const controls = await request(ctx.server)
      .get('/api/scorecards/v1/controls?framework=SOC2')
      .set('Authorization', alice);
    const cc71 = controls.body.items.find(
      (c: any) => c.control === 'SOC2:CC7.1',
    );
    expect(cc71.checks).toEqual(
      expect.arrayContaining([
        'sast-clean',
        'sbom-present',
        'sbom-no-critical-high',
      ]),
    );
    expect(cc71.notEvidenced).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          entityRef: 'component:default/service-b',
          checkId: 'sbom-no-critical-high',
        }),
      ]),
    );
    expect(cc71.evidenced.every((e: any) => e.evidence.length > 0)).toBe(true);
    expect(controls.body.items.every((c: any) => c.framework === 'SOC2')).toBe(
      true,
    );
    const exp = await request(ctx.server)
      .get('/api/scorecards/v1/controls/export?format=csv')
      .set('Authorization', alice);
    expect(exp.text.split('\r\n')[0]).toBe(
      'framework,control,entityRef,checkId,status,evidenced,reason,evidenceHashes',
    );
    const json = await request(ctx.server)
      .get('/api/scorecards/v1/controls/export?format=json')
      .set('Authorization', alice);
    expect(json.body.items.length).toBeGreaterThan(3);
  });
});
