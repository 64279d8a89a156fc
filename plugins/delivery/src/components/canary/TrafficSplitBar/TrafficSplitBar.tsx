import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  row: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1.5),
    marginBottom: theme.spacing(1),
  },
  label: { width: 92, flexShrink: 0 },
  bar: {
    flex: 1,
    display: 'flex',
    height: 22,
    borderRadius: 4,
    overflow: 'hidden',
    background: theme.palette.action.hover,
  },
  canary: {
    background: theme.palette.warning.main,
    color: theme.palette.getContrastText(theme.palette.warning.main),
  },
  stable: {
    background: theme.palette.primary.main,
    color: theme.palette.primary.contrastText,
  },
  segment: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    fontSize: 12,
    fontWeight: 500,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    transition: 'width 400ms ease',
  },
  legend: {
    display: 'flex',
    gap: theme.spacing(2),
    marginTop: theme.spacing(0.5),
  },
  swatch: {
    display: 'inline-block',
    width: 10,
    height: 10,
    borderRadius: 2,
    marginRight: theme.spacing(0.5),
  },
}));

const clamp = (n: number) => Math.min(100, Math.max(0, n));
const pct = (n: number) => `${Math.round(n * 10) / 10}%`;

function SplitRow(props: {
  label: string;
  canaryWeight: number;
  testId: string;
}) {
  const classes = useStyles();
  const canary = clamp(props.canaryWeight);
  return (
    <div className={classes.row} data-testid={props.testId}>
      <Typography variant="body2" className={classes.label}>
        {props.label}
      </Typography>
      <div
        className={classes.bar}
        role="img"
        aria-label={`${props.label}: canary ${pct(canary)}, stable ${pct(
          100 - canary,
        )}`}
      >
        <div
          className={`${classes.segment} ${classes.canary}`}
          style={{ width: `${canary}%` }}
        >
          {canary >= 8 ? pct(canary) : ''}
        </div>
        <div
          className={`${classes.segment} ${classes.stable}`}
          style={{ width: `${100 - canary}%` }}
        >
          {100 - canary >= 8 ? pct(100 - canary) : ''}
        </div>
      </div>
    </div>
  );
}

/**
 * The traffic split of a canary: the weight the rollout asks the mesh for
 * now, and the share of traffic the canary actually served at the last
 * analysis (from the metrics), with the weight requested at that time.
 */
export function TrafficSplitBar(props: {
  requested: number;
  observed?: { observed: number; requested: number };
}) {
  const classes = useStyles();
  const { requested, observed } = props;
  const drift = observed
    ? Math.abs(observed.observed - observed.requested)
    : undefined;
  return (
    <Box data-testid="canary-traffic-split">
      <SplitRow
        label="Requested"
        canaryWeight={requested}
        testId="canary-split-requested"
      />
      {observed ? (
        <SplitRow
          label="Observed"
          canaryWeight={observed.observed}
          testId="canary-split-observed"
        />
      ) : (
        <Typography
          variant="body2"
          color="textSecondary"
          data-testid="canary-split-observed-none"
        >
          Observed: not measured yet; the first analysis measures the split.
        </Typography>
      )}
      <div className={classes.legend}>
        <Typography variant="caption">
          <span className={`${classes.swatch} ${classes.canary}`} />
          canary
        </Typography>
        <Typography variant="caption">
          <span className={`${classes.swatch} ${classes.stable}`} />
          stable
        </Typography>
        {observed && (
          <Typography
            variant="caption"
            color="textSecondary"
            data-testid="canary-split-observed-note"
          >
            observed at the last analysis, while {pct(observed.requested)} was
            requested
          </Typography>
        )}
        {drift !== undefined && drift >= 5 && (
          <Typography variant="caption" color="error">
            observed differs from what was requested by {pct(drift)}
          </Typography>
        )}
      </div>
    </Box>
  );
}
