import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  CANARY_STEPS_ANNOTATION,
  isCanaryAvailable,
} from '../../../lib/entity';
import { CanaryView } from '../CanaryView';

/**
 * The "Canary" entity tab: the current canary run step by step — traffic
 * split, canary vs baseline per metric, the verdict and the rule behind it —
 * the run history with its evidence, and the actions the user may take.
 *
 * @public
 */
export function EntityCanaryContent() {
  const { entity } = useEntity();
  if (!isCanaryAvailable(entity)) {
    return <MissingAnnotationEmptyState annotation={CANARY_STEPS_ANNOTATION} />;
  }
  return <CanaryView entityRef={stringifyEntityRef(entity)} />;
}
