import { Content, Header, InfoCard, Page } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import { useCallback, useState } from 'react';
import { NewPlan } from './NewPlan';
import { PlanView } from './PlanView';
import { RecentPlans } from './RecentPlans';
import { TeamKpis } from './TeamKpis';

/**
 * The platform page (`/assay/promotions`): coordinated promotion of
 * dependent services in waves — choose services and an environment,
 * preview the waves and every service's gates, start, follow the plan live,
 * abort; recent plans and promotion KPIs per team.
 *
 * @public
 */
export function PromotionsPage(props: { pollMs?: number }) {
  const [planId, setPlanId] = useState<string>();
  const [version, setVersion] = useState(0);
  // the recent plans and the KPIs follow the live plan's status changes
  const bump = useCallback(() => setVersion(v => v + 1), []);
  return (
    <Page themeId="tool">
      <Header
        title="Coordinated promotions"
        subtitle="Promote dependent services in waves, every gate read before the start"
      />
      <Content>
        <Grid container spacing={3}>
          <Grid item xs={12}>
            <InfoCard
              title="New coordinated promotion"
              subheader="Services are ordered by their catalog dependsOn relations: dependencies go first."
            >
              <NewPlan
                onStarted={plan => {
                  setPlanId(plan.id);
                  setVersion(v => v + 1);
                }}
              />
            </InfoCard>
          </Grid>
          {planId && (
            <Grid item xs={12}>
              <InfoCard title="Plan">
                <PlanView
                  planId={planId}
                  pollMs={props.pollMs}
                  onStatusChange={bump}
                />
              </InfoCard>
            </Grid>
          )}
          <Grid item xs={12}>
            <InfoCard title="Recent coordinated promotions">
              <RecentPlans
                selectedId={planId}
                onSelect={setPlanId}
                version={version}
              />
            </InfoCard>
          </Grid>
          <Grid item xs={12}>
            <InfoCard title="Promotion KPIs per team">
              <TeamKpis version={version} />
            </InfoCard>
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}
