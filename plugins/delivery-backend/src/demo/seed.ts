import { LoggerService } from '@backstage/backend-plugin-api';
import { CanaryConfig } from '../config';
import { CanaryEngine } from '../engine/CanaryEngine';
import { RecorderTrafficProvider } from '../providers/RecorderTrafficProvider';
import { SimulatorMetricsProvider } from '../providers/SimulatorMetricsProvider';
import { DatabaseCanaryStore } from '../store/DatabaseCanaryStore';

/**
 * Seeds two finished canary runs (marked demo) by running the real engine
 * on a simulated clock with the built-in simulator and a recorder (no real
 * traffic moves): service-a succeeds, service-b rolls back with its reason.
 * Their decisions go through the evidence outbox like any other run.
 */
export async function seedDemoCanaries(options: {
  store: DatabaseCanaryStore;
  config: CanaryConfig;
  logger: LoggerService;
  flushEvidence: () => Promise<unknown>;
  now?: Date;
}): Promise<boolean> {
  const { store, config, logger } = options;
  if (await store.hasDemoRuns()) return false;
  const end = options.now ?? new Date();
  const runs = [
    {
      entityRef: 'component:default/service-a',
      version: '1.4.0',
      baseline: '1.3.2',
      simulation: 'healthy' as const,
      startMinutesAgo: 180,
    },
    {
      entityRef: 'component:default/service-b',
      version: '2.1.0',
      baseline: '2.0.7',
      simulation: 'degrading' as const,
      startMinutesAgo: 90,
    },
  ];
  for (const r of runs) {
    if (await store.activeRun(r.entityRef)) continue;
    let clock = new Date(end.getTime() - r.startMinutesAgo * 60_000);
    const engine = new CanaryEngine({
      store,
      metrics: new SimulatorMetricsProvider(),
      traffic: new RecorderTrafficProvider(),
      config: {
        ...config,
        defaults: {
          ...config.defaults,
          intervalSeconds: 300,
          retryIntervalSeconds: 120,
          retries: 2,
        },
      },
      logger,
      clock: () => clock,
    });
    const run = await engine.start({
      entityRef: r.entityRef,
      version: r.version,
      baselineVersion: r.baseline,
      simulation: r.simulation,
      steps: [10, 50, 100],
      actor: 'user:default/guest',
      demo: true,
      at: clock,
    });
    for (let i = 0; i < 20; i++) {
      const current = await store.getRun(run.id);
      if (!current?.nextAt || current.status !== 'running') break;
      clock = new Date(current.nextAt);
      await engine.tick();
    }
  }
  await options.flushEvidence();
  logger.info('delivery: seeded demo canary runs for service-a and service-b');
  return true;
}
