import { Entity } from '@backstage/catalog-model';

/**
 * Annotation that turns the canary tab on for an entity (value `"true"`).
 *
 * @public
 */
export const CANARY_ENABLED_ANNOTATION = 'assay.dev/canary-enabled';

/**
 * Annotation with the canary's traffic steps in percent, e.g. `10,50,100`.
 * An entity that declares its steps takes part in canary rollouts.
 *
 * @public
 */
export const CANARY_STEPS_ANNOTATION = 'assay.dev/canary-steps';

/**
 * True when the entity takes part in canary rollouts: it declares
 * `assay.dev/canary-steps`, or sets `assay.dev/canary-enabled: "true"`
 * (then the backend's default steps apply). `assay.dev/canary-enabled:
 * "false"` turns the tab off even when steps are declared.
 *
 * @public
 */
export function isCanaryAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  const enabled = annotations[CANARY_ENABLED_ANNOTATION]?.trim();
  if (enabled === 'false') return false;
  if (enabled === 'true') return true;
  return Boolean(annotations[CANARY_STEPS_ANNOTATION]?.trim());
}

/** The steps an entity declares (`assay.dev/canary-steps`), if any. */
export function declaredCanarySteps(entity: Entity): number[] | undefined {
  const raw = entity.metadata.annotations?.[CANARY_STEPS_ANNOTATION]?.trim();
  if (!raw) return undefined;
  const steps = raw.split(',').map(s => Number(s.trim()));
  return steps.every(n => Number.isFinite(n)) ? steps : undefined;
}
