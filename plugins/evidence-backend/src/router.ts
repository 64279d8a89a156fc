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
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { JsonObject } from '@backstage/types';
import express, { Request } from 'express';
import { createHash } from 'node:crypto';
import Router from 'express-promise-router';
import { z } from 'zod';
import { EvidenceConfig } from './config';
import {
  evidenceRecordCreatePermission,
  evidenceRecordReadPermission,
  evidenceRetentionBypassPermission,
  evidenceRetentionManagePermission,
} from './permissions';
import { EvidenceLog } from './service/EvidenceLog';
import { streamBundle } from './service/bundleStream';
import { incrementText } from './service/increment';
import { IntegrityAudit } from './service/IntegrityAudit';
import {
  normalizeEntityRef,
  prepareAppend,
  producerOf,
  zodInputError,
} from './service/prepare';
import {
  storedPageText,
  storedRecordText,
  toStoredRecords,
} from './service/records';
import { assertIJson, safeIntParam } from './service/inputLimits';
import {
  missingCategories,
  verifiedCategories,
} from './service/verifiedSummary';
import { ProducerScope, readProducerConfig } from './service/producers';
import { Config } from '@backstage/config';
import { registerLatestRoute } from './latestRoute';
import { allowedRefs } from './service/authorizeRefs';
import { registerRecordsBatchRoute } from './recordsBatchRoute';
import { HeadLeafProof, redactHeadLeaf } from '@assay/plugin-evidence-common';

export interface RouterOptions {
  log: EvidenceLog;
  /** the integrity audit whose state and findings `GET /v1/audit` serves */
  audit?: IntegrityAudit;
  config: EvidenceConfig;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  logger: LoggerService;
  auth: AuthService;
  /** the root config: `evidence.producers`, `evidence.pluginProducers` */
  rootConfig: Config;
}

const listQuerySchema = z.object({
  category: z.string().optional(),
  since: z.string().datetime({ offset: true }).optional(),
  until: z.string().datetime({ offset: true }).optional(),
  subject: z.string().max(256).optional(),
  // a record seq: stored as a 32-bit integer (PostgreSQL `integer`)
  cursor: z
    .string()
    .regex(/^\d{1,10}$/, 'a record sequence number')
    .refine(v => Number(v) <= 2_147_483_647, 'at most 2147483647')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  order: z.enum(['asc', 'desc']).default('desc'),
});

const intParam = safeIntParam;

/** Sends JSON text built by hand (no re-serialization, no ETag hashing). */
function sendJsonText(res: express.Response, text: string) {
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(text);
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { log, config, httpAuth, permissions, auditor, catalog } = options;
  const producers = new ProducerScope(
    readProducerConfig(options.rootConfig),
    catalog,
    options.auth,
  );
  const store = log.store;
  const router = Router();
  router.use(
    express.json({
      limit: Math.ceil(config.maxArtifactBytes * 1.4) * 4 + 1024 * 1024,
    }),
  );
  // unparseable or oversized bodies: a 4xx that says so, never a 500
  router.use(
    (
      err: any,
      _req: Request,
      _res: express.Response,
      next: express.NextFunction,
    ) => {
      if (err?.type === 'entity.parse.failed') {
        next(new InputError(`body: not valid JSON (${err.message})`));
      } else if (err?.type === 'entity.too.large') {
        next(
          new InputError(
            `body: ${err.length} bytes, over the request size limit of ${err.limit} bytes`,
          ),
        );
      } else if (err?.status >= 400 && err?.status < 500) {
        next(new InputError(`body: ${err.message}`));
      } else {
        next(err);
      }
    },
  );

  async function authorize(
    req: Request,
    permission: BasicPermission | ResourcePermission<'catalog-entity'>,
    entityRef?: string,
    /** the request's credentials, when the caller has already read them */
    known?: BackstageCredentials,
  ): Promise<BackstageCredentials> {
    const credentials =
      known ??
      (await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      }));
    const [decision] = await permissions.authorize(
      [
        entityRef && 'resourceType' in permission
          ? { permission, resourceRef: entityRef }
          : ({ permission } as any),
      ],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `You are not allowed to ${
          permission.attributes.action ?? 'use'
        } evidence${entityRef ? ` of ${entityRef}` : ''} (${permission.name})`,
      );
    }
    return credentials;
  }

  /**
   * Read access to evidence in general, before anything is looked up:
   * DENY → 403. ALLOW → `undefined`; CONDITIONAL (the caller may read the
   * evidence of some entities) → the credentials, and the caller must then
   * authorize the concrete entity and answer 404 for both "missing" and "not
   * yours", so existence is never revealed before authorization.
   */
  async function authorizeRead(
    req: Request,
  ): Promise<{ conditional: boolean; credentials: BackstageCredentials }> {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorizeConditional(
      [{ permission: evidenceRecordReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError(
        `You are not allowed to read evidence (${evidenceRecordReadPermission.name})`,
      );
    }
    return {
      conditional: decision.result === AuthorizeResult.CONDITIONAL,
      credentials,
    };
  }

  /** Of these entity refs, those whose evidence the caller may read. */
  const readableRefs = (refs: string[], credentials: BackstageCredentials) =>
    allowedRefs(permissions, evidenceRecordReadPermission, refs, credentials);

  /** A record by hash, after authorization; 404 if missing or not readable. */
  async function readableRecord(req: Request) {
    const read = await authorizeRead(req);
    const hash = String(req.params.hash).toLowerCase();
    const notFound = () =>
      new NotFoundError(`No evidence record with hash ${req.params.hash}`);
    if (!/^[0-9a-f]{64}$/.test(hash)) {
      throw new InputError('hash: 64 hex characters (SHA-256)');
    }
    const row = await store.getByHash(hash);
    if (!row) throw notFound();
    if (read.conditional) {
      const [decision] = await permissions.authorize(
        [
          {
            permission: evidenceRecordReadPermission,
            resourceRef: row.entityRef,
          },
        ],
        { credentials: read.credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) throw notFound();
    }
    return row;
  }

  /** Runs a mutating operation as an audit event. */
  async function audited<T>(
    req: Request,
    eventId: string,
    meta: JsonObject,
    fn: () => Promise<T>,
  ): Promise<T> {
    const event = await auditor.createEvent({
      eventId,
      request: req,
      severityLevel: 'medium',
      meta,
    });
    try {
      const result = await fn();
      await event.success();
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  const entityRefOf = (req: Request) =>
    normalizeEntityRef(
      `${req.params.kind}:${req.params.namespace}/${req.params.name}`,
      'path',
    );

  // the newest records of many entities in one request (latestRoute.ts)
  registerLatestRoute(router, { httpAuth, permissions, store });
  // up to 100 appends in one request, all validated first (recordsBatchRoute.ts)
  registerRecordsBatchRoute(router, {
    log,
    config,
    httpAuth,
    permissions,
    auditor,
    producers,
  });

  router.post('/v1/records', async (req, res) => {
    const prepared = log.preparing(); // group commit: its batch may wait for it
    try {
      await createRecord(req, res, prepared);
    } finally {
      prepared();
    }
  });

  async function createRecord(
    req: Request,
    res: express.Response,
    queued: () => void,
  ) {
    const caller = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    }); // 401 first
    const target = req.body?.entityRef;
    if (typeof target !== 'string') {
      throw new InputError(
        'entityRef: required, an entity ref like component:default/name',
      );
    }
    const entityRef = normalizeEntityRef(target);
    const credentials = await authorize(
      req,
      evidenceRecordCreatePermission,
      entityRef,
      caller,
    );
    // service principals: scoped by evidence.producers / pluginProducers
    const scope = await producers.forEntity(credentials, entityRef);
    const prepared = prepareAppend(req.body, {
      config,
      producer: producerOf(credentials),
      idempotencyKey: req.header('idempotency-key') ?? undefined,
    });
    await scope.check(prepared.category); // reserved categories; entity known
    const outcome = await audited(
      req,
      'evidence-append',
      { entityRef: prepared.entityRef, category: prepared.category },
      () => {
        const appended = log.append(prepared);
        queued();
        return appended;
      },
    );
    if (outcome.replayed) {
      const [stored] = await toStoredRecords([outcome.row], store, config);
      res.status(200).setHeader('Idempotent-Replayed', 'true');
      res.json(stored);
      return;
    }
    // a new record: nothing it cites is purged (its blobs were just stored),
    // the hold was read in the append's transaction
    sendJsonText(
      res.status(201),
      storedRecordText(outcome.row, config, {
        payloadPurged: false,
        legalHold: outcome.legalHold ?? false,
      }),
    );
  }

  router.get(
    '/v1/entities/:kind/:namespace/:name/records',
    async (req, res) => {
      const entityRef = entityRefOf(req);
      await authorize(req, evidenceRecordReadPermission, entityRef);
      const parsed = listQuerySchema.safeParse(req.query);
      if (!parsed.success) throw zodInputError(parsed.error);
      const q = parsed.data;
      const { rows, total, legalHold } = await store.list(entityRef, {
        categories: q.category?.split(',').filter(Boolean),
        since: q.since && new Date(q.since).toISOString(),
        until: q.until && new Date(q.until).toISOString(),
        subject: q.subject,
        afterSeq: q.cursor ? Number(q.cursor) : undefined,
        limit: q.limit,
        order: q.order,
      });
      // the stored canonical bytes are sent as the envelopes (no re-parse)
      const items = await storedPageText(rows, store, config, legalHold);
      const nextCursor =
        rows.length === q.limit ? String(rows[rows.length - 1].seq) : undefined;
      sendJsonText(
        res,
        `{"items":${items}${
          total === undefined ? '' : `,"totalCount":${total}`
        }${nextCursor === undefined ? '' : `,"nextCursor":"${nextCursor}"`}}`,
      );
    },
  );

  router.get(
    '/v1/entities/:kind/:namespace/:name/summary',
    async (req, res) => {
      const entityRef = entityRefOf(req);
      const credentials = await authorize(
        req,
        evidenceRecordReadPermission,
        entityRef,
      );
      const [stats, head, hold, entity] = await Promise.all([
        store.categoryStats(entityRef),
        store.head(entityRef),
        store.getLegalHold(entityRef),
        catalog
          .getEntityByRef(entityRef, { credentials })
          .catch(() => undefined),
      ]);
      const mode =
        entity?.metadata.annotations?.['assay.dev/compliance-mode'] ?? null;
      const required = (mode && config.requirements[mode]) || [];
      // from the verified canonical bytes, not the category/recorded_at columns
      const categories = verifiedCategories(entityRef, stats);
      const missing = missingCategories(required, categories, Date.now());
      res.json({
        entityRef,
        complianceMode: mode,
        recordCount: stats.reduce((n, s) => n + s.count, 0),
        head: head
          ? { seq: head.seq, hash: head.hash, leafIndex: head.leafIndex }
          : null,
        categories,
        requiredCategories: required.map(r => r.category),
        missing,
        legalHold: hold
          ? { reason: hold.reason, setBy: hold.setBy, setAt: hold.setAt }
          : null,
        retention: {
          mode: config.retention.mode,
          defaultYears: config.retention.defaultYears,
          rules: Object.entries(config.retention.rules).map(
            ([category, years]) => ({ category, years }),
          ),
        },
      });
    },
  );

  router.get('/v1/entities/:kind/:namespace/:name/verify', async (req, res) => {
    const entityRef = entityRefOf(req);
    await authorize(req, evidenceRecordReadPermission, entityRef);
    res.json(await log.verifyEntity(entityRef));
  });

  router.get('/v1/entities/:kind/:namespace/:name/bundle', async (req, res) => {
    const entityRef = entityRefOf(req);
    await authorize(req, evidenceRecordReadPermission, entityRef);
    await streamBundle(log, entityRef, res); // one record per line, bounded memory
  });

  // The entity's leaf in the heads tree the checkpoint at treeSize signs:
  // lets a verifier that holds only that checkpoint see whether the newest
  // records it was served are the ones the log committed to.
  router.get(
    '/v1/entities/:kind/:namespace/:name/head-proof',
    async (req, res) => {
      const entityRef = entityRefOf(req);
      const credentials = await authorize(
        req,
        evidenceRecordReadPermission,
        entityRef,
      );
      const proof = await log.headProof(
        entityRef,
        intParam('treeSize', req.query.treeSize),
      );
      // An absence proof shows the two neighbouring entities' heads. Those
      // the caller may not read are redacted to their leaf hash (which still
      // proves inclusion and adjacency, not the ordering): the caller learns
      // neither their refs nor their heads.
      const left = proof.left as HeadLeafProof | null | undefined;
      const right = proof.right as HeadLeafProof | null | undefined;
      const neighbours = [left, right].flatMap(l => (l ? [l.entityRef] : []));
      if (!proof.head && neighbours.length) {
        const readable = await readableRefs(neighbours, credentials);
        const redact = (leaf: HeadLeafProof | null | undefined) =>
          leaf && !readable.has(leaf.entityRef) ? redactHeadLeaf(leaf) : leaf;
        res.json({
          ...proof,
          left: redact(left),
          right: redact(right),
        });
        return;
      }
      res.json(proof);
    },
  );

  // A returning verifier's increment in one response (see service/increment.ts)
  router.get(
    '/v1/entities/:kind/:namespace/:name/increment',
    async (req, res) => {
      const entityRef = entityRefOf(req);
      await authorize(req, evidenceRecordReadPermission, entityRef);
      const text = await incrementText(log, entityRef, req.query);
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(text);
    },
  );

  const holdSchema = z.object({ reason: z.string().min(3).max(2000) }).strict();
  router.put(
    '/v1/entities/:kind/:namespace/:name/legal-hold',
    async (req, res) => {
      const entityRef = entityRefOf(req);
      const credentials = await authorize(
        req,
        evidenceRetentionManagePermission,
        entityRef,
      );
      assertIJson(req.body);
      const parsed = holdSchema.safeParse(req.body);
      if (!parsed.success) throw zodInputError(parsed.error);
      const hold = {
        entityRef,
        reason: parsed.data.reason,
        setBy: producerOf(credentials),
        setAt: new Date().toISOString(),
      };
      await audited(
        req,
        'evidence-legal-hold',
        { entityRef, action: 'set' },
        () => store.setLegalHold(hold),
      );
      res.json({ reason: hold.reason, setBy: hold.setBy, setAt: hold.setAt });
    },
  );

  router.delete(
    '/v1/entities/:kind/:namespace/:name/legal-hold',
    async (req, res) => {
      const entityRef = entityRefOf(req);
      await authorize(req, evidenceRetentionManagePermission, entityRef);
      const released = await audited(
        req,
        'evidence-legal-hold',
        { entityRef, action: 'release' },
        () => store.releaseLegalHold(entityRef),
      );
      if (!released)
        throw new NotFoundError(`${entityRef} is not under legal hold`);
      res.status(204).end();
    },
  );

  // reason ≤ 1024: it becomes a summary fact of the purge's compliance record
  const purgeSchema = z
    .object({
      reason: z.string().trim().min(3).max(1024),
      categories: z
        .array(
          z
            .string()
            .refine(c => config.categories.includes(c), 'unknown category'),
        )
        .min(1) // an empty list is ambiguous: omit it to purge every category
        .max(64)
        .optional(),
    })
    .strict();
  router.post('/v1/entities/:kind/:namespace/:name/purge', async (req, res) => {
    const entityRef = entityRefOf(req);
    const credentials = await authorize(
      req,
      evidenceRetentionBypassPermission,
      entityRef,
    );
    assertIJson(req.body);
    const parsed = purgeSchema.safeParse(req.body);
    if (!parsed.success) throw zodInputError(parsed.error);
    if (config.retention.mode === 'compliance') {
      throw new NotAllowedError(
        'evidence.retention.mode is compliance: nobody may purge evidence before its retention expires',
      );
    }
    if (await store.getLegalHold(entityRef)) {
      throw new NotAllowedError(
        `${entityRef} is under legal hold; release the hold before purging`,
      );
    }
    const result = await audited(
      req,
      'evidence-purge',
      { entityRef, categories: parsed.data.categories ?? null },
      async () => {
        // The early purge is itself evidence. Validated first (nothing has
        // changed if this throws); then payloads are nulled and the record
        // appended in ONE transaction: both commit or neither does.
        const prepared = prepareAppend(
          {
            entityRef,
            category: 'compliance',
            summary: {
              action: 'early-purge',
              purgedRecords: 0,
              purgedBlobs: 0,
              reason: parsed.data.reason,
            },
          },
          { config, producer: producerOf(credentials) },
        );
        const purged = { records: 0, blobs: 0 };
        const record = await log.append(prepared, async tx => {
          if (
            await tx('evidence_legal_holds')
              .where({ entity_ref: entityRef })
              .first()
          ) {
            throw new NotAllowedError(
              `${entityRef} is under legal hold; release the hold before purging`,
            );
          }
          Object.assign(
            purged,
            await store.purgeIn(tx, new Date().toISOString(), {
              entityRef,
              categories: parsed.data.categories,
              ignoreExpiry: true,
            }),
          );
          prepared.summary.purgedRecords = purged.records;
          prepared.summary.purgedBlobs = purged.blobs;
        });
        return { ...purged, recordHash: record.row.hash };
      },
    );
    res.json(result);
  });

  router.get('/v1/records/:hash', async (req, res) => {
    const row = await readableRecord(req);
    const [stored] = await toStoredRecords([row], store, config);
    res.json(stored);
  });

  router.get('/v1/records/:hash/artifacts/:digest', async (req, res) => {
    const row = await readableRecord(req);
    const env = JSON.parse(row.canonical);
    const digest = req.params.digest;
    const artifact = (env.artifacts ?? []).find(
      (a: any) => a.digest === digest,
    );
    if (!artifact && env.payloadDigest !== digest) {
      throw new NotFoundError(`Record ${row.hash} cites no artifact ${digest}`);
    }
    const blob = await store.getBlob(digest);
    if (!blob) throw new NotFoundError(`Artifact ${digest} is not stored`);
    if (!blob.content) {
      res.status(410).json({
        error: {
          name: 'GoneError',
          message: `Artifact ${digest} was purged by the retention policy; its digest stays in the record`,
        },
        response: { statusCode: 410 },
      });
      return;
    }
    // stored payloads are not WORM-protected like envelopes: re-check the digest
    const actual = `sha256:${createHash('sha256')
      .update(blob.content)
      .digest('hex')}`;
    if (actual !== digest) {
      throw new Error(
        `Stored content of ${digest} does not match its digest (found ${actual}); it was altered in the database`,
      );
    }
    res.setHeader('content-type', blob.mediaType);
    res.setHeader('x-content-type-options', 'nosniff');
    const fileName = (artifact?.name ?? 'payload.json').replace(
      /[^\w.-]/g,
      '_',
    );
    res.setHeader('content-disposition', `attachment; filename="${fileName}"`);
    res.send(blob.content);
  });

  // The log-wide routes reveal no entity's data, but still need read access.
  router.get('/v1/checkpoint', async (req, res) => {
    await authorizeRead(req);
    const cp = await log.checkpoint();
    res.type('text/plain; charset=utf-8').send(cp.note);
  });

  router.get('/v1/public-key', async (req, res) => {
    await authorizeRead(req);
    res.json({
      origin: log.origin,
      verifierKey: log.verifierKey,
      algorithm: 'ed25519',
    });
  });

  // The integrity audit's progress and findings (the Evidence log page).
  // Findings about an entity are shown only to those who may read its evidence.
  router.get('/v1/audit', async (req, res) => {
    const { credentials } = await authorizeRead(req); // 403 before anything
    if (!options.audit) {
      throw new NotFoundError('The integrity audit is not configured');
    }
    const [state, counts, logState] = await Promise.all([
      options.audit.state(),
      options.audit.findingCounts(),
      store.getLogState(),
    ]);
    // Count and list only what the caller may see: findings about entities
    // whose evidence they may not read are neither listed nor counted.
    const readable = await readableRefs(
      counts.flatMap(c => (c.entityRef ? [c.entityRef] : [])),
      credentials,
    );
    const visible = (ref: string) => readable.has(ref);
    const findingCount = counts.reduce(
      (n, c) => n + (!c.entityRef || visible(c.entityRef) ? c.count : 0),
      0,
    );
    const items = findingCount
      ? await options.audit.visibleFindings(100, visible)
      : [];
    res.json({
      treeSize: logState.treeSize,
      ...state,
      findingCount,
      findings: items,
    });
  });

  // proofs: small JSON sent as is (no ETag hashing of every response)
  router.get('/v1/proofs/inclusion', async (req, res) => {
    await authorizeRead(req);
    sendJsonText(
      res,
      JSON.stringify(
        await log.inclusion(
          intParam('leafIndex', req.query.leafIndex),
          intParam('treeSize', req.query.treeSize),
        ),
      ),
    );
  });

  router.get('/v1/proofs/consistency', async (req, res) => {
    await authorizeRead(req);
    sendJsonText(
      res,
      JSON.stringify(
        await log.consistency(
          intParam('from', req.query.from),
          intParam('to', req.query.to),
        ),
      ),
    );
  });

  return router;
}
