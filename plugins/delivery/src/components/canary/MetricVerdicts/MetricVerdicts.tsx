import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { CanaryAnalysis, MetricClassification } from '../../../api/types';
import {
  CLASSIFICATION_LABELS,
  formatInterval,
  formatNumber,
  formatTime,
} from '../../../lib/format';

const useStyles = makeStyles(theme => ({
  pass: {
    background: theme.palette.success.main,
    color: theme.palette.success.contrastText ?? '#fff',
  },
  fail: {
    background: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  neutral: {},
  reason: { maxWidth: 520 },
  numbers: { whiteSpace: 'nowrap' },
}));

export function ClassificationChip(props: {
  classification: MetricClassification | 'Marginal' | 'Fail';
  observeOnly?: boolean;
}) {
  const classes = useStyles();
  const { classification, observeOnly } = props;
  const failing = ['High', 'Low', 'NodataFailMetric', 'Error', 'Fail'].includes(
    classification,
  );
  let className = classes.neutral;
  if (classification === 'Pass') className = classes.pass;
  else if (failing && !observeOnly) className = classes.fail;
  const label =
    CLASSIFICATION_LABELS[classification as MetricClassification] ??
    classification;
  return (
    <Chip
      size="small"
      label={label}
      className={className}
      variant={observeOnly ? 'outlined' : 'default'}
    />
  );
}

/**
 * The verdict of one analysis, metric by metric: classification, the
 * numbers behind it and the rule that decided it, in words.
 */
export function MetricVerdicts(props: { analysis: CanaryAnalysis }) {
  const classes = useStyles();
  const { analysis } = props;
  const { verdict } = analysis;
  return (
    <div data-testid="canary-verdicts">
      <Typography variant="body2" component="div" gutterBottom>
        Step {analysis.step + 1} ({analysis.weight}% canary), analysis
        {analysis.attempt > 1 ? ` (attempt ${analysis.attempt})` : ''} at{' '}
        {formatTime(analysis.at)}: score{' '}
        <strong>{formatNumber(verdict.score)}</strong> →{' '}
        <ClassificationChip classification={verdict.classification} /> →{' '}
        <strong>{analysis.outcome}</strong>
      </Typography>
      <Table size="small" aria-label="metric verdicts">
        <TableHead>
          <TableRow>
            <TableCell>Metric</TableCell>
            <TableCell>Verdict</TableCell>
            <TableCell>Canary − baseline (estimate, CI)</TableCell>
            <TableCell>Effect size</TableCell>
            <TableCell>Rule, in words</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {verdict.metrics.map(m => (
            <TableRow key={m.name} data-testid={`canary-verdict-${m.name}`}>
              <TableCell>
                <Typography variant="body2">
                  <strong>{m.name}</strong>
                </Typography>
                <Typography variant="caption" color="textSecondary">
                  {[
                    m.group,
                    m.critical ? 'critical' : undefined,
                    m.observeOnly ? 'observe only (never decides)' : undefined,
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </Typography>
              </TableCell>
              <TableCell>
                <ClassificationChip
                  classification={m.classification}
                  observeOnly={m.observeOnly}
                />
              </TableCell>
              <TableCell className={classes.numbers}>
                {formatNumber(m.estimate)}{' '}
                {formatInterval(m.confidenceInterval)}
              </TableCell>
              <TableCell className={classes.numbers}>
                {formatNumber(m.effectSize)}
              </TableCell>
              <TableCell className={classes.reason}>
                <Typography variant="body2">{m.reason}</Typography>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
