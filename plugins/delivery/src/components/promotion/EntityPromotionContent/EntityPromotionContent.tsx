import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  ENVIRONMENTS_ANNOTATION,
  isPromotionAvailable,
} from '../../../lib/entity';
import { PromotionView } from '../PromotionView';

/**
 * The "Promotion" entity tab: environments with the release deployed in
 * each, the gates of every next step (readable before the click), the
 * promote dialog with its gate preview and approvals, approvals with
 * separation of duties, rollbacks, releases, history and KPIs.
 *
 * @public
 */
export function EntityPromotionContent() {
  const { entity } = useEntity();
  if (!isPromotionAvailable(entity)) {
    return <MissingAnnotationEmptyState annotation={ENVIRONMENTS_ANNOTATION} />;
  }
  return <PromotionView entityRef={stringifyEntityRef(entity)} />;
}
