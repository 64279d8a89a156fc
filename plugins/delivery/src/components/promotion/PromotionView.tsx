import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { Promotion, PromotionOverview } from '../../api/promotionTypes';
import { usePromotion } from '../../hooks/usePromotion';
import { statusLabel } from '../../lib/promotionFormat';
import { EnvironmentColumns, OpenDialog } from './EnvironmentColumns';
import { KpiStrip } from './KpiStrip';
import { PromoteDialog, PromoteDialogMode } from './PromoteDialog';
import { PromotionHistory } from './PromotionHistory';
import { ReleasesTable } from './ReleasesTable';

const isForbidden = (e?: Error) =>
  (e instanceof ResponseError && e.statusCode === 403) ||
  e?.name === 'NotAllowedError';

/** What happened after a promotion or rollback was requested, in words. */
export function outcomeText(p: Promotion): string {
  const what =
    p.kind === 'rollback'
      ? `Rollback of ${p.environment} to ${p.version}`
      : `Promotion of ${p.version} to ${p.environment}`;
  switch (p.status) {
    case 'awaiting-approval':
      return `${what} is awaiting approval (${p.approvals.length} of ${p.approvalsRequired}); someone other than you must approve it.`;
    case 'blocked':
      return `${what} was blocked: ${p.evaluation.summary}. The decision is recorded as evidence.`;
    case 'failed':
      return `${what} failed${p.error ? `: ${p.error}` : ''}.`;
    default:
      return `${what}: ${statusLabel(p.status).toLocaleLowerCase('en-US')}.`;
  }
}

/**
 * An outcome that said "awaiting approval" or "running" is stale once that
 * promotion is no longer the active one of its environment (it landed, was
 * approved, withdrawn …): the columns say what happened.
 */
function isStale(p: Promotion, overview: PromotionOverview): boolean {
  if (p.status !== 'awaiting-approval' && p.status !== 'running') return false;
  const env = overview.environments.find(e => e.name === p.environment);
  return env?.active?.id !== p.id;
}

function severityOf(p: Promotion): 'success' | 'error' | 'info' {
  if (p.status === 'succeeded') return 'success';
  if (p.status === 'blocked' || p.status === 'failed') return 'error';
  return 'info';
}

/**
 * The Promotion tab body for one entity: environments left to right with
 * what is deployed and the next step's gates, the promote / approve /
 * rollback actions the user may take, releases, history and KPIs.
 */
export function PromotionView(props: { entityRef: string; pollMs?: number }) {
  const { entityRef } = props;
  const state = usePromotion(entityRef, { pollMs: props.pollMs });
  const [dialog, setDialog] = useState<{
    mode: PromoteDialogMode;
    environment: string;
    releaseHash?: string;
  }>();
  const [outcome, setOutcome] = useState<Promotion>();

  if (state.loading) return <Progress />;
  if (state.error) {
    if (isForbidden(state.error)) {
      return (
        <EmptyState
          missing="info"
          title="You may not see this entity's promotions"
          description="Reading environments, releases and promotions needs the delivery.promotion.read permission on this entity. Ask the entity's owners or a portal admin."
        />
      );
    }
    return <ResponseErrorPanel error={state.error} />;
  }
  const overview = state.overview!;
  const openDialog: OpenDialog = (mode, environment, releaseHash) =>
    setDialog({ mode, environment, releaseHash });

  if (!overview.environments.length) {
    return (
      <EmptyState
        missing="field"
        title="No environments"
        description="Declare the entity's environments in promotion order with the assay.dev/environments annotation (e.g. dev,staging,prod), or configure delivery.promotion.environments."
      />
    );
  }

  const dialogReleases =
    dialog?.mode === 'rollback'
      ? overview.releases.filter(
          r =>
            r.hash !==
            overview.environments.find(e => e.name === dialog.environment)
              ?.deployed?.releaseHash,
        )
      : overview.releases;

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <InfoCard
          title="Environments"
          subheader={
            overview.environments.some(e => e.active)
              ? 'A promotion is under way; the tab refreshes by itself.'
              : 'Each release moves left to right; the gates of each next step are evaluated now.'
          }
          action={
            <Chip
              style={{ marginTop: 16, marginRight: 8 }}
              size="small"
              color={overview.mode === 'compliance' ? 'primary' : 'default'}
              label={
                overview.mode === 'compliance'
                  ? 'compliance mode: failing gates block'
                  : 'sandbox mode: failing gates warn'
              }
              data-testid="promotion-mode"
            />
          }
        >
          {outcome && !isStale(outcome, overview) && (
            <Alert
              severity={severityOf(outcome)}
              onClose={() => setOutcome(undefined)}
              style={{ marginBottom: 16 }}
              data-testid="promotion-outcome"
            >
              {outcomeText(outcome)}
            </Alert>
          )}
          <EnvironmentColumns
            overview={overview}
            userRef={state.userRef}
            version={state.version}
            onChanged={state.refresh}
            openDialog={openDialog}
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <InfoCard
          title="Promotion KPIs"
          subheader="This entity, all environments"
        >
          <KpiStrip kpi={state.kpis?.overall} />
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <InfoCard
          title="Releases"
          subheader="Immutable release records: the evidence each rests on (by hash) and what it ships (by digest)"
        >
          <ReleasesTable entityRef={entityRef} releases={overview.releases} />
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <InfoCard title="History">
          <PromotionHistory entityRef={entityRef} version={state.version} />
        </InfoCard>
      </Grid>
      {dialog && (
        <PromoteDialog
          open
          mode={dialog.mode}
          entityRef={entityRef}
          environment={dialog.environment}
          releases={dialogReleases}
          initialReleaseHash={dialog.releaseHash}
          onClose={() => setDialog(undefined)}
          onDone={promotion => {
            setDialog(undefined);
            setOutcome(promotion);
            state.refresh();
          }}
        />
      )}
    </Grid>
  );
}
