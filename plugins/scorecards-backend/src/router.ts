import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  EntityResult,
  OverviewQuery,
  OverviewRow,
  scorecardsEntityRefreshPermission,
  scorecardsResultReadPermission,
  scorecardsWaiverApprovePermission,
  scorecardsWaiverRequestPermission,
  toCsv,
  Waiver,
} from '@assay/plugin-scorecards-common';
import express from 'express';

type Request = express.Request<any, any, any, any>;
import { z } from 'zod';
import { ScorecardsConfig } from './config';
import { createOpenApiRouter } from './schema/openapi.generated';
import { ControlsBuilder } from './service/controls';
import { ScorecardEngine } from './service/ScorecardEngine';
import { WaiverService } from './service/WaiverService';
import { DatabaseScorecardStore } from './store/DatabaseScorecardStore';

export interface RouterOptions {
  engine: ScorecardEngine;
  waivers: WaiverService;
  store: DatabaseScorecardStore;
  config: ScorecardsConfig;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  now?: () => Date;
}

type Perm = ResourcePermission<'catalog-entity'>;

const waiverBody = z.object({
  checkId: z.string().min(1, 'required').max(128),
  reason: z
    .string()
    .trim()
    .min(10, 'give a reason of at least 10 characters')
    .max(2000),
  expiresAt: z.string().datetime({ offset: true }),
});
const decisionBody = z
  .object({ comment: z.string().max(2000).optional() })
  .optional();

function parse<S extends z.ZodTypeAny>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new InputError(`${i.path.join('.') || 'body'}: ${i.message}`);
  }
  return r.data;
}

const refOf = (p: { kind: string; namespace: string; name: string }) =>
  `${p.kind}:${p.namespace}/${p.name}`.toLowerCase();

const overviewSchema = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  q: z.string().max(200).optional(),
  owner: z.string().max(255).optional(),
  system: z.string().max(255).optional(),
  domain: z.string().max(255).optional(),
  kind: z.string().max(64).optional(),
  level: z.enum(['none', 'bronze', 'silver', 'gold']).optional(),
  mode: z.enum(['sandbox', 'compliance']).optional(),
  failingCheck: z.string().max(128).optional(),
  orderBy: z
    .enum([
      'entityRef',
      'owner',
      'system',
      'kind',
      'level',
      'score',
      'failing',
      'computedAt',
    ])
    .default('entityRef'),
  order: z.enum(['asc', 'desc']).default('asc'),
});

function overviewQuery(query: Record<string, unknown>): OverviewQuery {
  const cleaned = Object.fromEntries(
    Object.entries(query).filter(([, v]) => v !== ''),
  );
  return parse(overviewSchema, cleaned);
}

const daysSchema = z.object({
  days: z.coerce.number().int().min(1).max(3650).default(90),
});

const sinceDay = (now: Date, days: number) =>
  new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);

/** The scorecards API (see src/schema/openapi.yaml). */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { engine, waivers, store, config, httpAuth, permissions, auditor } =
    options;
  const now = () => options.now?.() ?? new Date();
  const router = await createOpenApiRouter();

  async function authorize(
    req: Request,
    permission: Perm,
    entityRef: string,
  ): Promise<BackstageCredentials> {
    const credentials = await httpAuth.credentials(req);
    const [d] = await permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials },
    );
    if (d.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `not allowed: ${permission.name} on ${entityRef}`,
      );
    }
    return credentials;
  }

  /** Entity refs (of `refs`) the caller may read. */
  async function readable(req: Request, refs: string[]): Promise<Set<string>> {
    const credentials = await httpAuth.credentials(req);
    const [d] = await permissions.authorizeConditional(
      [{ permission: scorecardsResultReadPermission }],
      { credentials },
    );
    if (d.result === AuthorizeResult.ALLOW) return new Set(refs);
    if (d.result === AuthorizeResult.DENY) {
      throw new NotAllowedError(
        `not allowed: ${scorecardsResultReadPermission.name}`,
      );
    }
    const unique = [...new Set(refs)];
    const out = new Set<string>();
    for (let i = 0; i < unique.length; i += 250) {
      const chunk = unique.slice(i, i + 250);
      const ds = await permissions.authorize(
        chunk.map(resourceRef => ({
          permission: scorecardsResultReadPermission,
          resourceRef,
        })),
        { credentials },
      );
      ds.forEach((x, j) => {
        if (x.result === AuthorizeResult.ALLOW) out.add(chunk[j]);
      });
    }
    return out;
  }

  /** Platform-wide views need read on every entity (an unconditional ALLOW). */
  async function authorizeAll(req: Request) {
    const credentials = await httpAuth.credentials(req);
    const [d] = await permissions.authorizeConditional(
      [{ permission: scorecardsResultReadPermission }],
      { credentials },
    );
    if (d.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `not allowed: ${scorecardsResultReadPermission.name} on every entity is needed for platform-wide views`,
      );
    }
  }

  async function audited<T>(
    req: Request,
    eventId: string,
    meta: Record<string, unknown>,
    fn: () => Promise<T>,
  ): Promise<T> {
    const event = await auditor.createEvent({
      eventId,
      request: req,
      severityLevel: 'medium',
      meta: meta as any,
    });
    try {
      const out = await fn();
      await event.success();
      return out;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  function userRef(credentials: BackstageCredentials): string {
    const p = credentials.principal as {
      type?: string;
      userEntityRef?: string;
    };
    if (p.type !== 'user' || !p.userEntityRef) {
      throw new NotAllowedError(
        'waivers are requested and decided by people (a user token is needed)',
      );
    }
    return p.userEntityRef;
  }

  /** The stored result, recomputed when missing or when a waiver it used has expired. */
  async function currentResult(ref: string): Promise<EntityResult> {
    const stored = await store.getResult(ref);
    const at = now().toISOString();
    if (
      stored &&
      !stored.checks.some(c => c.waiver && c.waiver.expiresAt <= at)
    ) {
      return stored;
    }
    const fresh = await engine.refreshEntity(ref);
    if (!fresh) throw new NotFoundError(`no entity '${ref}' with a scorecard`);
    return fresh;
  }

  router.get('/v1/checks', async (req, res) => {
    await httpAuth.credentials(req);
    res.json({
      items: config.checks.map(({ rule, appliesTo, maxAgeDays, ...c }) => c),
    } as any);
  });

  // content-addressed check definitions (the ones compliance records name
  // by digest): stored once per set, immutable
  router.get('/v1/check-sets/:digest', async (req, res) => {
    await httpAuth.credentials(req);
    const { digest } = req.params;
    if (!/^[0-9a-f]{64}$/.test(digest)) {
      throw new InputError(
        'digest: must be 64 lower-case hex characters (SHA-256)',
      );
    }
    const checks = await store.getCheckSet(digest);
    if (!checks) throw new NotFoundError(`no check set ${digest}`);
    res.setHeader('cache-control', 'private, max-age=31536000, immutable');
    res.json({ digest, checks } as any);
  });

  router.get('/v1/entities/:kind/:namespace/:name', async (req, res) => {
    const ref = refOf(req.params);
    await authorize(req, scorecardsResultReadPermission, ref);
    res.json((await currentResult(ref)) as any);
  });

  router.get(
    '/v1/entities/:kind/:namespace/:name/history',
    async (req, res) => {
      const ref = refOf(req.params);
      await authorize(req, scorecardsResultReadPermission, ref);
      const { days } = parse(daysSchema, req.query);
      res.json({
        entityRef: ref,
        points: await store.history(ref, sinceDay(now(), days)),
      } as any);
    },
  );

  router.post(
    '/v1/entities/:kind/:namespace/:name/refresh',
    async (req, res) => {
      const ref = refOf(req.params);
      await authorize(req, scorecardsEntityRefreshPermission, ref);
      const result = await audited(
        req,
        'scorecards-refresh',
        { entityRef: ref },
        async () => {
          const r = await engine.refreshEntity(ref);
          if (!r)
            throw new NotFoundError(`no entity '${ref}' with a scorecard`);
          return r;
        },
      );
      res.json(result as any);
    },
  );

  router.get(
    '/v1/entities/:kind/:namespace/:name/waivers',
    async (req, res) => {
      const ref = refOf(req.params);
      await authorize(req, scorecardsResultReadPermission, ref);
      res.json({
        items: await store.listWaivers({
          entityRef: ref,
          now: now().toISOString(),
        }),
      } as any);
    },
  );

  router.post(
    '/v1/entities/:kind/:namespace/:name/waivers',
    async (req, res) => {
      const ref = refOf(req.params);
      const credentials = await authorize(
        req,
        scorecardsWaiverRequestPermission,
        ref,
      );
      const requestedBy = userRef(credentials);
      const body = parse(waiverBody, req.body);
      const result = await currentResult(ref);
      const waiver = await audited(
        req,
        'scorecards-waiver-request',
        { entityRef: ref, checkId: body.checkId },
        () =>
          waivers.request({
            ...body,
            entityRef: ref,
            mode: result.mode,
            requestedBy,
          }),
      );
      res.status(201).json(waiver as any);
    },
  );

  router.get('/v1/waivers', async (req, res) => {
    const status = req.query.status as Waiver['status'] | undefined;
    const entityRef =
      typeof req.query.entityRef === 'string'
        ? req.query.entityRef.toLowerCase()
        : undefined;
    const items = await store.listWaivers({
      status,
      entityRef,
      now: now().toISOString(),
    });
    const ok = await readable(
      req,
      items.map(w => w.entityRef),
    );
    res.json({
      items: items
        .filter(w => ok.has(w.entityRef))
        .map(({ comment, ...w }) => w),
    } as any);
  });

  const decide =
    (decision: 'approved' | 'rejected') =>
    async (req: Request, res: express.Response) => {
      const existing = await waivers.get(String(req.params.id));
      const credentials = await authorize(
        req,
        scorecardsWaiverApprovePermission,
        existing.entityRef,
      );
      const decidedBy = userRef(credentials);
      const body = parse(decisionBody, req.body);
      const waiver = await audited(
        req,
        `scorecards-waiver-${decision === 'approved' ? 'approve' : 'reject'}`,
        { waiverId: existing.id, entityRef: existing.entityRef },
        () =>
          waivers.decide({
            id: existing.id,
            decision,
            decidedBy,
            comment: body?.comment,
          }),
      );
      await engine.refreshEntity(existing.entityRef);
      res.json(waiver as any);
    };
  router.post('/v1/waivers/:id/approve', decide('approved') as any);
  router.post('/v1/waivers/:id/reject', decide('rejected') as any);

  async function overviewFor(req: Request, q: OverviewQuery) {
    const credentials = await httpAuth.credentials(req);
    const [d] = await permissions.authorizeConditional(
      [{ permission: scorecardsResultReadPermission }],
      { credentials },
    );
    if (d.result === AuthorizeResult.ALLOW) return store.overview(q);
    const rows = await store.overviewAll(q);
    const ok = await readable(
      req,
      rows.map(r => r.entityRef),
    );
    const visible = rows.filter(r => ok.has(r.entityRef));
    const levels = { none: 0, bronze: 0, silver: 0, gold: 0 };
    for (const r of visible) levels[r.level] += 1;
    const offset = q.offset ?? 0;
    const limit = q.limit ?? 50;
    return {
      items: visible.slice(offset, offset + limit),
      totalCount: visible.length,
      offset,
      limit,
      levels,
    };
  }

  router.get('/v1/overview', async (req, res) => {
    res.json((await overviewFor(req, overviewQuery(req.query))) as any);
  });

  router.get('/v1/overview/export', async (req, res) => {
    const q = overviewQuery(req.query);
    const rows: OverviewRow[] = await store.overviewAll(q);
    const ok = await readable(
      req,
      rows.map(r => r.entityRef),
    );
    const csv = toCsv(
      [
        'entityRef',
        'title',
        'kind',
        'owner',
        'system',
        'domain',
        'mode',
        'level',
        'score',
        'failing',
        'failingChecks',
        'computedAt',
      ],
      rows
        .filter(r => ok.has(r.entityRef))
        .map(r => [
          r.entityRef,
          r.title,
          r.kind,
          r.owner,
          r.system,
          r.domain,
          r.mode,
          r.level,
          r.score,
          r.failing,
          r.failingChecks.join(' '),
          r.computedAt,
        ]),
    );
    res
      .type('text/csv')
      .setHeader(
        'Content-Disposition',
        'attachment; filename="scorecards.csv"',
      );
    (res as express.Response).send(csv);
  });

  router.get('/v1/rollups/:dimension', async (req, res) => {
    await authorizeAll(req);
    const dimension = req.params.dimension as 'team' | 'system' | 'domain';
    res.json({ dimension, items: await store.rollups(dimension) } as any);
  });

  router.get('/v1/trends', async (req, res) => {
    await authorizeAll(req);
    const { days } = parse(daysSchema, req.query);
    const owner =
      typeof req.query.owner === 'string' ? req.query.owner : undefined;
    res.json({
      points: await store.trends(sinceDay(now(), days), owner),
    } as any);
  });

  async function controls(req: Request) {
    await authorizeAll(req);
    const framework =
      typeof req.query.framework === 'string' ? req.query.framework : undefined;
    const builder = new ControlsBuilder(config.checks, framework);
    for await (const r of store.allResults()) builder.add(r);
    return builder.controls();
  }

  router.get('/v1/controls', async (req, res) => {
    res.json({ items: await controls(req) } as any);
  });

  router.get('/v1/controls/export', async (req, res) => {
    const items = await controls(req);
    const stamp = now().toISOString();
    if (req.query.format === 'json') {
      res.setHeader(
        'Content-Disposition',
        'attachment; filename="controls.json"',
      );
      res.json({ generatedAt: stamp, items } as any);
      return;
    }
    res
      .type('text/csv')
      .setHeader('Content-Disposition', 'attachment; filename="controls.csv"');
    (res as express.Response).send(ControlsBuilder.toCsv(items));
  });

  return router as unknown as express.Router;
}
