import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { PlanOrchestrator } from './PlanOrchestrator';
import { PlanService } from './PlanService';
import { PlanPromotionService } from './types';

const A = 'component:default/service-a';
const B = 'component:default/service-b';

/**
 * One finished coordinated plan (marked demo) so the promotions page shows a
 * plan on first start: service-a and service-b (which depends on it) to
 * `dev`, run by the real orchestrator against the real promotion core. It
 * waits for the promotion demo seed to have put both services' newest
 * releases into dev, so the plan finds them there (steps
 * `already-deployed`) and changes nothing the other demos rely on.
 */
export async function seedDemoPlan(options: {
  plans: PlanService;
  orchestrator: PlanOrchestrator;
  promotions: PlanPromotionService;
  auth: AuthService;
  logger: LoggerService;
  attempts?: number;
  delayMs?: number;
  /** True once the backend shuts down (the seed stops waiting). */
  stopped?: () => boolean;
}): Promise<boolean> {
  const { plans, orchestrator, promotions, auth, logger } = options;
  if (await plans.store.hasDemoPlans()) return false;
  const actor = 'user:default/alice';
  const attempts = options.attempts ?? 60;
  for (let i = 0; ; i++) {
    try {
      const ready = await Promise.all(
        [A, B].map(async ref => {
          const p = await promotions.preview(ref, 'dev', 'latest', actor);
          const d = await promotions.deployedRelease(ref, 'dev');
          return d?.releaseHash === p.release.hash;
        }),
      );
      if (ready.every(Boolean)) break;
      throw new Error('the demo releases are not in dev yet');
    } catch (e) {
      if (options.stopped?.()) return false;
      if (i + 1 >= attempts) {
        logger.warn(`delivery: demo promotion plan skipped: ${e}`);
        return false;
      }
      await new Promise(r => setTimeout(r, options.delayMs ?? 5000));
    }
  }
  if (await plans.store.hasDemoPlans()) return false;
  const plan = await plans.create({
    entityRefs: [A, B],
    environment: 'dev',
    actor,
    credentials: await auth.getOwnServiceCredentials(),
    demo: true,
  });
  await orchestrator.advance(plan.id);
  await orchestrator.tick(); // writes its evidence
  logger.info(
    `delivery: seeded demo promotion plan ${plan.id} (service-a, service-b → dev)`,
  );
  return true;
}
