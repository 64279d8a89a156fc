import { Link } from '@backstage/core-components';
import { Box, Button, Chip, Typography } from '@material-ui/core';
import { CheckResult, Waiver } from '../../api/types';
import { formatFact, levelLabel, shortHash } from '../../lib/format';
import { StatusChip } from '../StatusChip';
import { WaiverInfo } from './WaiverInfo';

/** The waiver to show on a check: pending first, then the approved one. */
export function pickWaiver(
  check: CheckResult,
  waivers: Waiver[],
): Waiver | undefined {
  const mine = waivers.filter(w => w.checkId === check.id);
  const byStatus = (s: Waiver['status']) =>
    mine
      .filter(w => w.status === s)
      .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt))[0];
  const fromList = byStatus('pending') ?? byStatus('approved');
  if (fromList) return fromList;
  if (check.waiver) {
    return mine.find(w => w.id === check.waiver!.id) ?? check.waiver;
  }
  return byStatus('rejected') ?? byStatus('expired');
}

/**
 * One check: status, why (reason and fact values), how to fix, the evidence
 * records it was computed from, and its waiver.
 */
export function CheckRow(props: {
  check: CheckResult;
  waiver?: Waiver;
  evidenceLink: (hash: string) => string;
  canRequestWaiver: boolean;
  canApproveWaiver: boolean;
  currentUserRef?: string;
  onRequestWaiver: (check: CheckResult) => void;
  onWaiverDecided: (waiver: Waiver) => void;
}) {
  const { check: c, waiver, evidenceLink } = props;
  const facts = Object.entries(c.facts);
  const needsFix = c.status !== 'pass';
  const waiverOpen =
    waiver && (waiver.status === 'pending' || waiver.status === 'approved');
  return (
    <Box
      py={1.5}
      borderBottom={1}
      borderColor="divider"
      data-testid={`check-${c.id}`}
      aria-label={`check ${c.title}`}
      role="group"
    >
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <StatusChip status={c.status} />
        <Typography variant="subtitle1" component="h4">
          {c.title}
        </Typography>
        <Chip size="small" label={levelLabel(c.level)} variant="outlined" />
        <Typography variant="caption" color="textSecondary">
          weight {c.weight}
        </Typography>
        <Box flexGrow={1} />
        {props.canRequestWaiver &&
          needsFix &&
          c.status !== 'waived' &&
          !waiverOpen && (
            <Button
              size="small"
              variant="outlined"
              onClick={() => props.onRequestWaiver(c)}
            >
              Request waiver
            </Button>
          )}
      </Box>
      {c.description && (
        <Typography variant="body2" color="textSecondary">
          {c.description}
        </Typography>
      )}
      <Typography variant="body2" data-testid="check-reason">
        <strong>Why: </strong>
        {c.reason}
      </Typography>
      {facts.length > 0 && (
        <Box mt={0.5} display="flex" flexWrap="wrap" style={{ gap: 4 }}>
          {facts.map(([name, value]) => (
            <Chip
              key={name}
              size="small"
              label={`${name}: ${formatFact(value)}`}
            />
          ))}
        </Box>
      )}
      {needsFix && (
        <Typography variant="body2" component="div">
          <strong>How to fix: </strong>
          {c.remediation.text}
          {c.remediation.url && (
            <>
              {' '}
              <Link to={c.remediation.url}>Read more</Link>
            </>
          )}
        </Typography>
      )}
      {(c.evidence.length > 0 || c.controls.length > 0) && (
        <Typography variant="caption" component="div" color="textSecondary">
          {c.evidence.length > 0 && (
            <>
              Evidence:{' '}
              {c.evidence.map((hash, i) => (
                <span key={hash}>
                  {i > 0 && ', '}
                  <Link
                    to={evidenceLink(hash)}
                    title={hash}
                    aria-label={`evidence record ${hash}`}
                  >
                    <code>{shortHash(hash)}</code>
                  </Link>
                </span>
              ))}
            </>
          )}
          {c.evidence.length > 0 && c.controls.length > 0 && ' · '}
          {c.controls.length > 0 && <>Controls: {c.controls.join(', ')}</>}
        </Typography>
      )}
      {waiver && (
        <WaiverInfo
          waiver={waiver}
          canApprove={props.canApproveWaiver}
          currentUserRef={props.currentUserRef}
          onDecided={props.onWaiverDecided}
        />
      )}
    </Box>
  );
}
