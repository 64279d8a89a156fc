import { Chip, Tooltip } from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';
import GavelIcon from '@material-ui/icons/Gavel';
import LockIcon from '@material-ui/icons/Lock';
import { EvidenceSummary } from '../../api/types';
import { formatDate } from '../../lib/format';

const useStyles = makeStyles(theme => ({
  root: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1) },
  hold: {
    borderColor: theme.palette.warning?.main ?? theme.palette.secondary.main,
  },
}));

const MODE_TEXT = {
  governance:
    'Governance mode: holders of the retention bypass permission may purge early, and every early purge is itself recorded as evidence.',
  compliance:
    'Compliance mode: nobody can purge evidence before its retention period ends.',
};

/** Retention policy and legal hold, as badges. */
export function RetentionBadges(props: { summary: EvidenceSummary }) {
  const classes = useStyles();
  const { retention, legalHold } = props.summary;
  const rules = retention.rules
    .map(r => `${r.category}: ${r.years} years`)
    .join(', ');
  return (
    <div className={classes.root}>
      <Tooltip
        title={`${
          MODE_TEXT[retention.mode] ?? ''
        } Payloads are purged when retention expires; envelopes and hashes stay, so the chain keeps verifying.${
          rules ? ` Rules: ${rules}.` : ''
        }`}
      >
        <Chip
          size="small"
          variant="outlined"
          icon={<LockIcon />}
          label={`Retention: ${retention.mode}, ${
            retention.defaultYears
          } years${
            retention.rules.length
              ? ` (${retention.rules.length} category rules)`
              : ''
          }`}
          data-testid="evidence-retention-badge"
        />
      </Tooltip>
      {legalHold && (
        <Tooltip
          title={`Set by ${legalHold.setBy} on ${formatDate(
            legalHold.setAt,
          )}: ${legalHold.reason}. Nothing is purged while the hold lasts.`}
        >
          <Chip
            size="small"
            variant="outlined"
            color="secondary"
            className={classes.hold}
            icon={<GavelIcon />}
            label="Legal hold"
            data-testid="evidence-legal-hold-badge"
          />
        </Tooltip>
      )}
    </div>
  );
}
