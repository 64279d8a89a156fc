import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import express from 'express';
import { z } from 'zod';
import { evidenceRecordReadPermission } from './permissions';
import { allowedRefs } from './service/authorizeRefs';
import { normalizeEntityRef, zodInputError } from './service/prepare';
import { assertIJson } from './service/inputLimits';
import type { DatabaseEvidenceStore } from './store/DatabaseEvidenceStore';
import type { RecordRow } from './store/types';

/** Entities per request. */
export const LATEST_MAX_ENTITIES = 500;
/** Records per entity with `window`. */
export const LATEST_MAX_WINDOW = 200;
/**
 * Records per response: entities beyond it are returned in `rest` (to be
 * asked again), so a response stays bounded whatever the histories.
 */
export const LATEST_MAX_RECORDS = 10_000;
/**
 * Canonical characters per response (entities past it go to `rest`): a
 * record may be up to `evidence.limits.maxEnvelopeBytes`, so 10,000 records
 * alone would not bound a response's memory.
 */
export const LATEST_MAX_CHARS = 16 * 1024 * 1024;

const latestBodySchema = z
  .object({
    entityRefs: z
      .array(z.string().min(1).max(255))
      .min(1)
      .max(LATEST_MAX_ENTITIES),
    categories: z.array(z.string().min(1).max(64)).min(1).max(64).optional(),
    window: z.number().int().min(1).max(LATEST_MAX_WINDOW).optional(),
  })
  .strict()
  .refine(b => !(b.window !== undefined && b.categories !== undefined), {
    path: ['categories'],
    message: 'not with window (a window is the newest records of any category)',
  });

function recordText(r: RecordRow, purged: Set<number>): string {
  // the stored canonical bytes are valid JSON: embedded as the envelope as is
  return `{"envelope":${r.canonical},"hash":${JSON.stringify(r.hash)},"seq":${
    r.seq
  },"leafIndex":${r.leafIndex},"payloadPurged":${purged.has(r.leafIndex)}}`;
}

/**
 * `POST /v1/latest`: the newest records of many entities in one request
 * (e.g. a scorecards refresh reading a catalog page).
 *
 * Body `{ entityRefs (1–500), categories?, window? (1–200) }`. Without
 * `window`: per entity, the newest record of each category (of
 * `categories` if given); with `window`: the newest `window` records of any
 * category. Every entity is authorized (`evidence.record.read` with the
 * entity as resource, as the list route does): one the caller may not read
 * is answered `{ entityRef, readable: false }` whether or not it exists or
 * has evidence. Records are newest first, each `{ envelope, hash, seq,
 * leafIndex, payloadPurged }`. At most 10,000 records and 16 Mi
 * characters of envelopes per response (at least one entity is answered);
 * entities not answered are listed in `rest` (ask again with them).
 */
export function registerLatestRoute(
  router: express.Router,
  options: {
    httpAuth: HttpAuthService;
    permissions: PermissionsService;
    store: DatabaseEvidenceStore;
  },
) {
  const { httpAuth, permissions, store } = options;
  router.post('/v1/latest', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    assertIJson(req.body);
    const parsed = latestBodySchema.safeParse(req.body);
    if (!parsed.success) throw zodInputError(parsed.error);
    const body = parsed.data;
    const refs = [
      ...new Set(
        body.entityRefs.map((r, i) => normalizeEntityRef(r, `entityRefs.${i}`)),
      ),
    ];
    const allowed = await allowedRefs(
      permissions,
      evidenceRecordReadPermission,
      refs,
      credentials,
    );
    const { rows, rest } = await store.newestOf(
      refs.filter(r => allowed.has(r)),
      {
        window: body.window,
        categories: body.categories,
        maxRows: LATEST_MAX_RECORDS,
        maxChars: LATEST_MAX_CHARS,
      },
    );
    const purged = await store.purgedLeaves(rows.map(r => r.leafIndex));
    const byEntity = new Map<string, string[]>();
    for (const r of rows) {
      const list = byEntity.get(r.entityRef);
      if (list) list.push(recordText(r, purged));
      else byEntity.set(r.entityRef, [recordText(r, purged)]);
    }
    const later = new Set(rest);
    const items: string[] = [];
    for (const ref of refs) {
      const refJson = JSON.stringify(ref);
      if (!allowed.has(ref)) {
        items.push(`{"entityRef":${refJson},"readable":false}`);
      } else if (!later.has(ref)) {
        items.push(
          `{"entityRef":${refJson},"readable":true,"records":[${(
            byEntity.get(ref) ?? []
          ).join(',')}]}`,
        );
      }
    }
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(`{"items":[${items.join(',')}],"rest":${JSON.stringify(rest)}}`);
  });
}
