import request from 'supertest';
import {
  as,
  entity,
  startPromotionBackend,
} from '../promotion/__testUtils__/backend';

jest.setTimeout(240_000);

const A = 'component:default/service-a';
const B = 'component:default/service-b';

describe('demo coordinated plan (after the promotion and evidence demo seeds)', () => {
  it('is one finished plan of service-a then service-b, marked demo, every step recorded', async () => {
    const ctx = await startPromotionBackend({
      entities: [
        entity('service-a', { 'assay.dev/compliance-mode': 'compliance' }),
        entity(
          'service-b',
          { 'assay.dev/compliance-mode': 'sandbox' },
          { dependsOn: ['component:service-a', 'resource:service-mesh'] },
        ),
      ],
      config: { demoSeed: true },
      evidence: { demo: { seed: true } },
    });
    try {
      let plan: any;
      for (let i = 0; i < 200 && !plan; i++) {
        const res = await request(ctx.server)
          .get('/api/delivery/v1/promotion/plans')
          .set('Authorization', as('guest'));
        expect(res.status).toBe(200);
        plan = res.body.items.find(
          (p: any) =>
            p.demo &&
            p.status !== 'running' &&
            p.steps.every((s: any) => s.evidenceHash),
        );
        if (!plan) await new Promise(r => setTimeout(r, 500));
      }
      expect(plan).toMatchObject({
        demo: true,
        environment: 'dev',
        status: 'succeeded',
        requestedBy: 'user:default/alice',
        graph: { edges: [[B, A]] },
      });
      expect(
        plan.waves.map((w: any) =>
          w.items.map((i: any) => [i.entityRef, i.version, i.status]),
        ),
      ).toEqual([[[A, '1.4.2', 'succeeded']], [[B, '2.0.1', 'succeeded']]]);
      expect(plan.steps.map((s: any) => `${s.step}:${s.outcome}`)).toEqual([
        'planned:planned',
        'planned:planned',
        'promote:already-deployed',
        'promote:already-deployed',
      ]);
      const records = (await ctx.list(B, 'promotion')).items.filter(
        r => r.envelope.summary.kind === 'plan-step',
      );
      expect(records).toHaveLength(2);
      expect(records[0].envelope.producer).toBe('service:plugin:delivery');
    } finally {
      await ctx.backend.stop();
    }
  });
});
