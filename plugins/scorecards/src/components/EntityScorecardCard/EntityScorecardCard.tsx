import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Progress } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Box, List, ListItem, Typography } from '@material-ui/core';
import { EntityResult } from '../../api/types';
import { useEntityScorecard } from '../../hooks/useScorecards';
import { isScorecardAvailable } from '../../lib/entity';
import { formatScore, STATUS_ORDER } from '../../lib/format';
import { LevelBadge } from '../LevelBadge';
import { ScorecardErrorPanel } from '../ScorecardErrorPanel';
import { StatusChip } from '../StatusChip';

const SHOWN = 5;

function Summary(props: { result: EntityResult }) {
  const { result } = props;
  const attention = result.checks
    .filter(c => c.status === 'fail' || c.status === 'warn')
    .sort(
      (a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status),
    );
  const failing = result.checks.filter(c => c.status === 'fail').length;
  return (
    <>
      <Box display="flex" alignItems="center" mb={1} style={{ gap: 12 }}>
        <LevelBadge level={result.level} size="medium" />
        <Typography variant="h5" component="span" data-testid="scorecard-score">
          {formatScore(result.score)}
          <Typography variant="body2" component="span" color="textSecondary">
            {' '}
            / 100
          </Typography>
        </Typography>
        <Typography variant="body2" color="textSecondary">
          {result.mode} mode
        </Typography>
      </Box>
      <Typography variant="body2" color="textSecondary">
        {failing === 0
          ? 'No failing checks'
          : `${failing} failing check${failing === 1 ? '' : 's'}`}
        {` of ${result.checks.length}`}
      </Typography>
      {attention.length > 0 && (
        <List dense disablePadding aria-label="checks needing attention">
          {attention.slice(0, SHOWN).map(c => (
            <ListItem key={c.id} disableGutters style={{ gap: 8 }}>
              <StatusChip status={c.status} />
              <Box>
                <Typography variant="body2">{c.title}</Typography>
                <Typography variant="caption" color="textSecondary">
                  {c.reason}
                </Typography>
              </Box>
            </ListItem>
          ))}
          {attention.length > SHOWN && (
            <ListItem disableGutters>
              <Typography variant="caption" color="textSecondary">
                and {attention.length - SHOWN} more
              </Typography>
            </ListItem>
          )}
        </List>
      )}
    </>
  );
}

function CardBody(props: { entityRef: string }) {
  const { value, loading, error } = useEntityScorecard(props.entityRef);
  if (loading) return <Progress />;
  if (error) return <ScorecardErrorPanel error={error} dense />;
  if (!value) return null;
  return <Summary result={value} />;
}

/**
 * Compact compliance summary for an entity's overview: level, score and the
 * checks that fail.
 *
 * @public
 */
export function EntityScorecardCard(props: {
  /** link to the Compliance tab, relative to the entity page (default `compliance`) */
  tabPath?: string;
}) {
  const { entity } = useEntity();
  const available = isScorecardAvailable(entity);
  return (
    <InfoCard
      title="Compliance scorecard"
      deepLink={
        available
          ? { title: 'Open compliance', link: props.tabPath ?? 'compliance' }
          : undefined
      }
    >
      {available ? (
        <CardBody entityRef={stringifyEntityRef(entity)} />
      ) : (
        <Typography variant="body2" color="textSecondary">
          Scorecards are computed for components, or for entities with the
          annotation <code>assay.dev/compliance-mode</code>.
        </Typography>
      )}
    </InfoCard>
  );
}
