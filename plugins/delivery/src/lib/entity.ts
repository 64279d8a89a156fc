import { ENVIRONMENTS_ANNOTATION } from '@assay/plugin-delivery-common';
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

/**
 * Annotation with an entity's environments in promotion order, e.g.
 * `dev,staging,prod` (else the backend's configured default).
 */
export { ENVIRONMENTS_ANNOTATION };

/** Annotation that turns promotion on or off for an entity (`"true"` / `"false"`). @public */
export const PROMOTION_ENABLED_ANNOTATION = 'assay.dev/promotion-enabled';

/** Annotation whose `"true"` means the entity collects evidence. */
const EVIDENCE_ENABLED_ANNOTATION = 'assay.dev/evidence-enabled';

/**
 * True when the entity is promoted through environments with Assay: it
 * declares `assay.dev/environments`, sets `assay.dev/promotion-enabled:
 * "true"`, or collects evidence (`assay.dev/evidence-enabled: "true"`; its
 * releases rest on that evidence and the configured environments apply).
 * `assay.dev/promotion-enabled: "false"` turns the tab off.
 *
 * @public
 */
export function isPromotionAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  const enabled = annotations[PROMOTION_ENABLED_ANNOTATION]?.trim();
  if (enabled === 'false') return false;
  if (enabled === 'true') return true;
  if (annotations[ENVIRONMENTS_ANNOTATION]?.trim()) return true;
  return annotations[EVIDENCE_ENABLED_ANNOTATION]?.trim() === 'true';
}
