import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  EVIDENCE_APPENDED_TOPIC,
  EvidenceAppendedEvent,
} from '@assay/plugin-evidence-common';
import { readEvidenceConfig } from './config';
import { seedDemoEvidence } from './demo/seed';
import { evidencePermissions } from './permissions';
import { createRouter } from './router';
import { createCliRouter } from './cliRouter';
import { EvidenceLog } from './service/EvidenceLog';
import { IntegrityAudit } from './service/IntegrityAudit';
import { DatabaseEvidenceStore } from './store/DatabaseEvidenceStore';

/**
 * The Assay evidence store: append-only, hash-chained evidence per catalog
 * entity in a global RFC 6962 Merkle log with signed checkpoints.
 *
 * @public
 */
export const evidencePlugin = createBackendPlugin({
  pluginId: 'evidence',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        events: eventsServiceRef,
        auth: coreServices.auth,
        metrics: metricsServiceRef,
      },
      async init(deps) {
        const config = readEvidenceConfig(deps.config);
        const store = await DatabaseEvidenceStore.create({
          database: deps.database,
        });
        const log = new EvidenceLog(store, config, deps.logger);
        await log.init();
        deps.lifecycle.addShutdownHook(() => log.close());
        // After commit: tell other plugins (delivery, scorecards) what was appended.
        log.onAppended(rows => {
          for (const row of rows) {
            const eventPayload: EvidenceAppendedEvent = {
              entityRef: row.entityRef,
              category: row.category,
              hash: row.hash,
              seq: row.seq,
            };
            deps.events
              .publish({ topic: EVIDENCE_APPENDED_TOPIC, eventPayload })
              .catch(e =>
                deps.logger.warn(
                  `evidence: could not publish ${EVIDENCE_APPENDED_TOPIC} for ${row.hash}: ${e}`,
                ),
              );
          }
        });
        deps.permissionsRegistry.addPermissions(evidencePermissions);

        // the integrity audit: findings are errors, stored and counted
        const findingCounter = deps.metrics.createCounter(
          'evidence.audit.findings',
          {
            description:
              'Integrity problems found by the evidence audit task (records, columns, Merkle nodes, heads)',
          },
        );
        const checkedCounter = deps.metrics.createCounter(
          'evidence.audit.records_checked',
          { description: 'Records re-verified by the evidence audit task' },
        );
        const audit = new IntegrityAudit(
          store,
          deps.logger,
          {
            finding: kind => findingCounter.add(1, { kind }),
            checked: n => checkedCounter.add(n),
          },
          {
            batchSize: config.audit.batchSize,
            maxBatches: config.audit.maxBatchesPerRun,
          },
        );

        deps.httpRouter.use(createCliRouter({ httpAuth: deps.httpAuth }));
        deps.httpRouter.use(
          await createRouter({
            log,
            config,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            catalog: deps.catalog,
            logger: deps.logger,
            auth: deps.auth,
            rootConfig: deps.config,
            audit,
          }),
        );

        await deps.scheduler.scheduleTask({
          id: 'evidence-retention-purge',
          scope: 'global',
          frequency: { minutes: config.retention.purgeFrequencyMinutes },
          timeout: { minutes: 30 },
          initialDelay: { minutes: 1 },
          fn: async () => {
            const r = await store.purgeExpired(new Date().toISOString());
            if (r.blobs) {
              deps.logger.info(
                `evidence: retention purged ${r.blobs} payload(s) of ${r.records} record(s); envelopes and leaves are kept`,
              );
            }
          },
        });

        await deps.scheduler.scheduleTask({
          id: 'evidence-integrity-audit',
          scope: 'global',
          frequency: { minutes: config.audit.frequencyMinutes },
          timeout: { minutes: 30 },
          initialDelay: { minutes: config.audit.initialDelayMinutes },
          fn: async () => {
            const r = await audit.run();
            if (r.findings.length) {
              deps.logger.error(
                `evidence: integrity audit found ${r.findings.length} new problem(s) in ${r.checked} record(s); see the Evidence log page`,
              );
            }
          },
        });

        if (config.demoSeed) {
          deps.lifecycle.addStartupHook(async () => {
            try {
              await seedDemoEvidence(log, config, deps.logger);
            } catch (e) {
              deps.logger.error(`evidence: demo seed failed: ${e}`);
            }
          });
        }
      },
    });
  },
});
