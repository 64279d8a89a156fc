import { Entity } from '@backstage/catalog-model';
import { COMPLIANCE_MODE_ANNOTATION } from '@assay/plugin-scorecards-common';

/**
 * True for entities the scorecards are computed for: components, and any
 * other entity that declares a compliance mode (`assay.dev/compliance-mode`).
 *
 * @public
 */
export function isScorecardAvailable(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'component' ||
    Boolean(entity.metadata.annotations?.[COMPLIANCE_MODE_ANNOTATION]?.trim())
  );
}
