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

/**
 * Appends a record's JSON to `out` in pieces (joined once, with the whole
 * response: a string per record joined per entity and again per response
 * would copy the records' text at every level).
 */
function pushRecord(out: string[], r: RecordRow, purged: Set<number>) {
  // the stored canonical bytes are valid JSON: embedded as the envelope as is
  out.push(
    '{"envelope":',
    r.canonical,
    `,"hash":${JSON.stringify(r.hash)},"seq":${r.seq},"leafIndex":${
      r.leafIndex
    },"payloadPurged":${purged.has(r.leafIndex)}}`,
  );
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
    const byEntity = new Map<string, RecordRow[]>();
    for (const r of rows) {
      const list = byEntity.get(r.entityRef);
      if (list) list.push(r);
      else byEntity.set(r.entityRef, [r]);
    }
    const later = new Set(rest);
    const out: string[] = ['{"items":['];
    let first = true;
    for (const ref of refs) {
      const readable = allowed.has(ref);
      if (readable && later.has(ref)) continue;
      out.push(first ? '' : ',', `{"entityRef":${JSON.stringify(ref)}`);
      first = false;
      if (!readable) {
        out.push(',"readable":false}');
        continue;
      }
      out.push(',"readable":true,"records":[');
      (byEntity.get(ref) ?? []).forEach((r, i) => {
        if (i > 0) out.push(',');
        pushRecord(out, r, purged);
      });
      out.push(']}');
    }
    out.push(`],"rest":${JSON.stringify(rest)}}`);
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(out.join(''));
  });
}
