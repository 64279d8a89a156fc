import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  EVIDENCE_ENABLED_ANNOTATION,
  isEvidenceAvailable,
} from '../../lib/entity';
import { EvidenceView } from './EvidenceView';

/**
 * The "Evidence" entity tab: integrity verified in the browser, what is
 * missing, and every record.
 *
 * @public
 */
export function EntityEvidenceContent() {
  const { entity } = useEntity();
  if (!isEvidenceAvailable(entity)) {
    return (
      <MissingAnnotationEmptyState annotation={EVIDENCE_ENABLED_ANNOTATION} />
    );
  }
  return <EvidenceView entityRef={stringifyEntityRef(entity)} />;
}
