import { Typography } from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';
import { FormattedFacts } from '../../lib/formatFacts';

const useStyles = makeStyles(theme => ({
  ok: { color: theme.palette.success?.main ?? theme.palette.text.primary },
  warning: { color: theme.palette.warning?.main ?? theme.palette.text.primary },
  error: { color: theme.palette.error.main, fontWeight: 500 },
  neutral: {},
}));

/** A facts line, coloured by its tone. */
export function FactsText(props: { facts: FormattedFacts; noWrap?: boolean }) {
  const classes = useStyles();
  const { facts, noWrap } = props;
  return (
    <Typography
      variant="body2"
      component="span"
      noWrap={noWrap}
      className={classes[facts.tone]}
      title={noWrap ? facts.text : undefined}
    >
      {facts.text || '—'}
    </Typography>
  );
}
