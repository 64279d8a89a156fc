import {
  AuditorService,
  AuthService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  argoWebMetricResponse,
  CANARY_STEPS_ANNOTATION,
  CanaryStepsError,
  judge,
  judgeInputSchema,
  parseCanarySteps,
} from '@assay/plugin-delivery-common';
import { normalizeEntityRef } from '@assay/plugin-evidence-common';
import type { EvidenceService } from '@assay/plugin-evidence-node';
import express from 'express';
import {
  actorOf as actorOfCredentials,
  audited as auditedEvent,
  entityRefOf,
} from './service/routeHelpers';

/** Requests of the typed OpenAPI router (their params are typed per route). */
type Request = express.Request<any, any, any, any>;
import { z } from 'zod';
import { CanaryConfig } from './config';
import { CanaryEngine, ManualAction } from './engine/CanaryEngine';
import { buildJudgeInput, digestOf } from './engine/judgeInput';
import {
  canaryAbortPermission,
  canaryAnalyzePermission,
  canaryPausePermission,
  canaryPromotePermission,
  canaryReadPermission,
  canaryResumePermission,
  canaryStartPermission,
} from './permissions';
import { createOpenApiRouter } from './schema/openapi';
import { DefaultPromotionService } from './promotion/DefaultPromotionService';
import { registerPromotionRoutes } from './promotion/router';
import { PlanService } from './orchestration/PlanService';
import { registerPlanRoutes } from './orchestration/router';
import { toDetail, toSummary } from './service/present';

export interface RouterOptions {
  engine: CanaryEngine;
  config: CanaryConfig;
  httpAuth: HttpAuthService;
  auth: AuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  evidence: EvidenceService;
  logger: LoggerService;
  /** Promotion routes (`/v1/promotion/*`, src/promotion/router.ts). */
  promotion?: { service: DefaultPromotionService; providerName: string };
  /** Coordinated promotion routes (`/v1/promotion/plans*`, src/orchestration/router.ts). */
  plans?: PlanService;
}

/** zod error → InputError naming the field. */
function zodInputError(e: z.ZodError): InputError {
  const i = e.issues[0];
  const path = i.path.length ? i.path.join('.') : 'body';
  return new InputError(`${path}: ${i.message}`);
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

const ACTIONS: Record<ManualAction, ResourcePermission<'catalog-entity'>> = {
  pause: canaryPausePermission,
  resume: canaryResumePermission,
  abort: canaryAbortPermission,
  promote: canaryPromotePermission,
};

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { engine, config, httpAuth, auth, permissions, auditor, catalog } =
    options;
  const store = engine.store;
  const router = await createOpenApiRouter({
    middleware: [
      // an action POST without a body (no content type) means `{}`
      (req, _res, next) => {
        if (
          req.method === 'POST' &&
          !req.headers['content-type'] &&
          !Number(req.headers['content-length'] ?? 0)
        ) {
          req.headers['content-type'] = 'application/json';
        }
        next();
      },
      express.json({ limit: '10mb' }),
    ],
  });

  async function authorize(
    req: Request,
    permission: ResourcePermission<'catalog-entity'>,
    entityRef: string,
  ): Promise<BackstageCredentials> {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `You are not allowed to ${permission.name
          .split('.')
          .pop()} canaries of ${entityRef} (${permission.name})`,
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

  async function detailOf(runId: string, entityRef: string) {
    const run = await store.getRun(runId);
    if (!run || run.entityRef !== entityRef) {
      throw new NotFoundError(`No canary run ${runId} for ${entityRef}`);
    }
    const [analyses, events] = await Promise.all([
      store.analyses(run.id),
      store.events(run.id),
    ]);
    return toDetail(run, analyses, events);
  }

  async function annotationSteps(
    entityRef: string,
    credentials: BackstageCredentials,
  ) {
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    const raw = entity?.metadata.annotations?.[CANARY_STEPS_ANNOTATION];
    if (!raw) return { entity, steps: undefined };
    try {
      return { entity, steps: parseCanarySteps(raw) };
    } catch (e) {
      if (e instanceof CanaryStepsError) throw new InputError(e.message);
      throw e;
    }
  }

  router.get(
    '/v1/entities/:kind/:namespace/:name/canary/config',
    async (req, res) => {
      const entityRef = entityRefOf(req);
      const credentials = await authorize(req, canaryReadPermission, entityRef);
      const { steps } = await annotationSteps(entityRef, credentials);
      const d = config.defaults;
      res.json({
        steps: (steps ?? d.steps).map(s => s.weight),
        stepsSource: steps ? 'annotation' : 'default',
        metrics: d.metrics.map(m => ({
          name: m.name,
          group: m.group,
          unit: m.unit,
          description: m.description,
          observeOnly: Boolean(m.observeOnly),
          critical: Boolean(m.critical),
        })),
        metricsProvider: config.metricsProvider,
        trafficProvider: config.trafficProvider,
        simulationAvailable: config.metricsProvider === 'simulator',
        intervalSeconds: d.intervalSeconds,
        retries: d.retries,
        retryIntervalSeconds: d.retryIntervalSeconds,
      });
    },
  );

  router.get(
    '/v1/entities/:kind/:namespace/:name/canary/runs',
    async (req, res) => {
      const entityRef = entityRefOf(req);
      await authorize(req, canaryReadPermission, entityRef);
      const limit = Number(req.query.limit ?? 20);
      const runs = await store.listRuns(entityRef, limit);
      const active = runs.find(
        r => r.status === 'running' || r.status === 'paused',
      );
      res.json({
        items: await Promise.all(
          runs.map(async r => toSummary(r, await store.analyses(r.id))),
        ),
        activeRunId:
          active?.id ?? (await store.activeRun(entityRef))?.id ?? null,
      });
    },
  );

  router.post(
    '/v1/entities/:kind/:namespace/:name/canary/runs',
    async (req, res) => {
      const entityRef = entityRefOf(req);
      const credentials = await authorize(
        req,
        canaryStartPermission,
        entityRef,
      );
      refuseUnknown(req.body, [
        'version',
        'baselineVersion',
        'steps',
        'metrics',
        'simulation',
      ]);
      const { entity, steps } = await annotationSteps(entityRef, credentials);
      if (!entity)
        throw new NotFoundError(`No entity ${entityRef} in the catalog`);
      const body = req.body;
      const runConfig = engine.runConfig(
        { steps: body.steps, metrics: body.metrics },
        steps,
      );
      const actor = actorOf(credentials);
      const run = await audited(
        req,
        'delivery-canary-start',
        { entityRef, version: body.version },
        () =>
          engine.start({
            entityRef,
            version: body.version,
            baselineVersion: body.baselineVersion,
            simulation: body.simulation,
            config: runConfig,
            actor,
            annotations: entity.metadata.annotations,
          }),
      );
      res.status(201).json(await detailOf(run.id, entityRef));
    },
  );

  router.get(
    '/v1/entities/:kind/:namespace/:name/canary/runs/:runId',
    async (req, res) => {
      const entityRef = entityRefOf(req);
      await authorize(req, canaryReadPermission, entityRef);
      res.json(await detailOf(req.params.runId, entityRef));
    },
  );

  for (const action of Object.keys(ACTIONS) as ManualAction[]) {
    router.post(
      `/v1/entities/:kind/:namespace/:name/canary/runs/:runId/${action}` as any,
      async (req: Request, res: express.Response) => {
        const entityRef = entityRefOf(req);
        const credentials = await authorize(req, ACTIONS[action], entityRef);
        refuseUnknown(req.body, ['reason']);
        await detailOf(req.params.runId, entityRef); // 404 for another entity's run
        const reason = req.body?.reason;
        await audited(
          req,
          `delivery-canary-${action}`,
          { entityRef, runId: req.params.runId },
          () =>
            engine.act(req.params.runId, action, actorOf(credentials), reason),
        );
        res.json(await detailOf(req.params.runId, entityRef));
      },
    );
  }

  router.post('/v1/judge', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const parsed = judgeInputSchema.safeParse({
      ...req.body,
      thresholds: req.body?.thresholds ?? config.defaults.judge.thresholds,
    });
    if (!parsed.success) throw zodInputError(parsed.error);
    const verdict = judge(parsed.data as any);
    res.json({
      ...verdict,
      metrics: verdict.metrics.map(m => ({ ...m })),
    });
  });

  router.post('/v1/argo/analysis', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] }); // 401 first
    const body = req.body;
    let entityRef: string;
    try {
      entityRef = normalizeEntityRef(String(body.entityRef));
    } catch (e) {
      throw new InputError(`entityRef: ${(e as Error).message}`);
    }
    const credentials = await authorize(
      req,
      canaryAnalyzePermission,
      entityRef,
    );
    const thresholds = {
      ...config.defaults.judge.thresholds,
      ...(body.thresholds ?? {}),
    };
    let input;
    if (body.metrics) {
      const parsed = judgeInputSchema.safeParse({
        metrics: body.metrics,
        thresholds,
      });
      if (!parsed.success) throw zodInputError(parsed.error);
      input = parsed.data as any;
    } else {
      const end = new Date();
      const windowSeconds = body.windowSeconds ?? config.argoWindowSeconds;
      const result = await engine.metricsProvider.query({
        runId: `argo:${entityRef}:${body.canaryVersion}`,
        entityRef,
        canaryVersion: body.canaryVersion,
        baselineVersion: body.baselineVersion,
        metrics: config.defaults.metrics,
        start: new Date(end.getTime() - windowSeconds * 1000),
        end,
      });
      input = buildJudgeInput(
        { ...config.defaults, judge: { ...config.defaults.judge, thresholds } },
        result,
      );
    }
    const verdict = judge(input);
    const inputsDigest = digestOf(input);
    const actor = actorOf(credentials);
    const record = await audited(
      req,
      'delivery-canary-argo-verdict',
      { entityRef, version: body.canaryVersion },
      async () =>
        options.evidence.append(
          {
            entityRef,
            category: 'canary',
            subject: { version: String(body.canaryVersion) },
            summary: {
              decision: 'argo-verdict',
              actor,
              classification: verdict.classification,
              score: verdict.score,
              inputs: inputsDigest,
              text: `Argo Rollouts analysis of ${body.canaryVersion} vs ${body.baselineVersion}: ${verdict.classification}, score ${verdict.score}`,
            },
            payload: {
              kind: 'assay.canary.argo-verdict/v1',
              type: 'argo-verdict',
              actor,
              canaryVersion: body.canaryVersion,
              baselineVersion: body.baselineVersion,
              judgeInput: input,
              verdict,
              inputsDigest,
              inputs: [inputsDigest],
            },
          },
          { credentials: await auth.getOwnServiceCredentials() },
        ),
    );
    // delivery-common's response for Argo's successCondition (flat booleans,
    // classification, score, every metric's numbers and rule)
    res.json({
      ...argoWebMetricResponse(verdict, { evidenceHash: record.hash }),
    });
  });

  if (options.promotion) {
    registerPromotionRoutes(router as unknown as express.Router, {
      ...options.promotion,
      httpAuth,
      auth,
      permissions,
      auditor,
    });
  }

  if (options.plans) {
    registerPlanRoutes(router as unknown as express.Router, {
      plans: options.plans,
      httpAuth,
      auth,
      permissions,
      auditor,
    });
  }

  return router;
}
