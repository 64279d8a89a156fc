import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { CanaryRunEvent, CanaryRunSummary } from '../../../api/types';
import {
  formatNumber,
  formatTime,
  shortRef,
  STATUS_LABELS,
} from '../../../lib/format';
import { EvidenceLink } from './EvidenceLink';

const useStyles = makeStyles(theme => ({
  row: { cursor: 'pointer' },
  selected: { background: theme.palette.action.selected },
  nowrap: { whiteSpace: 'nowrap' },
}));

/** The entity's runs, newest first; select one to show it. */
export function RunList(props: {
  runs: CanaryRunSummary[];
  selectedId?: string;
  onSelect(id: string): void;
}) {
  const classes = useStyles();
  return (
    <Table size="small" aria-label="canary runs">
      <TableHead>
        <TableRow>
          <TableCell>Version</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Reached</TableCell>
          <TableCell>Started</TableCell>
          <TableCell>By</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.runs.map(r => (
          <TableRow
            key={r.id}
            hover
            className={`${classes.row} ${
              r.id === props.selectedId ? classes.selected : ''
            }`}
            onClick={() => props.onSelect(r.id)}
            selected={r.id === props.selectedId}
            data-testid={`canary-run-${r.id}`}
          >
            <TableCell>
              <strong>{r.version}</strong>
              {r.simulation ? (
                <Typography variant="caption" color="textSecondary">
                  {' '}
                  (simulated, {r.simulation})
                </Typography>
              ) : null}
            </TableCell>
            <TableCell>
              <Chip size="small" label={STATUS_LABELS[r.status] ?? r.status} />
            </TableCell>
            <TableCell>
              step {r.currentStep + 1}/{r.steps.length}, {r.requestedWeight}%
            </TableCell>
            <TableCell className={classes.nowrap}>
              {formatTime(r.createdAt)}
            </TableCell>
            <TableCell>{shortRef(r.createdBy)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** The decisions of one run, each with its `canary` evidence record. */
export function RunEvents(props: {
  entityRef: string;
  events: CanaryRunEvent[];
}) {
  const classes = useStyles();
  const events = [...props.events].sort((a, b) => b.seq - a.seq);
  if (!events.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        No decisions yet.
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label="canary decisions">
      <TableHead>
        <TableRow>
          <TableCell>When</TableCell>
          <TableCell>Decision</TableCell>
          <TableCell>Weight (requested / observed)</TableCell>
          <TableCell>By</TableCell>
          <TableCell>Evidence</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {events.map(e => (
          <TableRow key={e.seq} data-testid="canary-event">
            <TableCell className={classes.nowrap}>{formatTime(e.at)}</TableCell>
            <TableCell>
              <Typography variant="body2">
                <strong>{e.type}</strong> — {e.summary}
              </Typography>
            </TableCell>
            <TableCell className={classes.nowrap}>
              {e.requestedWeight !== undefined && e.requestedWeight !== null
                ? `${e.requestedWeight}%`
                : '–'}
              {' / '}
              {e.observedWeight !== undefined && e.observedWeight !== null
                ? `${formatNumber(e.observedWeight)}%`
                : '–'}
            </TableCell>
            <TableCell>{e.actor ? shortRef(e.actor) : 'Assay'}</TableCell>
            <TableCell>
              {e.evidenceHash ? (
                <EvidenceLink
                  entityRef={props.entityRef}
                  hash={e.evidenceHash}
                />
              ) : (
                <Typography variant="caption" color="textSecondary">
                  pending
                </Typography>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
