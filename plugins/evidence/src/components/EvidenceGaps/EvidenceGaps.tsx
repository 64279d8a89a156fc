import { InfoCard } from '@backstage/core-components';
import {
  List,
  ListItem,
  ListItemIcon,
  ListItemText,
  Typography,
} from '@material-ui/core';
import CheckCircleOutline from '@material-ui/icons/CheckCircleOutline';
import ErrorOutline from '@material-ui/icons/ErrorOutline';
import ScheduleIcon from '@material-ui/icons/Schedule';
import { EvidenceSummary, MissingCategory } from '../../api/types';
import { formatDate, formatRelative } from '../../lib/format';

function gapText(m: MissingCategory): string {
  if (m.reason === 'never') {
    return `Never recorded — required at least every ${m.maxAgeDays} days`;
  }
  return `Last recorded ${formatRelative(m.lastRecordedAt)} (${formatDate(
    m.lastRecordedAt,
  )}) — older than the ${m.maxAgeDays}-day limit`;
}

/**
 * "What's missing": the categories the entity's compliance mode requires
 * that have no fresh record.
 */
export function EvidenceGaps(props: { summary: EvidenceSummary }) {
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
      <List dense disablePadding>
        <ListItem disableGutters>
          <ListItemIcon>
            <CheckCircleOutline color="primary" />
          </ListItemIcon>
          <ListItemText
            primary="Nothing missing"
            secondary={`All ${requiredCategories.length} categories required in ${complianceMode} mode have a fresh record.`}
          />
        </ListItem>
      </List>
    );
  } else {
    body = (
      <List dense disablePadding aria-label="missing evidence">
        {missing.map(m => (
          <ListItem key={m.category} disableGutters>
            <ListItemIcon>
              {m.reason === 'never' ? (
                <ErrorOutline color="error" />
              ) : (
                <ScheduleIcon color="secondary" />
              )}
            </ListItemIcon>
            <ListItemText
              primary={`${m.category} ${
                m.reason === 'never' ? 'missing' : 'stale'
              }`}
              secondary={gapText(m)}
            />
          </ListItem>
        ))}
      </List>
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
