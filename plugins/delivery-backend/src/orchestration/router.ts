import {
  AuditorService,
  AuthService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  promotionPromotePermission,
  promotionReadPermission,
} from '@assay/plugin-delivery-common';
import express from 'express';
import {
  actorOf as actorOfCredentials,
  audited as auditedEvent,
} from '../service/routeHelpers';
import { normalizeRefs } from './graph';
import { PlanService } from './PlanService';

type Request = express.Request<any, any, any, any>;

export interface PlanRoutesOptions {
  plans: PlanService;
  httpAuth: HttpAuthService;
  auth: AuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}

/** 400 naming the first field the schema does not know. */
function refuseUnknown(body: unknown, known: string[]) {
  if (!body || typeof body !== 'object') return;
  const unknown = Object.keys(body).find(k => !known.includes(k));
  if (unknown) {
    throw new InputError(
      `${unknown}: unknown field (allowed: ${known.join(', ')})`,
    );
  }
}

const encodeCursor = (p: { createdAt: string; id: string }) =>
  Buffer.from(`${p.createdAt}|${p.id}`, 'utf8').toString('base64url');

function decodeCursor(raw: unknown) {
  if (raw === undefined) return undefined;
  const text = Buffer.from(String(raw), 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  if (bar < 1 || Number.isNaN(Date.parse(text.slice(0, bar)))) {
    throw new InputError('cursor: not a cursor this API returned');
  }
  return { createdAt: text.slice(0, bar), id: text.slice(bar + 1) };
}

/**
 * The `/v1/promotion/plans*` routes (coordinated promotion). A plan needs
 * `delivery.promotion.promote` on every service in it (starting and aborting
 * it); reading a plan or a preview needs `delivery.promotion.read` on every
 * service. Each is authorized per entity (resourceRef) before anything is
 * revealed; a 403 names the services that were refused.
 */
export function registerPlanRoutes(
  router: express.Router,
  options: PlanRoutesOptions,
) {
  const { plans, httpAuth, auth, permissions, auditor } = options;

  /** Entity refs the caller may not `permission`. */
  async function denied(
    credentials: BackstageCredentials,
    permission: ResourcePermission<'catalog-entity'>,
    entityRefs: string[],
  ): Promise<string[]> {
    if (!entityRefs.length) return [];
    const decisions = await permissions.authorize(
      entityRefs.map(resourceRef => ({ permission, resourceRef })),
      { credentials },
    );
    return entityRefs.filter(
      (_, i) => decisions[i].result !== AuthorizeResult.ALLOW,
    );
  }

  async function authorizeAll(
    req: Request,
    permission: ResourcePermission<'catalog-entity'>,
    entityRefs: string[],
  ): Promise<BackstageCredentials> {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const refused = await denied(credentials, permission, entityRefs);
    if (refused.length) {
      const verb = permission === promotionReadPermission ? 'read' : 'promote';
      throw new NotAllowedError(
        `You are not allowed to ${verb} ${refused.join(', ')} (${
          permission.name
        }); a plan needs it on every service in it`,
      );
    }
    return credentials;
  }

  const actorOf = (c: BackstageCredentials) => actorOfCredentials(auth, c);

  function planBody(req: Request) {
    refuseUnknown(req.body, ['entityRefs', 'environment']);
    const entityRefs = normalizeRefs(req.body?.entityRefs);
    if (typeof req.body?.environment !== 'string') {
      throw new InputError('environment: required (an environment name)');
    }
    return { entityRefs, environment: req.body.environment as string };
  }

  const audited = <T>(
    req: Request,
    eventId: string,
    meta: Record<string, any>,
    fn: () => Promise<T>,
  ) => auditedEvent(auditor, req, eventId, meta, fn);

  router.post('/v1/promotion/plans/preview', async (req: Request, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] }); // 401 first
    const body = planBody(req);
    const credentials = await authorizeAll(
      req,
      promotionReadPermission,
      body.entityRefs,
    );
    res.json(
      await plans.preview({
        ...body,
        actor: actorOf(credentials),
        credentials,
      }),
    );
  });

  router.post('/v1/promotion/plans', async (req: Request, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const body = planBody(req);
    const credentials = await authorizeAll(
      req,
      promotionPromotePermission,
      body.entityRefs,
    );
    const plan = await audited(
      req,
      'delivery-promotion-plan-start',
      { entityRefs: body.entityRefs, environment: body.environment },
      () => plans.create({ ...body, actor: actorOf(credentials), credentials }),
    );
    res.status(201).json(plan);
  });

  router.get('/v1/promotion/plans', async (req: Request, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const limit = Number(req.query.limit ?? 20);
    const cursor = decodeCursor(req.query.cursor);
    const rows = await plans.store.listPlans({ limit: limit + 1, cursor });
    const page = rows.slice(0, limit);
    const refs = [...new Set(page.flatMap(p => p.graph.nodes))];
    const refused = new Set(
      await denied(credentials, promotionReadPermission, refs),
    );
    const visible = page.filter(p => !p.graph.nodes.some(r => refused.has(r)));
    res.json({
      items: await Promise.all(visible.map(p => plans.get(p.id))),
      nextCursor:
        rows.length > limit ? encodeCursor(page[page.length - 1]) : null,
    });
  });

  router.get('/v1/promotion/plans/:planId', async (req: Request, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const refs = await plans.entitiesOf(req.params.planId);
    await authorizeAll(req, promotionReadPermission, refs);
    res.json(await plans.get(req.params.planId));
  });

  router.post(
    '/v1/promotion/plans/:planId/abort',
    async (req: Request, res) => {
      await httpAuth.credentials(req, { allow: ['user', 'service'] });
      refuseUnknown(req.body, ['reason']);
      const refs = await plans.entitiesOf(req.params.planId);
      const credentials = await authorizeAll(
        req,
        promotionPromotePermission,
        refs,
      );
      const plan = await audited(
        req,
        'delivery-promotion-plan-abort',
        { planId: req.params.planId },
        () =>
          plans.abort(
            req.params.planId,
            actorOf(credentials),
            req.body?.reason ? String(req.body.reason) : undefined,
          ),
      );
      res.json(plan);
    },
  );
}
