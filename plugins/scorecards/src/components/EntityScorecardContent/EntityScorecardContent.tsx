import { stringifyEntityRef } from '@backstage/catalog-model';
import { EmptyState } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { isScorecardAvailable } from '../../lib/entity';
import { ScorecardView } from './ScorecardView';

/**
 * The "Compliance" entity tab.
 *
 * @public
 */
export function EntityScorecardContent() {
  const { entity } = useEntity();
  if (!isScorecardAvailable(entity)) {
    return (
      <EmptyState
        missing="field"
        title="No compliance scorecard"
        description="Scorecards are computed for components, or for entities with the annotation assay.dev/compliance-mode."
      />
    );
  }
  return <ScorecardView entityRef={stringifyEntityRef(entity)} />;
}
