import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { evidenceServiceRef } from '@assay/plugin-evidence-node';
import { KubeConfig } from '@kubernetes/client-node';
import { readCanaryConfig } from './config';
import { seedDemoCanaries } from './demo/seed';
import { CanaryEngine } from './engine/CanaryEngine';
import { CanaryEvidenceWriter } from './engine/evidence';
import { canaryPermissions } from './permissions';
import { IstioTrafficProvider } from './providers/IstioTrafficProvider';
import { PrometheusMetricsProvider } from './providers/PrometheusMetricsProvider';
import { RecorderTrafficProvider } from './providers/RecorderTrafficProvider';
import { SimulatorMetricsProvider } from './providers/SimulatorMetricsProvider';
import { MetricsProvider, TrafficProvider } from './providers/types';
import { createRouter } from './router';
import { DatabaseCanaryStore } from './store/DatabaseCanaryStore';
import { scorecardsServiceRef } from '@assay/plugin-scorecards-node';
import { promotionPermissions } from '@assay/plugin-delivery-common';
import { readPromotionConfig } from './promotion/config';
import { createPromotionService } from './promotion/createPromotionService';
import { seedDemoPromotions } from './demo/promotionSeed';
import { readPlanConfig } from './orchestration/config';
import { DatabasePlanStore } from './orchestration/DatabasePlanStore';
import { seedDemoPlan } from './orchestration/demoSeed';
import { PlanEvidenceWriter } from './orchestration/evidence';
import { PlanOrchestrator } from './orchestration/PlanOrchestrator';
import { PlanService } from './orchestration/PlanService';

/**
 * Assay delivery backend: canary rollouts judged on metrics, every decision
 * recorded as evidence.
 *
 * @public
 */
export const deliveryPlugin = createBackendPlugin({
  pluginId: 'delivery',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        evidence: evidenceServiceRef,
        discovery: coreServices.discovery,
        scorecards: scorecardsServiceRef,
      },
      async init(deps) {
        const config = readCanaryConfig(deps.rootConfig);
        const store = await DatabaseCanaryStore.create({
          database: deps.database,
        });
        const metrics: MetricsProvider =
          config.metricsProvider === 'prometheus'
            ? new PrometheusMetricsProvider(config.prometheus!)
            : new SimulatorMetricsProvider();
        let traffic: TrafficProvider;
        if (config.trafficProvider === 'istio') {
          const kubeConfig = new KubeConfig();
          if (config.istio.kubeconfigPath) {
            kubeConfig.loadFromFile(config.istio.kubeconfigPath);
          } else {
            kubeConfig.loadFromDefault();
          }
          traffic = new IstioTrafficProvider({ ...config.istio, kubeConfig });
        } else {
          traffic = new RecorderTrafficProvider();
        }
        const writer = new CanaryEvidenceWriter({
          store,
          evidence: deps.evidence,
          auth: deps.auth,
          logger: deps.logger,
        });
        const flushEvidence = () => writer.flush();
        const engine = new CanaryEngine({
          store,
          metrics,
          traffic,
          config,
          logger: deps.logger,
          flushEvidence,
          annotationsOf: async entityRef => {
            const entity = await deps.catalog.getEntityByRef(entityRef, {
              credentials: await deps.auth.getOwnServiceCredentials(),
            });
            return entity?.metadata.annotations;
          },
        });
        deps.permissionsRegistry.addPermissions(canaryPermissions);
        deps.permissionsRegistry.addPermissions(promotionPermissions);
        const promotion = await createPromotionService({
          config: readPromotionConfig(deps.rootConfig),
          database: deps.database,
          catalog: deps.catalog,
          evidence: deps.evidence,
          auth: deps.auth,
          discovery: deps.discovery,
          logger: deps.logger,
          scorecards: deps.scorecards,
          integrations: ScmIntegrations.fromConfig(deps.rootConfig),
        });
        // coordinated promotion (src/orchestration): plans in waves
        const planConfig = readPlanConfig(deps.rootConfig);
        const planStore = await DatabasePlanStore.create({
          database: deps.database,
        });
        const planWriter = new PlanEvidenceWriter({
          store: planStore,
          evidence: deps.evidence,
          auth: deps.auth,
          logger: deps.logger,
        });
        const orchestrator = new PlanOrchestrator({
          store: planStore,
          promotions: promotion.service,
          logger: deps.logger,
          leaseSeconds: planConfig.leaseSeconds,
          flushEvidence: () => planWriter.flush(),
        });
        const PLAN_TASK = 'delivery-promotion-plans';
        const plans = new PlanService({
          store: planStore,
          promotions: promotion.service,
          catalog: deps.catalog,
          logger: deps.logger,
          concurrency: planConfig.concurrency,
          rollbackEarlierWaves: planConfig.rollbackEarlierWaves,
          onChange: () => {
            deps.scheduler.triggerTask(PLAN_TASK).catch(() => {}); // else the next run
          },
        });
        deps.httpRouter.use(
          await createRouter({
            engine,
            config,
            httpAuth: deps.httpAuth,
            auth: deps.auth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            catalog: deps.catalog,
            evidence: deps.evidence,
            logger: deps.logger,
            promotion: {
              service: promotion.service,
              providerName: promotion.provider.name,
            },
            plans,
          }),
        );

        await deps.scheduler.scheduleTask({
          id: 'delivery-canary-engine',
          scope: 'global',
          frequency: { seconds: config.frequencySeconds },
          timeout: { minutes: 5 },
          initialDelay: { seconds: Math.min(5, config.frequencySeconds) },
          fn: async () => {
            await engine.tick();
          },
        });

        if (config.retentionDays !== undefined) {
          const days = config.retentionDays;
          // one replica deletes finished runs past retention (evidence stays)
          await deps.scheduler.scheduleTask({
            id: 'delivery-canary-retention',
            scope: 'global',
            frequency: { hours: 24 },
            timeout: { minutes: 30 },
            initialDelay: { minutes: 1 },
            fn: async () => {
              const cutoff = new Date(
                Date.now() - days * 86_400_000,
              ).toISOString();
              const n = await store.deleteFinishedBefore(cutoff);
              if (n.runs > 0) {
                deps.logger.info(
                  `delivery: canary retention (${days} days) deleted ${n.runs} finished run(s), ${n.analyses} analyses, ${n.events} events finished before ${cutoff}; their evidence records are kept`,
                );
              }
            },
          });
        }

        await deps.scheduler.scheduleTask({
          id: PLAN_TASK,
          scope: 'global',
          frequency: { seconds: planConfig.frequencySeconds },
          timeout: { minutes: 30 },
          initialDelay: { seconds: Math.min(5, planConfig.frequencySeconds) },
          fn: async () => {
            await orchestrator.tick();
          },
        });
        if (planConfig.demoSeed) {
          let stopped = false;
          deps.lifecycle.addShutdownHook(() => {
            stopped = true;
          });
          deps.lifecycle.addStartupHook(() => {
            // in the background: it waits for the promotion demo seed
            seedDemoPlan({
              plans,
              orchestrator,
              promotions: promotion.service,
              auth: deps.auth,
              logger: deps.logger,
              stopped: () => stopped,
            }).catch(e =>
              deps.logger.error(`delivery: demo promotion plan failed: ${e}`),
            );
          });
        }

        if (promotion.config.demoSeed) {
          deps.lifecycle.addStartupHook(() => {
            // in the background: it waits for the catalog and the evidence seed
            seedDemoPromotions({
              service: promotion.service,
              logger: deps.logger,
            }).catch(e =>
              deps.logger.error(`delivery: promotion demo seed failed: ${e}`),
            );
          });
        }

        deps.lifecycle.addStartupHook(async () => {
          if (!config.demoSeed) {
            return;
          }
          try {
            await seedDemoCanaries({
              store,
              config,
              logger: deps.logger,
              flushEvidence,
            });
          } catch (e) {
            deps.logger.error(`delivery: demo seed failed: ${e}`);
          }
        });
      },
    });
  },
});
