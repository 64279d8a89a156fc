import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { evidenceServiceRef } from '@assay/plugin-evidence-node';
import {
  EVIDENCE_APPENDED_TOPIC,
  EvidenceAppendedEvent,
} from '@assay/plugin-evidence-common';
import {
  OUTPUT_CATEGORIES,
  scorecardsPermissions,
} from '@assay/plugin-scorecards-common';
import { readScorecardsConfig } from './config';
import { createRouter } from './router';
import { RefreshQueue } from './service/RefreshQueue';
import { ScorecardEngine } from './service/ScorecardEngine';
import { WaiverService } from './service/WaiverService';
import { DatabaseScorecardStore } from './store/DatabaseScorecardStore';

/**
 * Assay compliance scorecards: checks computed from the catalog and the
 * evidence store, with levels, modes, waivers, rollups and controls.
 *
 * @public
 */
export const scorecardsPlugin = createBackendPlugin({
  pluginId: 'scorecards',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        evidence: evidenceServiceRef,
        events: eventsServiceRef,
      },
      async init(deps) {
        const config = readScorecardsConfig(deps.rootConfig);
        const store = await DatabaseScorecardStore.create({
          database: deps.database,
        });
        const engine = new ScorecardEngine({
          catalog: deps.catalog,
          evidence: deps.evidence,
          auth: deps.auth,
          store,
          config,
          logger: deps.logger,
        });
        // the compute workers of full refreshes start and stop with the backend
        deps.lifecycle.addStartupHook(() => engine.start());
        deps.lifecycle.addShutdownHook(() => engine.close());
        const waivers = new WaiverService({
          store,
          evidence: deps.evidence,
          auth: deps.auth,
          config,
        });
        deps.permissionsRegistry.addPermissions(scorecardsPermissions);
        deps.httpRouter.use(
          await createRouter({
            engine,
            waivers,
            store,
            config,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
          }),
        );

        // Incremental refresh: evidence appended for an entity.
        const queue = new RefreshQueue(
          ref => engine.refreshEntity(ref),
          deps.logger,
        );
        await deps.events.subscribe({
          id: 'scorecards-evidence-appended',
          topics: [EVIDENCE_APPENDED_TOPIC],
          async onEvent(params) {
            const e = params.eventPayload as Partial<EvidenceAppendedEvent>;
            if (typeof e?.entityRef !== 'string') return;
            if (OUTPUT_CATEGORIES.includes(String(e.category))) return;
            queue.add(e.entityRef);
          },
        });

        await deps.scheduler.scheduleTask({
          id: 'scorecards-full-refresh',
          scope: 'global',
          frequency: { minutes: config.refreshFrequencyMinutes },
          timeout: { minutes: 30 },
          initialDelay: { seconds: config.initialDelaySeconds },
          fn: async () => {
            const s = await engine.refreshAll();
            deps.logger.info(
              `scorecards: full refresh of ${s.entities} entities in ${
                s.durationMs
              } ms (${s.changed} changed, ${s.written} written, ${
                s.removed
              } removed; ${
                s.recorded
              } compliance results recorded as evidence in ${
                s.recordMs
              } ms; evaluated on ${
                s.workers
                  ? `${s.workers} worker thread${s.workers > 1 ? 's' : ''}`
                  : 'the main thread'
              })`,
            );
          },
        });

        // Incremental refresh: catalog entries that changed (etag), new or
        // removed entities, and results whose waivers expired.
        let lastScan = new Date().toISOString();
        await deps.scheduler.scheduleTask({
          id: 'scorecards-catalog-scan',
          scope: 'global',
          frequency: { minutes: config.catalogScanMinutes },
          timeout: { minutes: 10 },
          initialDelay: { minutes: 1 },
          fn: async () => {
            const now = new Date().toISOString();
            await engine.refreshAll({ onlyChanged: true });
            for (const ref of await store.expiredSince(lastScan, now)) {
              queue.add(ref);
            }
            lastScan = now;
          },
        });

        await deps.scheduler.scheduleTask({
          id: 'scorecards-history-cleanup',
          scope: 'global',
          frequency: { hours: 24 },
          timeout: { minutes: 10 },
          initialDelay: { minutes: 5 },
          fn: async () => {
            const n = await engine.cleanup();
            if (n) {
              deps.logger.info(
                `scorecards: retention deleted ${n} history point(s) older than ${config.historyRetentionDays} days`,
              );
            }
          },
        });
      },
    });
  },
});
