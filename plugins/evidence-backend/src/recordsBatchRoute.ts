import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import express from 'express';
import { EvidenceConfig } from './config';
import { evidenceRecordCreatePermission } from './permissions';
import { allowedRefs } from './service/authorizeRefs';
import type { EvidenceLog } from './service/EvidenceLog';
import {
  IDEMPOTENCY_KEY,
  normalizeEntityRef,
  prepareAppend,
  producerOf,
} from './service/prepare';
import type { ProducerScope } from './service/producers';
import { storedRecordText, toStoredRecords } from './service/records';
import type { AppendOutcome, PreparedAppend } from './store/types';

/** Records per batch request. */
export const BATCH_MAX_RECORDS = 500;

/**
 * An error of one record's validation, re-worded to name the record:
 * `category: …` → `records.3.category: …`; the same error class (4xx).
 */
function inRecord(i: number, e: unknown): unknown {
  if (!(e instanceof InputError || e instanceof NotAllowedError)) return e;
  const msg = e.message.startsWith('body: ')
    ? `records.${i}: ${e.message.slice('body: '.length)}`
    : `records.${i}.${e.message}`;
  return e instanceof InputError
    ? new InputError(msg)
    : new NotAllowedError(msg);
}

/**
 * `POST /v1/records/batch`: up to {@link BATCH_MAX_RECORDS} appends in one
 * request (e.g. a scorecards refresh recording its compliance results).
 *
 * Body `{ records: [ { …the single append's body, idempotencyKey? } ] }`.
 * Each record gets every check the single append (`POST /v1/records`) runs:
 * credentials (401), `evidence.record.create` with the record's entity as
 * resource, the producer scope (`evidence.producers` /
 * `evidence.pluginProducers`, reserved categories), input limits, I-JSON,
 * the envelope check, the entity known to the catalog. ALL records are
 * validated before any is appended: the first failing one fails the request
 * (400 / 403 naming `records.N.<field>`) and nothing is stored. Then they go
 * through the log as one unit ({@link EvidenceLog.appendAll}: one
 * transaction, never split, possibly shared with other requests' appends by
 * group commit), so the batch is stored all or nothing — also when a failure
 * shows only at commit (an idempotency key reused with other content: 409)
 * — and the answer lists each record's result in order,
 * `{ items: [ StoredRecord & { replayed } ] }` (`replayed`: an earlier
 * append with the same idempotency key, returned instead).
 */
export function registerRecordsBatchRoute(
  router: express.Router,
  options: {
    log: EvidenceLog;
    config: EvidenceConfig;
    httpAuth: HttpAuthService;
    permissions: PermissionsService;
    auditor: AuditorService;
    producers: ProducerScope;
  },
) {
  const { log, config, httpAuth, permissions, auditor, producers } = options;

  /** Entity refs (distinct) the caller may not create evidence of. */
  async function denied(
    refs: string[],
    credentials: BackstageCredentials,
  ): Promise<Set<string>> {
    const allowed = await allowedRefs(
      permissions,
      evidenceRecordCreatePermission,
      refs,
      credentials,
    );
    return new Set(refs.filter(r => !allowed.has(r)));
  }

  router.post('/v1/records/batch', async (req, res) => {
    // group commit: the log's flush may wait for this request's appends
    const queued = log.preparing();
    try {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      }); // 401 first
      const body = req.body;
      if (
        typeof body !== 'object' ||
        body === null ||
        Array.isArray(body) ||
        !Array.isArray(body.records)
      ) {
        throw new InputError(
          `records: required, an array of 1-${BATCH_MAX_RECORDS} append requests`,
        );
      }
      const extra = Object.keys(body).find(k => k !== 'records');
      if (extra !== undefined) {
        throw new InputError(`body: unknown field '${extra.slice(0, 64)}'`);
      }
      const records: unknown[] = body.records;
      if (records.length < 1 || records.length > BATCH_MAX_RECORDS) {
        throw new InputError(
          `records: ${records.length} records, expected 1-${BATCH_MAX_RECORDS}`,
        );
      }
      // each record's entity, before anything about it is revealed
      const refs = records.map((r, i) => {
        const target = (r as { entityRef?: unknown } | null)?.entityRef;
        if (typeof target !== 'string') {
          throw new InputError(
            `records.${i}.entityRef: required, an entity ref like component:default/name`,
          );
        }
        return normalizeEntityRef(target, `records.${i}.entityRef`);
      });
      const refused = await denied([...new Set(refs)], credentials);
      const firstRefused = refs.findIndex(r => refused.has(r));
      if (firstRefused >= 0) {
        throw new NotAllowedError(
          `records.${firstRefused}.entityRef: You are not allowed to create evidence of ${refs[firstRefused]} (${evidenceRecordCreatePermission.name})`,
        );
      }
      const producer = producerOf(credentials);
      // the batch's entities in one catalog request (each record's entity
      // check below is then a cache hit)
      await producers.prefetch(refs);
      const prepared: PreparedAppend[] = [];
      for (let i = 0; i < records.length; i++) {
        try {
          const { idempotencyKey, ...request } = records[i] as {
            idempotencyKey?: unknown;
          };
          if (
            idempotencyKey !== undefined &&
            (typeof idempotencyKey !== 'string' ||
              !IDEMPOTENCY_KEY.test(idempotencyKey))
          ) {
            throw new InputError(
              'idempotencyKey: 1-128 printable ASCII characters without spaces',
            );
          }
          // service principals: scoped by evidence.producers / pluginProducers
          const scope = await producers.forEntity(credentials, refs[i]);
          const item = prepareAppend(request, {
            config,
            producer,
            idempotencyKey,
          });
          await scope.check(item.category); // reserved categories; entity known
          prepared.push(item);
        } catch (e) {
          throw inRecord(i, e);
        }
      }
      // every record is valid: append them all
      const event = await auditor.createEvent({
        eventId: 'evidence-append-batch',
        request: req,
        severityLevel: 'medium',
        meta: {
          records: prepared.length,
          entityRefs: [...new Set(refs)].slice(0, 100),
          categories: [...new Set(prepared.map(p => p.category))],
        },
      });
      let outcomes: AppendOutcome[];
      try {
        // all or nothing: one transaction, never split by the log
        const appended = log.appendAll(prepared);
        queued();
        outcomes = await appended;
        // what was stored, record by record (the batch is all or nothing)
        await event.success({
          meta: {
            stored: outcomes.map(o => ({
              entityRef: o.row.entityRef,
              category: o.row.category,
              seq: o.row.seq,
              hash: o.row.hash,
              leafIndex: o.row.leafIndex,
              replayed: o.replayed,
            })),
          },
        });
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
      const replayed = outcomes.flatMap(o => (o.replayed ? [o.row] : []));
      const replayedText = new Map(
        (await toStoredRecords(replayed, log.store, config)).map((s, k) => [
          replayed[k],
          JSON.stringify(s),
        ]),
      );
      const items = outcomes.map(o => {
        // a new record: nothing it cites is purged (its blobs were just
        // stored), the hold was read in the append's transaction
        const text =
          replayedText.get(o.row) ??
          storedRecordText(o.row, config, {
            payloadPurged: false,
            legalHold: o.legalHold ?? false,
          });
        return `${text.slice(0, -1)},"replayed":${o.replayed}}`;
      });
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(`{"items":[${items.join(',')}]}`);
    } finally {
      queued();
    }
  });
}
