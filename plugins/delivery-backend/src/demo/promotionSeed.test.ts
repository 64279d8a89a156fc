import request from 'supertest';
import {
  as,
  entity,
  startPromotionBackend,
} from '../promotion/__testUtils__/backend';

jest.setTimeout(180_000);

const ent = (name: string) =>
  `/api/delivery/v1/promotion/entities/component/default/${name}`;

describe('promotion demo seed (with the evidence demo seed)', () => {
  it('leaves service-a with 1.4.1 in staging and 1.4.2 in dev whose gates to staging pass except the approval; service-b shows a warning', async () => {
    const ctx = await startPromotionBackend({
      entities: [
        entity('service-a', { 'assay.dev/compliance-mode': 'compliance' }),
        entity('service-b', { 'assay.dev/compliance-mode': 'sandbox' }),
      ],
      config: { demoSeed: true },
      evidence: { demo: { seed: true } },
    });
    try {
      let overview: any;
      for (let i = 0; i < 120; i++) {
        overview = await request(ctx.server)
          .get(ent('service-b'))
          .set('Authorization', as('alice'));
        if (overview.body.environments?.[0]?.deployed?.version === '2.0.1')
          break;
        await new Promise(r => setTimeout(r, 500));
      }
      const a = await request(ctx.server)
        .get(ent('service-a'))
        .set('Authorization', as('alice'));
      expect(
        a.body.environments.map((e: any) => [
          e.name,
          e.deployed?.version ?? null,
        ]),
      ).toEqual([
        ['dev', '1.4.2'],
        ['staging', '1.4.1'],
        ['prod', null],
      ]);
      expect(a.body.releases.map((r: any) => [r.version, r.demo])).toEqual([
        ['1.4.2', true],
        ['1.4.1', true],
      ]);
      const preview = await request(ctx.server)
        .post(`${ent('service-a')}/preview`)
        .set('Authorization', as('guest'))
        .send({ environment: 'staging', releaseHash: 'latest' });
      expect(preview.status).toBe(200);
      const notPassing = preview.body.evaluation.gates
        .filter((g: any) => g.status !== 'pass')
        .map((g: any) => g.id);
      expect(notPassing).toEqual(['approvals']);
      for (const id of [
        'coverage',
        'sast',
        'sbom.vulnerabilities',
        'load-test.regression',
        'signature',
        'tests',
        'path',
      ]) {
        expect(
          preview.body.evaluation.gates.find((g: any) => g.id === id),
        ).toMatchObject({ status: 'pass' });
      }
      // history: staging approved by carol; every promotion record is marked demo
      const history = await request(ctx.server)
        .get(`${ent('service-a')}/history`)
        .set('Authorization', as('alice'));
      expect(
        history.body.items.map((p: any) => [
          p.environment,
          p.version,
          p.status,
        ]),
      ).toEqual([
        ['dev', '1.4.2', 'succeeded'],
        ['staging', '1.4.1', 'succeeded'],
        ['dev', '1.4.1', 'succeeded'],
      ]);
      expect(history.body.items[1].approvals[0].approver).toBe(
        'user:default/carol',
      );
      const records = await ctx.list(
        'component:default/service-a',
        'promotion',
      );
      expect(records.items.length).toBeGreaterThan(0);
      expect(records.items.every(r => r.envelope.summary.demo === true)).toBe(
        true,
      );
      // service-b (sandbox): the SBOM's high vulnerabilities are a visible warning
      const b = await request(ctx.server)
        .get(`${ent('service-b')}/history`)
        .set('Authorization', as('alice'));
      const sbom = b.body.items[0].evaluation.gates.find(
        (g: any) => g.id === 'sbom.vulnerabilities',
      );
      expect(sbom).toMatchObject({ status: 'warn' });
      expect(sbom.detail).toContain('2 high');
    } finally {
      await ctx.backend.stop();
    }
  });
});
