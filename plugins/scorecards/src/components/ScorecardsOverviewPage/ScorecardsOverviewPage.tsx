import { Header, Page, TabbedLayout } from '@backstage/core-components';
import { ControlsView } from './ControlsView';
import { EntitiesView } from './EntitiesView';

/**
 * The platform overview (`/assay/scorecards`): every entity's level, score
 * and failing checks with filters, levels per team, trends, CSV export; and
 * the controls view for auditors.
 *
 * @public
 */
export function ScorecardsOverviewPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Compliance scorecards"
        subtitle="Checks computed from verifiable evidence, across every service"
      />
      <TabbedLayout>
        <TabbedLayout.Route path="/" title="Entities">
          <EntitiesView />
        </TabbedLayout.Route>
        <TabbedLayout.Route path="/controls" title="Controls">
          <ControlsView />
        </TabbedLayout.Route>
      </TabbedLayout>
    </Page>
  );
}
