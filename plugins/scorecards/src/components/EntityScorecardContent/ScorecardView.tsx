import { InfoCard, Progress } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import { useEntityRefLink } from '@backstage/plugin-catalog-react';
import {
  scorecardsEntityRefreshPermission,
  scorecardsWaiverApprovePermission,
  scorecardsWaiverRequestPermission,
} from '@assay/plugin-scorecards-common';
import { Box, Button, Grid, Typography } from '@material-ui/core';
import RefreshIcon from '@material-ui/icons/Refresh';
import { useCallback, useState } from 'react';
import { CheckResult, CheckStatus, EntityResult } from '../../api/types';
import {
  useCurrentUserRef,
  useEntityHistory,
  useEntityScorecard,
  useEntityWaivers,
} from '../../hooks/useScorecards';
import {
  CATEGORIES,
  categoryLabel,
  formatDateTime,
  formatScore,
  STATUS_LABELS,
  STATUS_ORDER,
} from '../../lib/format';
import { LevelBadge } from '../LevelBadge';
import { errorMessage, ScorecardErrorPanel } from '../ScorecardErrorPanel';
import { EntityTrendChart } from '../TrendChart';
import { CheckRow, pickWaiver } from './CheckRow';
import { WaiverDialog } from './WaiverDialog';

function countByStatus(result: EntityResult) {
  const counts: Record<CheckStatus, number> = {
    pass: 0,
    fail: 0,
    warn: 0,
    unknown: 0,
    waived: 0,
  };
  result.checks.forEach(c => counts[c.status]++);
  return counts;
}

function groupByCategory(checks: CheckResult[]) {
  const known = new Set<string>(CATEGORIES);
  const order = [
    ...CATEGORIES,
    ...new Set(checks.map(c => c.category).filter(c => !known.has(c))),
  ];
  return order
    .map(category => ({
      category,
      checks: checks
        .filter(c => c.category === category)
        .sort(
          (a, b) =>
            STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) ||
            a.title.localeCompare(b.title),
        ),
    }))
    .filter(g => g.checks.length > 0);
}

/**
 * The Compliance tab body for one entity ref: level, score and mode; the
 * trend; every check grouped by category with why, how to fix, evidence
 * links and waivers.
 */
export function ScorecardView(props: { entityRef: string }) {
  const { entityRef } = props;
  const scorecard = useEntityScorecard(entityRef);
  const waivers = useEntityWaivers(entityRef);
  const [historyKey, setHistoryKey] = useState(0);
  const history = useEntityHistory(entityRef, 90, historyKey);
  const currentUserRef = useCurrentUserRef();
  const entityLink = useEntityRefLink();
  const canRefresh = usePermission({
    permission: scorecardsEntityRefreshPermission,
    resourceRef: entityRef,
  });
  const canRequest = usePermission({
    permission: scorecardsWaiverRequestPermission,
    resourceRef: entityRef,
  });
  const canApprove = usePermission({
    permission: scorecardsWaiverApprovePermission,
    resourceRef: entityRef,
  });
  const [dialogCheck, setDialogCheck] = useState<CheckResult>();

  const evidenceLink = useCallback(
    (hash: string) =>
      `${entityLink(entityRef)}/evidence?record=${encodeURIComponent(hash)}`,
    [entityLink, entityRef],
  );

  const { retry: retryWaivers } = waivers;
  const { retry: retryScorecard } = scorecard;
  const onWaiverDecided = useCallback(() => {
    // an approval recomputes the entity on the server
    retryWaivers();
    retryScorecard();
    setHistoryKey(k => k + 1);
  }, [retryWaivers, retryScorecard]);

  const refresh = async () => {
    await scorecard.refresh();
    setHistoryKey(k => k + 1);
  };

  if (scorecard.loading) return <Progress />;
  if (scorecard.error) return <ScorecardErrorPanel error={scorecard.error} />;
  const result = scorecard.value;
  if (!result) return null;
  const counts = countByStatus(result);
  const groups = groupByCategory(result.checks);

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={5}>
        <InfoCard
          title="Compliance"
          subheader={`${result.mode} mode · computed ${formatDateTime(
            result.computedAt,
          )}`}
          action={
            canRefresh.allowed ? (
              <Box mt={1} mr={1}>
                <Button
                  size="small"
                  variant="outlined"
                  startIcon={<RefreshIcon />}
                  disabled={scorecard.refreshing}
                  onClick={refresh}
                >
                  {scorecard.refreshing ? 'Refreshing…' : 'Refresh'}
                </Button>
              </Box>
            ) : undefined
          }
        >
          <Box display="flex" alignItems="center" style={{ gap: 12 }} mb={1}>
            <LevelBadge level={result.level} size="medium" />
            <Typography
              variant="h4"
              component="span"
              data-testid="scorecard-score"
            >
              {formatScore(result.score)}
            </Typography>
            <Typography variant="body2" color="textSecondary">
              / 100
            </Typography>
          </Box>
          <Typography variant="body2" data-testid="scorecard-counts">
            {STATUS_ORDER.filter(s => counts[s] > 0)
              .map(s => `${counts[s]} ${STATUS_LABELS[s].toLowerCase()}`)
              .join(' · ') || 'No checks apply'}
          </Typography>
          {result.mode === 'sandbox' && (
            <Typography variant="caption" color="textSecondary">
              Sandbox mode: failures show as warnings, missing facts as unknown.
            </Typography>
          )}
          {scorecard.refreshError && (
            <Typography variant="body2" color="error" role="alert">
              Refresh failed: {errorMessage(scorecard.refreshError)}
            </Typography>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={7}>
        <InfoCard title="Trend (90 days)">
          {history.loading && <Progress />}
          {history.error && (
            <ScorecardErrorPanel
              error={history.error}
              title="Could not load the history"
              dense
            />
          )}
          {history.value && <EntityTrendChart points={history.value} />}
        </InfoCard>
      </Grid>
      {waivers.error && (
        <Grid item xs={12}>
          <Typography variant="body2" color="error" role="alert">
            Could not load waivers: {errorMessage(waivers.error)}
          </Typography>
        </Grid>
      )}
      {groups.length === 0 && (
        <Grid item xs={12}>
          <InfoCard title="Checks">
            <Typography variant="body2" color="textSecondary">
              No checks apply to this entity.
            </Typography>
          </InfoCard>
        </Grid>
      )}
      {groups.map(g => (
        <Grid
          item
          xs={12}
          key={g.category}
          data-testid={`category-${g.category}`}
        >
          <InfoCard
            title={categoryLabel(g.category)}
            subheader={`${
              g.checks.filter(c => c.status === 'pass' || c.status === 'waived')
                .length
            } of ${g.checks.length} passing or waived`}
          >
            {g.checks.map(c => (
              <CheckRow
                key={c.id}
                check={c}
                waiver={pickWaiver(c, waivers.value ?? [])}
                evidenceLink={evidenceLink}
                canRequestWaiver={canRequest.allowed}
                canApproveWaiver={canApprove.allowed}
                currentUserRef={currentUserRef}
                onRequestWaiver={setDialogCheck}
                onWaiverDecided={onWaiverDecided}
              />
            ))}
          </InfoCard>
        </Grid>
      ))}
      {dialogCheck && (
        <WaiverDialog
          open
          entityRef={entityRef}
          check={dialogCheck}
          mode={result.mode}
          onClose={() => setDialogCheck(undefined)}
          onRequested={() => {
            setDialogCheck(undefined);
            retryWaivers();
          }}
        />
      )}
    </Grid>
  );
}
