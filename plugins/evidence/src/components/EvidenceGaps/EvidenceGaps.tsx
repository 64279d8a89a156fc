import { InfoCard } from '@backstage/core-components';
import { Typography } from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';
import CheckCircleOutline from '@material-ui/icons/CheckCircleOutline';
import ErrorOutline from '@material-ui/icons/ErrorOutline';
import ScheduleIcon from '@material-ui/icons/Schedule';
import { ReactNode } from 'react';
import { EvidenceSummary, MissingCategory } from '../../api/types';
import { formatDate, formatRelative } from '../../lib/format';

const useStyles = makeStyles(theme => ({
  list: { listStyle: 'none', margin: 0, padding: 0 },
  item: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: theme.spacing(1.5),
    padding: theme.spacing(0.75, 0),
  },
  text: { minWidth: 0, overflowWrap: 'anywhere' },
}));

function gapText(m: MissingCategory): string {
  if (m.reason === 'never') {
    return `Never recorded — required at least every ${m.maxAgeDays} days`;
  }
  if (m.reason === 'unverified') {
    return `The newest record does not verify, so it counts for nothing: ${
      m.problem ?? 'its stored bytes do not match'
    }`;
  }
  return `Last recorded ${formatRelative(m.lastRecordedAt)} (${formatDate(
    m.lastRecordedAt,
  )}) — older than the ${m.maxAgeDays}-day limit`;
}

function Item(props: { icon: ReactNode; primary: string; secondary: string }) {
  const classes = useStyles();
  return (
    <li className={classes.item}>
      {props.icon}
      <div className={classes.text}>
        <Typography variant="body1">{props.primary}</Typography>
        <Typography variant="body2" color="textSecondary">
          {props.secondary}
        </Typography>
      </div>
    </li>
  );
}

/**
 * "What's missing": the categories the entity's compliance mode requires
 * that have no fresh record.
 */
export function EvidenceGaps(props: { summary: EvidenceSummary }) {
  const classes = useStyles();
  const { complianceMode, requiredCategories, missing } = props.summary;
  let body;
  if (!complianceMode) {
    body = (
      <Typography variant="body2" color="textSecondary">
        This entity has no compliance mode (annotation{' '}
        <code>assay.dev/compliance-mode</code>), so no evidence is required.
      </Typography>
    );
  } else if (missing.length === 0) {
    body = (
      <ul className={classes.list}>
        <Item
          icon={<CheckCircleOutline color="primary" />}
          primary="Nothing missing"
          secondary={`All ${requiredCategories.length} categories required in ${complianceMode} mode have a fresh record.`}
        />
      </ul>
    );
  } else {
    body = (
      <ul className={classes.list} aria-label="missing evidence">
        {missing.map(m => (
          <Item
            key={m.category}
            icon={
              m.reason !== 'stale' ? (
                <ErrorOutline color="error" />
              ) : (
                <ScheduleIcon color="secondary" />
              )
            }
            primary={`${m.category} ${
              m.reason === 'never' ? 'missing' : m.reason
            }`}
            secondary={gapText(m)}
          />
        ))}
      </ul>
    );
  }
  return (
    <InfoCard
      title="What's missing"
      subheader={
        complianceMode
          ? `${complianceMode} mode requires: ${
              requiredCategories.join(', ') || 'nothing'
            }`
          : undefined
      }
    >
      {body}
    </InfoCard>
  );
}
