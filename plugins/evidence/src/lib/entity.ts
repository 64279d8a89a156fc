import { Entity } from '@backstage/catalog-model';

/**
 * Annotation that turns the evidence viewer on for an entity (value `"true"`).
 *
 * @public
 */
export const EVIDENCE_ENABLED_ANNOTATION = 'assay.dev/evidence-enabled';

/**
 * True when the entity opted into evidence (`assay.dev/evidence-enabled: "true"`).
 *
 * @public
 */
export function isEvidenceAvailable(entity: Entity): boolean {
  return (
    entity.metadata.annotations?.[EVIDENCE_ENABLED_ANNOTATION]?.trim() ===
    'true'
  );
}
