import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import { statusLabel, Tone, toneOf } from '../../lib/promotionFormat';

const useStyles = makeStyles(theme => ({
  good: {
    backgroundColor: theme.palette.success?.main ?? '#2e7d32',
    color: theme.palette.success?.contrastText ?? '#fff',
  },
  warn: {
    backgroundColor: theme.palette.warning?.main ?? '#ed6c02',
    color: theme.palette.warning?.contrastText ?? '#000',
  },
  bad: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  busy: {
    backgroundColor: theme.palette.info?.main ?? theme.palette.primary.main,
    color: theme.palette.info?.contrastText ?? '#fff',
  },
  neutral: {},
}));

/** A small coloured chip for a promotion, plan or gate status. */
export function StatusChip(props: {
  status: string;
  label?: string;
  tone?: Tone;
  'data-testid'?: string;
}) {
  const classes = useStyles();
  const tone = props.tone ?? toneOf(props.status);
  return (
    <Chip
      size="small"
      label={props.label ?? statusLabel(props.status)}
      className={classes[tone]}
      data-testid={props['data-testid']}
      data-status={props.status}
    />
  );
}
