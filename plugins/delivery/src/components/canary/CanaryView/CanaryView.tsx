import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import { ResponseError } from '@backstage/errors';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useMemo, useState } from 'react';
import { CanaryRunDetail } from '../../../api/types';
import { isActive, useCanary } from '../../../hooks/useCanary';
import { formatTime, shortRef, STATUS_LABELS } from '../../../lib/format';
import { canaryStartPermission } from '../../../lib/permissions';
import { CanaryActions } from '../CanaryActions';
import { CanaryStepper } from '../CanaryStepper';
import { MetricCharts } from '../MetricCharts';
import { MetricVerdicts } from '../MetricVerdicts';
import { RollbackExplanation } from '../RollbackExplanation';
import { RunEvents, RunList } from '../RunHistory';
import { StartCanaryDialog } from '../StartCanaryDialog';
import { TrafficSplitBar } from '../TrafficSplitBar';

const isForbidden = (e?: Error) =>
  (e instanceof ResponseError && e.statusCode === 403) ||
  e?.name === 'NotAllowedError';

function StartButton(props: {
  entityRef: string;
  disabled?: boolean;
  onClick(): void;
}) {
  const { allowed } = usePermission({
    permission: canaryStartPermission,
    resourceRef: props.entityRef,
  });
  if (!allowed) return null;
  return (
    <Button
      variant="contained"
      color="primary"
      onClick={props.onClick}
      disabled={props.disabled}
      data-testid="canary-start"
    >
      Start canary
    </Button>
  );
}

/**
 * The canary's newest measured traffic share (from the metrics' traffic
 * split, taken at each analysis) and the weight requested at that time.
 */
export function lastObserved(
  run: CanaryRunDetail,
): { observed: number; requested: number } | undefined {
  for (let i = run.weights.length - 1; i >= 0; i--) {
    const w = run.weights[i];
    if (w.observed !== undefined && w.observed !== null) {
      return { observed: w.observed, requested: w.requested };
    }
  }
  return undefined;
}

function RunHeader(props: { run: CanaryRunDetail }) {
  const { run } = props;
  return (
    <Box display="flex" alignItems="center" flexWrap="wrap" style={{ gap: 8 }}>
      <Typography variant="h6" component="h3" style={{ margin: 0 }}>
        {run.version}
      </Typography>
      <Typography variant="body2" color="textSecondary" component="span">
        vs baseline {run.baselineVersion}
      </Typography>
      <Chip
        size="small"
        label={STATUS_LABELS[run.status] ?? run.status}
        color={isActive(run.status) ? 'primary' : 'default'}
        data-testid="canary-status"
      />
      {run.simulation && (
        <Chip
          size="small"
          variant="outlined"
          label={`simulated metrics: ${run.simulation}`}
        />
      )}
      <Typography variant="caption" color="textSecondary" component="span">
        started {formatTime(run.createdAt)} by {shortRef(run.createdBy)}
        {run.nextAnalysisAt && isActive(run.status)
          ? ` · next analysis ${formatTime(run.nextAnalysisAt)}`
          : ''}
      </Typography>
    </Box>
  );
}

/**
 * The canary tab body for one entity ref: the run on screen (the active
 * one, else the newest, else the one picked from the history) with its
 * steps, traffic split, verdicts, charts and decisions.
 */
export function CanaryView(props: { entityRef: string; pollMs?: number }) {
  const { entityRef, pollMs } = props;
  const canary = useCanary(entityRef, { pollMs });
  const [dialogOpen, setDialogOpen] = useState(false);
  const run = canary.run;
  const analysisWeights = useMemo(
    () => new Map((run?.analyses ?? []).map(a => [a.id, a.weight])),
    [run],
  );

  if (canary.loading) return <Progress />;
  if (canary.error) {
    if (isForbidden(canary.error)) {
      return (
        <EmptyState
          missing="info"
          title="You may not see this entity's canary runs"
          description="Reading canary runs needs the delivery.canary.read permission on this entity. Ask the entity's owners or a portal admin."
        />
      );
    }
    return <ResponseErrorPanel error={canary.error} />;
  }

  const runs = canary.runs?.items ?? [];
  const activeRunId = canary.runs?.activeRunId;
  const onStarted = (started: CanaryRunDetail) => {
    setDialogOpen(false);
    canary.select(started.id);
    canary.refresh();
  };
  const dialog = (
    <StartCanaryDialog
      open={dialogOpen}
      entityRef={entityRef}
      config={canary.config}
      onClose={() => setDialogOpen(false)}
      onStarted={onStarted}
    />
  );
  const startButton = (
    <StartButton
      entityRef={entityRef}
      disabled={Boolean(activeRunId)}
      onClick={() => setDialogOpen(true)}
    />
  );

  if (!runs.length) {
    return (
      <>
        <EmptyState
          missing="content"
          title="No canary yet — start one"
          description={`A canary sends a growing share of traffic (${(
            canary.config?.steps ?? [10, 50, 100]
          ).join(
            '% → ',
          )}%) to a new version, compares its metrics with the stable version at every step and rolls back by itself when they get worse. Every decision is recorded as evidence. Owners of this entity can start one.`}
          action={startButton}
        />
        {dialog}
      </>
    );
  }

  const latest = run?.analyses.length
    ? run.analyses[run.analyses.length - 1]
    : undefined;
  return (
    <>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <InfoCard
            title="Canary"
            subheader={
              activeRunId
                ? 'A run is active; the tab refreshes by itself.'
                : 'No run is active.'
            }
            action={
              <Box mt={1} mr={1}>
                {startButton}
              </Box>
            }
          >
            {!run && canary.runError && (
              <ResponseErrorPanel error={canary.runError} />
            )}
            {!run && !canary.runError && <Progress />}
            {run && (
              <>
                <Box
                  display="flex"
                  justifyContent="space-between"
                  alignItems="center"
                  flexWrap="wrap"
                  style={{ gap: 8 }}
                >
                  <RunHeader run={run} />
                  <CanaryActions
                    entityRef={entityRef}
                    run={run}
                    onDone={() => canary.refresh()}
                  />
                </Box>
                <Box mt={2}>
                  <RollbackExplanation run={run} />
                </Box>
                <CanaryStepper steps={run.steps} current={run.currentStep} />
                <TrafficSplitBar
                  requested={run.requestedWeight}
                  observed={lastObserved(run)}
                />
              </>
            )}
          </InfoCard>
        </Grid>
        {run && (
          <>
            <Grid item xs={12}>
              <InfoCard
                title="Verdict per metric"
                subheader="Canary compared with the baseline (Mann-Whitney estimate, confidence interval, effect size) and the rule that decided."
              >
                {latest ? (
                  <MetricVerdicts
                    analysis={latest}
                    units={Object.fromEntries(
                      run.metrics.map(m => [
                        m.name,
                        typeof m.unit === 'string' ? m.unit : undefined,
                      ]),
                    )}
                  />
                ) : (
                  <Typography variant="body2" color="textSecondary">
                    No analysis yet: the first one runs after the first step's
                    interval.
                  </Typography>
                )}
              </InfoCard>
            </Grid>
            <Grid item xs={12}>
              <InfoCard
                title="Canary vs baseline"
                subheader="Per metric over the run; dashed lines mark the analyses and their canary weight."
              >
                <MetricCharts
                  measurements={run.measurements}
                  weights={analysisWeights}
                />
              </InfoCard>
            </Grid>
            <Grid item xs={12} lg={7}>
              <InfoCard
                title="Decisions"
                subheader="Every decision is a canary evidence record."
              >
                <RunEvents entityRef={entityRef} events={run.events} />
              </InfoCard>
            </Grid>
          </>
        )}
        <Grid item xs={12} lg={run ? 5 : 12}>
          <InfoCard title="Run history">
            <RunList
              runs={runs}
              selectedId={canary.selectedRunId}
              onSelect={canary.select}
            />
          </InfoCard>
        </Grid>
      </Grid>
      {dialog}
    </>
  );
}
