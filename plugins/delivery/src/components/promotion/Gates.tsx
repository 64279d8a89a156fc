import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import CheckIcon from '@material-ui/icons/CheckCircle';
import CloseIcon from '@material-ui/icons/Cancel';
import WarningIcon from '@material-ui/icons/Warning';
import PendingIcon from '@material-ui/icons/HourglassEmpty';
import Alert from '@material-ui/lab/Alert';
import {
  GateEvaluation,
  GateResult,
  GateStatus,
} from '../../api/promotionTypes';
import { GATE_STATUS_LABELS } from '../../lib/promotionFormat';
import { EvidenceHashLink } from './EvidenceHashLink';

const useStyles = makeStyles(theme => ({
  pass: { color: theme.palette.success?.main ?? '#2e7d32' },
  warn: { color: theme.palette.warning?.main ?? '#ed6c02' },
  fail: { color: theme.palette.error.main },
  passChip: { borderColor: theme.palette.success?.main ?? '#2e7d32' },
  warnChip: { borderColor: theme.palette.warning?.main ?? '#ed6c02' },
  failChip: {
    borderColor: theme.palette.error.main,
    color: theme.palette.error.main,
  },
  pendingChip: { borderColor: theme.palette.warning?.main ?? '#ed6c02' },
  chips: { display: 'flex', flexWrap: 'wrap', gap: 4 },
  rule: { color: theme.palette.text.secondary },
  cellTop: { verticalAlign: 'top' },
  gateName: { verticalAlign: 'top', whiteSpace: 'nowrap' },
  found: { verticalAlign: 'top', overflowWrap: 'anywhere' },
}));

/** The approvals gate: it fails until people approve, which blocks nothing before the request. */
export const APPROVALS_GATE = 'approvals';

/** Display status of a gate: a failing approvals gate is "pending" (approvals come after the request). */
export type GateDisplayStatus = GateStatus | 'pending';

export function displayStatus(gate: GateResult): GateDisplayStatus {
  return gate.id === APPROVALS_GATE && gate.status === 'fail'
    ? 'pending'
    : gate.status;
}

/** Gates that fail for other reasons than missing approvals. */
export function blockingGates(evaluation: GateEvaluation): GateResult[] {
  return evaluation.gates.filter(
    g => g.status === 'fail' && g.id !== APPROVALS_GATE,
  );
}

/** True when the gates (other than approvals) block the promotion. */
export function isBlocked(evaluation: GateEvaluation): boolean {
  return (
    evaluation.mode === 'compliance' && blockingGates(evaluation).length > 0
  );
}

export function GateIcon(props: { status: GateDisplayStatus }) {
  const classes = useStyles();
  if (props.status === 'pending')
    return (
      <PendingIcon
        fontSize="small"
        className={classes.warn}
        aria-label="waiting for approvals"
      />
    );
  const label = GATE_STATUS_LABELS[props.status];
  if (props.status === 'pass')
    return (
      <CheckIcon fontSize="small" className={classes.pass} aria-label={label} />
    );
  if (props.status === 'warn')
    return (
      <WarningIcon
        fontSize="small"
        className={classes.warn}
        aria-label={label}
      />
    );
  return (
    <CloseIcon fontSize="small" className={classes.fail} aria-label={label} />
  );
}

const COUNT_LABELS: Record<GateDisplayStatus, string> = {
  ...GATE_STATUS_LABELS,
  pending: 'awaiting approval',
};

/** Counts per status: "6 pass · 1 warning · 1 fail · 1 awaiting approval". */
export function gateCounts(evaluation: GateEvaluation): string {
  const count = (s: GateDisplayStatus) =>
    evaluation.gates.filter(g => displayStatus(g) === s).length;
  return (['pass', 'warn', 'fail', 'pending'] as GateDisplayStatus[])
    .filter(s => count(s) > 0)
    .map(s => `${count(s)} ${COUNT_LABELS[s]}`)
    .join(' · ');
}

/** One chip per gate (icon + title), its rule and finding in the tooltip. */
export function GateChips(props: { gates: GateResult[]; testId?: string }) {
  const classes = useStyles();
  return (
    <Box className={classes.chips} data-testid={props.testId ?? 'gate-chips'}>
      {props.gates.map(g => (
        <Tooltip key={g.id} title={`${g.rule} — ${g.detail}`}>
          <Chip
            size="small"
            variant="outlined"
            icon={<GateIcon status={displayStatus(g)} />}
            label={g.title}
            className={classes[`${displayStatus(g)}Chip` as const]}
            data-testid={`gate-chip-${g.id}`}
            data-status={displayStatus(g)}
          />
        </Tooltip>
      ))}
    </Box>
  );
}

function verdictOf(evaluation: GateEvaluation, approvalsPending: boolean) {
  if (isBlocked(evaluation)) return 'Blocked';
  if (approvalsPending) return 'Gates pass; approvals pending';
  return 'Gates allow it';
}

/**
 * The gate preview: every gate's status, rule, finding (with its numbers)
 * and the evidence records it read, linked to the Evidence tab.
 */
export function GateTable(props: {
  entityRef: string;
  evaluation: GateEvaluation;
}) {
  const classes = useStyles();
  const { evaluation, entityRef } = props;
  const failing = evaluation.gates.filter(
    g => g.status !== 'pass' && g.id !== APPROVALS_GATE,
  );
  const blocking = blockingGates(evaluation);
  const approvalsPending = evaluation.gates.some(
    g => displayStatus(g) === 'pending',
  );
  return (
    <Box data-testid="gate-preview">
      {evaluation.mode === 'sandbox' && failing.length > 0 && (
        <Alert severity="warning" data-testid="gate-sandbox-warning">
          Sandbox mode: {failing.length} gate
          {failing.length === 1 ? '' : 's'} did not pass. They are shown as
          warnings and do not block this promotion.
        </Alert>
      )}
      {evaluation.mode === 'compliance' && blocking.length > 0 && (
        <Alert severity="error" data-testid="gate-blocked">
          Compliance mode: {blocking.map(g => g.title).join(', ')}{' '}
          {blocking.length === 1 ? 'fails and blocks' : 'fail and block'} this
          promotion.
        </Alert>
      )}
      <Typography variant="body2" style={{ margin: '8px 0' }}>
        <strong>{verdictOf(evaluation, approvalsPending)}</strong>
        {' — '}
        {isBlocked(evaluation) || !approvalsPending
          ? `${evaluation.summary} (${gateCounts(evaluation)})`
          : gateCounts(evaluation)}
      </Typography>
      <Table size="small" aria-label="gates">
        <TableHead>
          <TableRow style={{ whiteSpace: 'nowrap' }}>
            <TableCell />
            <TableCell>Gate</TableCell>
            <TableCell>Rule</TableCell>
            <TableCell>Found</TableCell>
            <TableCell>Evidence read</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {evaluation.gates.map(g => (
            <TableRow
              key={g.id}
              data-testid={`gate-row-${g.id}`}
              data-status={displayStatus(g)}
            >
              <TableCell className={classes.cellTop}>
                <GateIcon status={displayStatus(g)} />
              </TableCell>
              <TableCell className={classes.gateName}>
                <strong>{g.title}</strong>
              </TableCell>
              <TableCell className={`${classes.cellTop} ${classes.rule}`}>
                {g.rule}
              </TableCell>
              <TableCell className={classes.found}>{g.detail}</TableCell>
              <TableCell className={classes.cellTop}>
                {g.evidence.length ? (
                  <Box display="flex" flexDirection="column">
                    {g.evidence.map(h => (
                      <EvidenceHashLink
                        key={h}
                        entityRef={entityRef}
                        hash={h}
                      />
                    ))}
                  </Box>
                ) : (
                  <Typography variant="caption" color="textSecondary">
                    none
                  </Typography>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}
