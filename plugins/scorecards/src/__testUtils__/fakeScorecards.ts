import { http, HttpResponse } from 'msw';
import {
  CheckResult,
  Control,
  EntityResult,
  HistoryPoint,
  OverviewRow,
  Rollup,
  TrendPoint,
  Waiver,
} from '../api/types';

export const BASE_URL = 'http://localhost:7007/api/scorecards';
export const SERVICE_B = 'component:default/service-b';
export const GUEST = 'user:default/guest';
export const CAROL = 'user:default/carol';

const HASH_SBOM = 'a'.repeat(64);
const HASH_COVERAGE = 'b'.repeat(64);
const HASH_SIGN = 'c'.repeat(64);

export function errorResponse(status: number, name: string, message: string) {
  // the shape of a Backstage backend error body
  return HttpResponse.json(
    { error: { name, message }, response: { statusCode: status } },
    { status },
  );
}

const check = (c: Partial<CheckResult> & Pick<CheckResult, 'id'>) =>
  ({
    title: c.id,
    category: 'security',
    level: 'bronze',
    weight: 1,
    status: 'pass',
    reason: 'ok',
    facts: {},
    evidence: [],
    remediation: { text: 'n/a' },
    controls: [],
    ...c,
  } as CheckResult);

export function serviceBResult(): EntityResult {
  return {
    entityRef: SERVICE_B,
    mode: 'compliance',
    score: 82.5,
    level: 'silver',
    computedAt: '2026-11-30T07:00:00.000Z',
    inputs: [HASH_SBOM, HASH_COVERAGE, HASH_SIGN],
    resultHash: 'f'.repeat(64),
    checks: [
      check({
        id: 'coverage',
        title: 'Line coverage at least 70%',
        category: 'reliability',
        level: 'bronze',
        weight: 3,
        status: 'pass',
        reason: 'coverage 83.1% ≥ 70%',
        facts: { 'evidence.coverage.linePct': 83.1 },
        evidence: [HASH_COVERAGE],
        controls: ['SOC2:CC8.1'],
      }),
      check({
        id: 'sbom-no-critical',
        title: 'No critical or high vulnerabilities',
        category: 'security',
        level: 'gold',
        weight: 5,
        status: 'fail',
        reason: 'SBOM lists 2 high vulnerabilities (allowed: 0)',
        facts: {
          'evidence.sbom.vulnerabilities.high': 2,
          'evidence.sbom.vulnerabilities.critical': 0,
        },
        evidence: [HASH_SBOM],
        remediation: {
          text: 'Upgrade the affected dependencies and push a new SBOM.',
          url: 'https://docs.example/sbom',
        },
        controls: ['SOC2:CC7.1'],
      }),
      check({
        id: 'signatures',
        title: 'Artifacts signed',
        category: 'security',
        level: 'silver',
        weight: 2,
        status: 'pass',
        reason: 'signature present',
        facts: { 'evidence.signature.present': true },
        evidence: [HASH_SIGN],
      }),
      check({
        id: 'dashboard',
        title: 'Dashboard present',
        category: 'observability',
        level: 'silver',
        status: 'unknown',
        reason: 'annotation grafana/dashboard-selector is missing',
        facts: { 'entity.annotations.grafana/dashboard-selector': null },
        remediation: { text: 'Add the dashboard annotation.' },
      }),
      check({
        id: 'owner',
        title: 'Owner set',
        category: 'ownership',
        status: 'pass',
        reason: 'owner is group:default/payments-team',
        facts: { 'entity.owner': 'group:default/payments-team' },
      }),
    ],
  };
}

export function history(): HistoryPoint[] {
  return [
    {
      day: '2026-11-28',
      score: 60,
      level: 'bronze',
      pass: 3,
      fail: 2,
      warn: 0,
      unknown: 0,
      waived: 0,
    },
    {
      day: '2026-11-30',
      score: 82.5,
      level: 'silver',
      pass: 3,
      fail: 1,
      warn: 0,
      unknown: 1,
      waived: 0,
    },
  ];
}

/**
 * A stateful fake of the entity routes of the scorecards backend: waivers
 * can be requested and approved (by someone else), and an approval
 * recomputes the result, as the real backend does.
 */
export class FakeEntityBackend {
  result = serviceBResult();
  waivers: Waiver[] = [];
  historyPoints = history();
  requests: Array<{ method: string; url: string; body?: unknown }> = [];
  /** the user the backend sees as the caller */
  caller = GUEST;

  handlers() {
    const entity = `${BASE_URL}/v1/entities/:kind/:namespace/:name`;
    return [
      http.get(entity, () => HttpResponse.json(this.result)),
      http.get(`${entity}/history`, () =>
        HttpResponse.json({ entityRef: SERVICE_B, points: this.historyPoints }),
      ),
      http.post(`${entity}/refresh`, ({ request }) => {
        this.requests.push({ method: 'POST', url: request.url });
        this.result = {
          ...this.result,
          computedAt: '2026-11-30T08:00:00.000Z',
          score: 85,
        };
        return HttpResponse.json(this.result);
      }),
      http.get(`${entity}/waivers`, () =>
        HttpResponse.json({ items: this.waivers }),
      ),
      http.post(`${entity}/waivers`, async ({ request }) => {
        const body = (await request.json()) as Record<string, string>;
        this.requests.push({ method: 'POST', url: request.url, body });
        if (!body.reason || body.reason.length < 10) {
          return errorResponse(
            400,
            'InputError',
            'reason: must be at least 10 characters',
          );
        }
        const waiver: Waiver = {
          id: `w${this.waivers.length + 1}`,
          entityRef: SERVICE_B,
          checkId: body.checkId,
          reason: body.reason,
          expiresAt: body.expiresAt,
          status: 'pending',
          requestedBy: this.caller,
          requestedAt: '2026-11-30T08:00:00.000Z',
        };
        this.waivers.push(waiver);
        return HttpResponse.json(waiver, { status: 201 });
      }),
      http.post(`${BASE_URL}/v1/waivers/:id/approve`, ({ params, request }) => {
        this.requests.push({ method: 'POST', url: request.url });
        const w = this.waivers.find(x => x.id === params.id);
        if (!w) return errorResponse(404, 'NotFoundError', 'no such waiver');
        if (w.requestedBy === this.caller) {
          return errorResponse(
            403,
            'NotAllowedError',
            'the approver must not be the requester',
          );
        }
        Object.assign(w, {
          status: 'approved',
          decidedBy: this.caller,
          decidedAt: '2026-11-30T08:05:00.000Z',
          evidenceHash: 'd'.repeat(64),
        });
        this.result = {
          ...this.result,
          level: 'gold',
          score: 100,
          checks: this.result.checks.map(c =>
            c.id === w.checkId
              ? {
                  ...c,
                  status: 'waived',
                  reason: `waived until ${w.expiresAt}`,
                  waiver: w,
                }
              : c,
          ),
        };
        return HttpResponse.json(w);
      }),
      http.post(`${BASE_URL}/v1/waivers/:id/reject`, ({ params }) => {
        const w = this.waivers.find(x => x.id === params.id)!;
        Object.assign(w, { status: 'rejected', decidedBy: this.caller });
        return HttpResponse.json(w);
      }),
    ];
  }
}

const TEAMS = ['group:default/payments-team', 'group:default/platform-team'];
const LEVEL_CYCLE = ['gold', 'silver', 'bronze', 'none'] as const;

/** 60 entities over two teams and two systems. */
export function overviewRows(): OverviewRow[] {
  return Array.from({ length: 60 }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    const level = LEVEL_CYCLE[i % 4];
    return {
      entityRef: `component:default/svc-${n}`,
      kind: i % 10 === 9 ? 'API' : 'Component',
      title: `svc-${n}`,
      owner: TEAMS[i % 2],
      system: i % 3 === 0 ? 'system:default/payments' : 'system:default/core',
      mode: i % 2 ? 'sandbox' : 'compliance',
      score: (i * 7) % 101,
      level,
      failing: level === 'gold' ? 0 : 4 - LEVEL_CYCLE.indexOf(level),
      failingChecks:
        level === 'gold' ? [] : ['sbom-no-critical', 'dashboard'].slice(0, 2),
      computedAt: '2026-11-30T07:00:00.000Z',
    };
  });
}

const LEVEL_RANK = { none: 0, bronze: 1, silver: 2, gold: 3 };

/**
 * The overview routes over `rows`: filtering, sorting and paging happen
 * here, as on the server; every overview request is recorded.
 */
export function overviewHandlers(rows = overviewRows()) {
  const seen: URLSearchParams[] = [];
  const exports: URLSearchParams[] = [];
  const select = (p: URLSearchParams) => {
    let items = rows.filter(
      r =>
        (!p.get('q') || r.entityRef.includes(p.get('q')!.toLowerCase())) &&
        (!p.get('owner') || r.owner === p.get('owner')) &&
        (!p.get('system') || r.system === p.get('system')) &&
        (!p.get('kind') ||
          r.kind.toLowerCase() === p.get('kind')!.toLowerCase()) &&
        (!p.get('level') || r.level === p.get('level')),
    );
    const orderBy = (p.get('orderBy') ?? 'entityRef') as keyof OverviewRow;
    const dir = p.get('order') === 'desc' ? -1 : 1;
    const key = (r: OverviewRow) =>
      orderBy === 'level' ? LEVEL_RANK[r.level] : (r[orderBy] as any) ?? '';
    items = [...items].sort((a, b) => {
      if (key(a) === key(b)) return 0;
      return key(a) < key(b) ? -dir : dir;
    });
    return items;
  };
  const rollups = (dim: 'owner' | 'system'): Rollup[] =>
    [...new Set(rows.map(r => r[dim]!))].map(key => {
      const mine = rows.filter(r => r[dim] === key);
      const levels = { none: 0, bronze: 0, silver: 0, gold: 0 };
      mine.forEach(r => levels[r.level]++);
      return {
        key,
        entities: mine.length,
        averageScore: mine.reduce((s, r) => s + r.score, 0) / mine.length,
        levels,
      };
    });
  const trends: TrendPoint[] = [
    {
      day: '2026-11-29',
      entities: rows.length,
      averageScore: 44,
      levels: { none: 20, bronze: 15, silver: 15, gold: 10 },
    },
    {
      day: '2026-11-30',
      entities: rows.length,
      averageScore: 50,
      levels: { none: 15, bronze: 15, silver: 15, gold: 15 },
    },
  ];
  const handlers = [
    http.get(`${BASE_URL}/v1/overview`, ({ request }) => {
      const p = new URL(request.url).searchParams;
      seen.push(p);
      const items = select(p);
      const offset = Number(p.get('offset') ?? 0);
      const limit = Number(p.get('limit') ?? 50);
      const levels = { none: 0, bronze: 0, silver: 0, gold: 0 };
      items.forEach(r => levels[r.level]++);
      return HttpResponse.json({
        items: items.slice(offset, offset + limit),
        totalCount: items.length,
        offset,
        limit,
        levels,
      });
    }),
    http.get(`${BASE_URL}/v1/overview/export`, ({ request }) => {
      const p = new URL(request.url).searchParams;
      exports.push(p);
      const lines = select(p).map(r => `${r.entityRef},${r.level},${r.score}`);
      return new HttpResponse(['entityRef,level,score', ...lines].join('\n'), {
        headers: { 'Content-Type': 'text/csv' },
      });
    }),
    http.get(`${BASE_URL}/v1/rollups/:dimension`, ({ params }) =>
      HttpResponse.json({
        dimension: params.dimension,
        items: rollups(params.dimension === 'team' ? 'owner' : 'system'),
      }),
    ),
    http.get(`${BASE_URL}/v1/trends`, () =>
      HttpResponse.json({ points: trends }),
    ),
  ];
  return { handlers, seen, exports };
}

export function controls(): Control[] {
  return [
    {
      control: 'SOC2:CC8.1',
      framework: 'SOC2',
      checks: ['coverage'],
      evidenced: [
        {
          entityRef: 'component:default/service-a',
          checkId: 'coverage',
          status: 'pass',
          reason: 'coverage 91% ≥ 70%',
          evidence: [HASH_COVERAGE],
        },
      ],
      notEvidenced: [
        {
          entityRef: SERVICE_B,
          checkId: 'coverage',
          status: 'fail',
          reason: 'coverage 41% < 70%',
          evidence: ['e'.repeat(64)],
        },
      ],
    },
    {
      control: 'GDPR:Art32',
      framework: 'GDPR',
      checks: ['mtls-strict'],
      evidenced: [],
      notEvidenced: [],
    },
  ];
}
