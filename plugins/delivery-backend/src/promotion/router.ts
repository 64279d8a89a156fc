import {
  AuditorService,
  AuthService,
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
  promotionApprovePermission,
  promotionPromotePermission,
  promotionReadPermission,
  promotionRollbackPermission,
} from '@assay/plugin-delivery-common';
import { normalizeEntityRef } from '@assay/plugin-evidence-common';
import express from 'express';
import {
  actorOf as actorOfCredentials,
  audited as auditedEvent,
  entityRefOf,
} from '../service/routeHelpers';
import { z } from 'zod';
import { DefaultPromotionService } from './DefaultPromotionService';

type Request = express.Request<any, any, any, any>;

export interface PromotionRouterOptions {
  service: DefaultPromotionService;
  providerName: string;
  httpAuth: HttpAuthService;
  auth: AuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}

/** zod error → InputError naming the field. */
function zodInputError(e: z.ZodError, field = 'body'): InputError {
  const i = e.issues[0];
  const path = i.path.length ? i.path.join('.') : field;
  return new InputError(`${path}: ${i.message}`);
}

/** Parses a request body, or (with `field`) one named value such as a path parameter. */
function parse<T>(schema: z.ZodType<T>, body: unknown, field?: string): T {
  const r = schema.safeParse(field ? body : body ?? {});
  if (!r.success) throw zodInputError(r.error, field);
  return r.data;
}

const hashOrLatest = z
  .string()
  .regex(/^([0-9a-f]{64}|latest)$/, 'a release hash (64 hex) or latest');
const hash = z.string().regex(/^[0-9a-f]{64}$/, 'a release hash (64 hex)');
const environment = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,62})$/, 'an environment name');
const digest = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 lowercase hex>');

const schemas = {
  release: z
    .object({
      version: z
        .string()
        .min(1)
        .max(128)
        .regex(
          /^[A-Za-z0-9][A-Za-z0-9._+-]*$/,
          'a version (letters, digits, . _ + -)',
        ),
      artifacts: z
        .array(
          z
            .object({
              name: z.string().min(1).max(200),
              kind: z.enum([
                'image',
                'dashboard',
                'alert-rules',
                'config',
                'other',
              ]),
              digest,
            })
            .strict(),
        )
        .max(50),
    })
    .strict(),
  preview: z
    .object({
      environment,
      releaseHash: hashOrLatest.optional(),
      kind: z.enum(['promotion', 'rollback']).optional(),
    })
    .strict(),
  promote: z
    .object({
      environment,
      releaseHash: hashOrLatest,
      // no planId: plans promote through the service, never through this body
    })
    .strict(),
  rollback: z
    .object({
      environment,
      releaseHash: hash,
      reason: z.string().max(1000).optional(),
    })
    .strict(),
  approve: z.object({ comment: z.string().max(2000).optional() }).strict(),
  cancel: z.object({ reason: z.string().max(1000).optional() }).strict(),
};

/** The promotion routes (`/v1/promotion/*`), mounted on the delivery router. */
export function registerPromotionRoutes(
  router: express.Router,
  options: PromotionRouterOptions,
) {
  const { service, httpAuth, auth, permissions, auditor } = options;

  type Principal = 'user' | 'service';
  /** Reads accept service credentials; acting on a promotion needs a person. */
  const USER_ONLY: Principal[] = ['user'];

  async function credentialsOf(
    req: Request,
    allow: Principal[] = ['user', 'service'],
  ) {
    return httpAuth.credentials(req, { allow });
  }

  async function allowed(
    credentials: BackstageCredentials,
    permission: ResourcePermission<'catalog-entity'>,
    entityRef: string,
  ) {
    const [d] = await permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials },
    );
    return d.result === AuthorizeResult.ALLOW;
  }

  async function authorize(
    req: Request,
    permission: ResourcePermission<'catalog-entity'>,
    entityRef: string,
    allow?: Principal[],
  ): Promise<BackstageCredentials> {
    const credentials = await credentialsOf(req, allow);
    if (!(await allowed(credentials, permission, entityRef))) {
      throw new NotAllowedError(
        `You are not allowed to ${permission.name
          .split('.')
          .pop()} promotions of ${entityRef} (${permission.name})`,
      );
    }
    return credentials;
  }

  const actorOf = (c: BackstageCredentials) => actorOfCredentials(auth, c);

  const audited = <T>(
    req: Request,
    eventId: string,
    meta: Record<string, any>,
    fn: () => Promise<T>,
  ) => auditedEvent(auditor, req, eventId, meta, fn);

  /** A promotion by id, authorized on its entity; 404 for both unknown and unreadable. */
  async function promotionFor(
    req: Request,
    permission: ResourcePermission<'catalog-entity'>,
    allow?: Principal[],
  ) {
    const credentials = await credentialsOf(req, allow);
    const p = await service.get(String(req.params.id));
    if (
      !p ||
      !(await allowed(credentials, promotionReadPermission, p.entityRef))
    ) {
      throw new NotFoundError(`No promotion ${req.params.id}`);
    }
    if (
      permission !== promotionReadPermission &&
      !(await allowed(credentials, permission, p.entityRef))
    ) {
      throw new NotAllowedError(
        `You are not allowed to ${permission.name
          .split('.')
          .pop()} promotions of ${p.entityRef} (${permission.name})`,
      );
    }
    return { credentials, promotion: p };
  }

  const base = '/v1/promotion/entities/:kind/:namespace/:name';

  router.get(base, async (req: Request, res) => {
    const entityRef = entityRefOf(req);
    const credentials = await authorize(
      req,
      promotionReadPermission,
      entityRef,
    );
    const { mode, environments } = await service.environments(entityRef);
    const [releases, deployments, actives, decisions] = await Promise.all([
      service.listReleases(entityRef, 20),
      Promise.all(
        environments.map(e => service.deployedRelease(entityRef, e.name)),
      ),
      Promise.all(
        environments.map(e => service.activePromotion(entityRef, e.name)),
      ),
      permissions.authorize(
        [
          promotionPromotePermission,
          promotionApprovePermission,
          promotionRollbackPermission,
        ].map(permission => ({ permission, resourceRef: entityRef })),
        { credentials },
      ),
    ]);
    res.json({
      entityRef,
      mode,
      provider: options.providerName,
      environments: environments.map((e, i) => ({
        ...e,
        deployed: deployments[i],
        active: actives[i] ?? null,
      })),
      releases,
      permissions: {
        promote: decisions[0].result === AuthorizeResult.ALLOW,
        approve: decisions[1].result === AuthorizeResult.ALLOW,
        rollback: decisions[2].result === AuthorizeResult.ALLOW,
      },
    });
  });

  router.post(`${base}/releases`, async (req: Request, res) => {
    const entityRef = entityRefOf(req);
    const credentials = await authorize(
      req,
      promotionPromotePermission,
      entityRef,
    );
    const body = parse(schemas.release, req.body);
    const release = await audited(
      req,
      'delivery-release-create',
      { entityRef, version: body.version },
      () => service.createRelease(entityRef, body, actorOf(credentials)),
    );
    res.status(201).json(release);
  });

  router.get(`${base}/releases/:hash/verify`, async (req: Request, res) => {
    const entityRef = entityRefOf(req);
    await authorize(req, promotionReadPermission, entityRef);
    const h = parse(hash, req.params.hash, 'hash');
    res.json(await service.verifyRelease(entityRef, h));
  });

  router.post(`${base}/preview`, async (req: Request, res) => {
    const entityRef = entityRefOf(req);
    const credentials = await authorize(
      req,
      promotionReadPermission,
      entityRef,
    );
    const body = parse(schemas.preview, req.body);
    const actor = actorOf(credentials);
    const preview =
      body.kind === 'rollback'
        ? await (async () => {
            if (body.releaseHash === undefined) {
              throw new InputError(
                'releaseHash: a rollback preview needs the hash (64 hex) of the release to roll back to',
              );
            }
            const release = await service.rollbackTarget(
              entityRef,
              body.environment,
              parse(hash, body.releaseHash, 'releaseHash'),
            );
            const r = await service.evaluate(
              entityRef,
              body.environment,
              release,
              actor,
              [],
              'rollback',
            );
            return { ...r, release };
          })()
        : await service.preview(
            entityRef,
            body.environment,
            body.releaseHash ?? 'latest',
            actor,
          );
    res.json({ ...preview, approvals: [] });
  });

  router.post(`${base}/promotions`, async (req: Request, res) => {
    const entityRef = entityRefOf(req);
    const credentials = await authorize(
      req,
      promotionPromotePermission,
      entityRef,
      USER_ONLY,
    );
    const body = parse(schemas.promote, req.body);
    const promotion = await audited(
      req,
      'delivery-promotion-start',
      { entityRef, environment: body.environment, release: body.releaseHash },
      () =>
        service.promote(
          entityRef,
          body.environment,
          body.releaseHash,
          actorOf(credentials),
        ),
    );
    res.status(201).json(promotion);
  });

  router.post(`${base}/rollback`, async (req: Request, res) => {
    const entityRef = entityRefOf(req);
    const credentials = await authorize(
      req,
      promotionRollbackPermission,
      entityRef,
      USER_ONLY,
    );
    const body = parse(schemas.rollback, req.body);
    const promotion = await audited(
      req,
      'delivery-promotion-rollback',
      { entityRef, environment: body.environment, release: body.releaseHash },
      () =>
        service.rollback(
          entityRef,
          body.environment,
          body.releaseHash,
          actorOf(credentials),
          { reason: body.reason },
        ),
    );
    res.status(201).json(promotion);
  });

  router.get(`${base}/history`, async (req: Request, res) => {
    const entityRef = entityRefOf(req);
    await authorize(req, promotionReadPermission, entityRef);
    const limit = req.query.limit === undefined ? 20 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new InputError('limit: an integer 1..100');
    }
    const cursor =
      typeof req.query.cursor === 'string' && req.query.cursor
        ? req.query.cursor
        : undefined;
    if (cursor && !/^[0-9T:.Z-]{10,40}\|[0-9a-f-]{1,64}$/.test(cursor)) {
      throw new InputError('cursor: not a cursor of this list');
    }
    res.json(await service.history(entityRef, { limit, cursor }));
  });

  router.get('/v1/promotion/promotions/:id', async (req: Request, res) => {
    const { promotion } = await promotionFor(req, promotionReadPermission);
    res.json(promotion);
  });

  router.post(
    '/v1/promotion/promotions/:id/approvals',
    async (req: Request, res) => {
      const { credentials, promotion } = await promotionFor(
        req,
        promotionApprovePermission,
        USER_ONLY,
      );
      const body = parse(schemas.approve, req.body);
      const result = await audited(
        req,
        'delivery-promotion-approve',
        { entityRef: promotion.entityRef, promotionId: promotion.id },
        () => service.approve(promotion.id, actorOf(credentials), body.comment),
      );
      res.status(201).json(result);
    },
  );

  router.post(
    '/v1/promotion/promotions/:id/cancel',
    async (req: Request, res) => {
      const { credentials, promotion } = await promotionFor(
        req,
        promotionPromotePermission,
        USER_ONLY,
      );
      const body = parse(schemas.cancel, req.body);
      const result = await audited(
        req,
        'delivery-promotion-cancel',
        { entityRef: promotion.entityRef, promotionId: promotion.id },
        () => service.cancel(promotion.id, actorOf(credentials), body.reason),
      );
      res.json(result);
    },
  );

  router.get('/v1/promotion/kpis', async (req: Request, res) => {
    const credentials = await credentialsOf(req);
    let entityRef: string | undefined;
    if (typeof req.query.entityRef === 'string' && req.query.entityRef) {
      try {
        entityRef = normalizeEntityRef(req.query.entityRef);
      } catch (e) {
        throw new InputError(`entityRef: ${(e as Error).message}`);
      }
    }
    const owner =
      typeof req.query.owner === 'string' && req.query.owner
        ? req.query.owner
        : undefined;
    res.json(
      await service.kpis({
        entityRef,
        owner,
        readable: async refs => {
          if (!refs.length) return new Set();
          const ds = await permissions.authorize(
            refs.map(resourceRef => ({
              permission: promotionReadPermission,
              resourceRef,
            })),
            { credentials },
          );
          return new Set(
            refs.filter((_, i) => ds[i].result === AuthorizeResult.ALLOW),
          );
        },
      }),
    );
  });
}
