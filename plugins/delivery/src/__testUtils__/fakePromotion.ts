import { GateEvaluation } from '@assay/plugin-delivery-common';
import { http, HttpResponse } from 'msw';
import {
  PlanPreview,
  Promotion,
  PromotionKpis,
  PromotionOverview,
  PromotionPlan,
  Release,
} from '../api/promotionTypes';
import { BASE_URL, errorBody } from './fakeDelivery';

export { BASE_URL, errorBody };
export const ENTITY_REF = 'component:default/service-a';
export const ENTITY_URL = `${BASE_URL}/v1/promotion/entities/component/default/service-a`;
export const GUEST = 'user:default/guest';
export const CAROL = 'user:default/carol';

const h = (c: string) => c.repeat(64);
export const HASHES = {
  r120: h('a'),
  r130: h('b'),
  tests: h('1'),
  sbom: h('2'),
  coverage: h('3'),
  promoDev: h('4'),
};

export const release = (version: string, hash: string): Release => ({
  hash,
  entityRef: ENTITY_REF,
  version,
  producer: 'user:default/ci-bot',
  createdAt: '2026-11-30T08:00:00.000Z',
  evidence: [
    { category: 'tests', hash: HASHES.tests },
    { category: 'sbom', hash: HASHES.sbom },
  ],
  artifacts: [{ name: 'service-a', kind: 'image', digest: `sha256:${h('c')}` }],
});

export function evaluation(
  options: {
    mode?: 'sandbox' | 'compliance';
    coverage?: number;
    approvals?: number;
    required?: number;
  } = {},
): GateEvaluation {
  const mode = options.mode ?? 'compliance';
  const coverage = options.coverage ?? 82.5;
  const approvals = options.approvals ?? 0;
  const required = options.required ?? 1;
  const coverageOk = coverage >= 70;
  const statusOf = (ok: boolean) => {
    if (ok) return 'pass' as const;
    return mode === 'sandbox' ? ('warn' as const) : ('fail' as const);
  };
  const coverageStatus = statusOf(coverageOk);
  const approvalsOk = approvals >= required;
  const gates: GateEvaluation['gates'] = [
    {
      id: 'evidence',
      title: 'Required evidence',
      status: 'pass',
      rule: 'tests, sbom, coverage present, fresh (≤ 30 days) and verified',
      detail: 'all 3 present, verified, newest 0.1 days old',
      inputs: {},
      evidence: [HASHES.tests, HASHES.sbom, HASHES.coverage],
    },
    {
      id: 'coverage',
      title: 'Coverage',
      status: coverageStatus,
      rule: 'line coverage ≥ 70%',
      detail: `line coverage ${coverage}%`,
      inputs: { coverage },
      evidence: [HASHES.coverage],
    },
    {
      id: 'approvals',
      title: 'Approvals',
      status: statusOf(approvalsOk),
      rule: `${required} approval(s) from someone other than the requester`,
      detail: `${approvals} of ${required} valid`,
      inputs: { required, valid: approvals },
      evidence: [HASHES.r130],
    },
  ];
  const failing = gates.filter(g => g.status === 'fail');
  return {
    mode,
    allowed: failing.length === 0,
    gates,
    inputs: [HASHES.tests, HASHES.sbom, HASHES.coverage, HASHES.r130],
    summary: failing.length
      ? `blocked (${mode}): ${failing.map(g => g.title).join(', ')}`
      : `allowed (${mode})`,
  };
}

export function promotion(overrides: Partial<Promotion> = {}): Promotion {
  return {
    id: 'p-staging-1',
    entityRef: ENTITY_REF,
    environment: 'staging',
    kind: 'promotion',
    version: '1.3.0',
    releaseHash: HASHES.r130,
    status: 'awaiting-approval',
    requestedBy: GUEST,
    requestedAt: '2026-11-30T10:00:00.000Z',
    mode: 'compliance',
    evaluation: evaluation(),
    approvals: [],
    approvalsRequired: 1,
    evidenceHashes: [h('5')],
    ...overrides,
  };
}

export function overview(
  options: { active?: Promotion | null; mode?: 'sandbox' | 'compliance' } = {},
): PromotionOverview {
  return {
    entityRef: ENTITY_REF,
    mode: options.mode ?? 'compliance',
    environments: [
      {
        name: 'dev',
        approvalsRequired: 0,
        canary: false,
        deployed: {
          entityRef: ENTITY_REF,
          environment: 'dev',
          version: '1.3.0',
          releaseHash: HASHES.r130,
          deployedAt: '2026-11-30T09:00:00.000Z',
          promotionId: 'p-dev-1',
          deploymentRef: 'recorder:1',
        },
        active: null,
      },
      {
        name: 'staging',
        approvalsRequired: 1,
        canary: false,
        deployed: {
          entityRef: ENTITY_REF,
          environment: 'staging',
          version: '1.2.0',
          releaseHash: HASHES.r120,
          deployedAt: '2026-11-29T09:00:00.000Z',
          promotionId: null,
          deploymentRef: null,
          deployedBy: 'user:default/alice',
        },
        active: options.active ?? null,
      },
      {
        name: 'prod',
        approvalsRequired: 2,
        canary: true,
        deployed: null,
        active: null,
      },
    ],
    releases: [release('1.3.0', HASHES.r130), release('1.2.0', HASHES.r120)],
  };
}

export const kpis: PromotionKpis = {
  overall: {
    key: 'overall',
    promotions: 8,
    succeeded: 7,
    successRate: 0.875,
    leadTimeSecondsMedian: 3720,
    leadTimeSecondsP90: 90000,
  },
  entities: [],
  teams: [
    {
      key: 'group:default/payments-team',
      promotions: 8,
      succeeded: 7,
      successRate: 0.875,
      leadTimeSecondsMedian: 3720,
      leadTimeSecondsP90: 90000,
    },
  ],
};

/** msw handlers for one entity's promotion routes. */
export function promotionHandlers(
  options: {
    overview?: PromotionOverview;
    previewMode?: 'sandbox' | 'compliance';
    previewCoverage?: number;
    history?: Promotion[][];
  } = {},
) {
  const pages = options.history ?? [
    [promotion({ id: 'p-dev-1', environment: 'dev', status: 'succeeded' })],
  ];
  return [
    http.get(ENTITY_URL, () =>
      HttpResponse.json(options.overview ?? overview()),
    ),
    http.get(`${BASE_URL}/v1/promotion/kpis`, () => HttpResponse.json(kpis)),
    http.post(`${ENTITY_URL}/preview`, async ({ request }) => {
      const body = (await request.json()) as { environment: string };
      const required = body.environment === 'prod' ? 2 : 1;
      return HttpResponse.json({
        evaluation: evaluation({
          mode: options.previewMode,
          coverage: options.previewCoverage,
          required: options.previewMode === 'sandbox' ? 0 : required,
        }),
        approvalsRequired: options.previewMode === 'sandbox' ? 0 : required,
        approvals: [],
      });
    }),
    http.get(`${BASE_URL}/v1/promotion/promotions/:id`, ({ params }) =>
      HttpResponse.json(
        promotion({
          id: String(params.id),
          environment: 'dev',
          status: 'succeeded',
          requestedBy: GUEST,
          evidenceHashes: [HASHES.promoDev],
        }),
      ),
    ),
    http.get(`${ENTITY_URL}/history`, ({ request }) => {
      const cursor = new URL(request.url).searchParams.get('cursor');
      const index = cursor ? Number(cursor) : 0;
      return HttpResponse.json({
        items: pages[index] ?? [],
        nextCursor: index + 1 < pages.length ? String(index + 1) : null,
      });
    }),
  ];
}

/* ---------- coordinated plans ---------- */

export const SERVICE_A = 'component:default/service-a';
export const SERVICE_B = 'component:default/service-b';

export const planPreview: PlanPreview = {
  graph: { nodes: [SERVICE_A, SERVICE_B], edges: [[SERVICE_B, SERVICE_A]] },
  waves: [[SERVICE_A], [SERVICE_B]],
  previews: {
    [SERVICE_A]: {
      releaseHash: HASHES.r130,
      version: '1.3.0',
      evaluation: evaluation({ required: 0 }),
      approvalsRequired: 0,
    },
    [SERVICE_B]: {
      releaseHash: h('d'),
      version: '2.1.0',
      evaluation: evaluation({ mode: 'sandbox', coverage: 55, required: 0 }),
      approvalsRequired: 0,
    },
  },
};

export function plan(overrides: Partial<PromotionPlan> = {}): PromotionPlan {
  return {
    id: 'plan-1',
    environment: 'dev',
    status: 'running',
    requestedBy: GUEST,
    createdAt: '2026-11-30T10:30:00.000Z',
    graph: planPreview.graph,
    waves: [
      {
        index: 0,
        status: 'succeeded',
        items: [
          {
            entityRef: SERVICE_A,
            status: 'succeeded',
            promotionId: 'p1',
            version: '1.3.0',
          },
        ],
      },
      {
        index: 1,
        status: 'running',
        items: [
          {
            entityRef: SERVICE_B,
            status: 'running',
            promotionId: 'p2',
            version: '2.1.0',
          },
        ],
      },
    ],
    ...overrides,
  };
}
