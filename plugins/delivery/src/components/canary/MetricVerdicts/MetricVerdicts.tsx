import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  CanaryAnalysis,
  CanaryMetricResult,
  CanaryThresholdResult,
} from '../../../api/types';
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
  warn: {
    background: theme.palette.warning.main,
    color: theme.palette.warning.contrastText ?? '#000',
  },
  neutral: {},
  reason: { maxWidth: 520 },
  numbers: { whiteSpace: 'nowrap' },
}));

const FAILING = ['High', 'Low', 'NodataFailMetric', 'Error', 'Fail', 'Failed'];
const WARNING = ['Marginal', 'Inconclusive', 'Nodata'];

export function ClassificationChip(props: {
  classification: string;
  observeOnly?: boolean;
}) {
  const classes = useStyles();
  const { classification, observeOnly } = props;
  let className = classes.neutral;
  if (classification === 'Pass' || classification === 'Successful') {
    className = classes.pass;
  } else if (!observeOnly && FAILING.includes(classification)) {
    className = classes.fail;
  } else if (!observeOnly && WARNING.includes(classification)) {
    className = classes.warn;
  }
  const label =
    (CLASSIFICATION_LABELS as Record<string, string>)[classification] ??
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

const isObserveOnly = (m: { muted?: boolean; observeOnly?: boolean }) =>
  Boolean(m.muted ?? m.observeOnly);

function tags(parts: Array<string | false | undefined>) {
  const text = parts.filter(Boolean).join(' · ');
  return text ? (
    <Typography variant="caption" color="textSecondary" component="div">
      {text}
    </Typography>
  ) : null;
}

function StatisticalRow(props: { m: CanaryMetricResult; unit?: string }) {
  const classes = useStyles();
  const { m } = props;
  const observeOnly = isObserveOnly(m);
  const unit = props.unit ? ` ${props.unit}` : '';
  const side = (mean?: number | null, n?: number) =>
    `${formatNumber(mean)}${mean !== undefined && mean !== null ? unit : ''}${
      n !== undefined ? ` (n ${n})` : ''
    }`;
  return (
    <TableRow data-testid={`canary-verdict-${m.name}`}>
      <TableCell>
        <Typography variant="body2">
          <strong>{m.name}</strong>
        </Typography>
        {tags([
          m.group,
          m.critical && 'critical',
          observeOnly && 'observe only (never decides)',
        ])}
      </TableCell>
      <TableCell>
        <ClassificationChip
          classification={m.classification}
          observeOnly={observeOnly}
        />
      </TableCell>
      <TableCell className={classes.numbers}>
        canary {side(m.canaryMean, m.canaryCount)}
        <br />
        baseline {side(m.baselineMean, m.baselineCount)}
      </TableCell>
      <TableCell className={classes.numbers}>
        {formatNumber(m.estimate)} {formatInterval(m.confidenceInterval)}
        <br />
        effect {formatNumber(m.effectSize)}
      </TableCell>
      <TableCell className={classes.reason}>
        <Typography variant="body2">{m.reason}</Typography>
      </TableCell>
    </TableRow>
  );
}

function ThresholdRow(props: { t: CanaryThresholdResult; unit?: string }) {
  const classes = useStyles();
  const { t } = props;
  const observeOnly = isObserveOnly(t);
  const last = t.measurements?.[t.measurements.length - 1];
  const unit = props.unit ? ` ${props.unit}` : '';
  return (
    <TableRow data-testid={`canary-verdict-${t.name}`}>
      <TableCell>
        <Typography variant="body2">
          <strong>{t.name}</strong>
        </Typography>
        {tags([
          'threshold',
          observeOnly && 'observe only (never decides)',
          t.failed !== undefined &&
            `${t.failed} failed, ${t.inconclusive ?? 0} inconclusive`,
        ])}
      </TableCell>
      <TableCell>
        <ClassificationChip
          classification={t.phase}
          observeOnly={observeOnly}
        />
      </TableCell>
      <TableCell className={classes.numbers}>
        canary {formatNumber(last?.value)}
        {last?.value !== null && last?.value !== undefined ? unit : ''}
        <br />
        baseline {formatNumber(last?.baselineValue)}
        {last?.baselineValue !== null && last?.baselineValue !== undefined
          ? unit
          : ''}
      </TableCell>
      <TableCell className={classes.numbers}>
        limit {formatNumber(last?.limit)}
        {last?.limit !== null && last?.limit !== undefined ? unit : ''}
      </TableCell>
      <TableCell className={classes.reason}>
        <Typography variant="body2">{t.reason}</Typography>
      </TableCell>
    </TableRow>
  );
}

/**
 * The verdict of one analysis, metric by metric: classification, the
 * numbers behind it and the rule that decided it, in words.
 */
export function MetricVerdicts(props: {
  analysis: CanaryAnalysis;
  /** unit per metric name */
  units?: Record<string, string | undefined>;
}) {
  const { analysis, units = {} } = props;
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
      {verdict.reason && (
        <Typography variant="body2" color="textSecondary" gutterBottom>
          {verdict.reason}
        </Typography>
      )}
      <Table size="small" aria-label="metric verdicts">
        <TableHead>
          <TableRow>
            <TableCell>Metric</TableCell>
            <TableCell>Verdict</TableCell>
            <TableCell>Measured (mean, samples)</TableCell>
            <TableCell>Canary − baseline (estimate, CI)</TableCell>
            <TableCell>Rule, in words</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {verdict.metrics.map(m => (
            <StatisticalRow key={m.name} m={m} unit={units[m.name]} />
          ))}
          {(verdict.thresholdMetrics ?? []).map(t => (
            <ThresholdRow key={`t-${t.name}`} t={t} unit={units[t.name]} />
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
