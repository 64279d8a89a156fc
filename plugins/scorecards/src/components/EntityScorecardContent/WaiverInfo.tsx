import { useApi } from '@backstage/core-plugin-api';
import { Box, Button, Typography } from '@material-ui/core';
import { useState } from 'react';
import { scorecardsApiRef } from '../../api/ScorecardsApi';
import { Waiver } from '../../api/types';
import { formatDateTime, shortRef } from '../../lib/format';
import { errorMessage } from '../ScorecardErrorPanel';

/**
 * One waiver on a check: who asked, why, until when; who approved it; and
 * Approve / Reject for someone else who holds the approve permission.
 */
export function WaiverInfo(props: {
  waiver: Waiver;
  canApprove: boolean;
  currentUserRef?: string;
  onDecided: (waiver: Waiver) => void;
}) {
  const { waiver: w, canApprove, currentUserRef, onDecided } = props;
  const api = useApi(scorecardsApiRef);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const own = currentUserRef !== undefined && currentUserRef === w.requestedBy;

  const decide = async (approve: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      onDecided(
        approve ? await api.approveWaiver(w.id) : await api.rejectWaiver(w.id),
      );
    } catch (e) {
      setError(errorMessage(e as Error));
    } finally {
      setBusy(false);
    }
  };

  const until = formatDateTime(w.expiresAt);
  let headline: string;
  switch (w.status) {
    case 'approved':
      headline = `Waived until ${until}, approved by ${shortRef(w.decidedBy)}${
        w.decidedAt ? ` on ${formatDateTime(w.decidedAt)}` : ''
      }`;
      break;
    case 'pending':
      headline = `Waiver requested until ${until}, waiting for approval`;
      break;
    case 'rejected':
      headline = `Waiver rejected by ${shortRef(w.decidedBy)}`;
      break;
    default:
      headline = `Waiver expired on ${until}`;
  }

  return (
    <Box
      mt={1}
      p={1}
      border={1}
      borderColor="grey.400"
      borderRadius={4}
      data-testid={`waiver-${w.status}`}
    >
      <Typography variant="body2" style={{ fontWeight: 600 }}>
        {headline}
      </Typography>
      <Typography variant="body2">
        Requested by {shortRef(w.requestedBy)} on{' '}
        {formatDateTime(w.requestedAt)}: “{w.reason}”
      </Typography>
      {w.status === 'pending' && own && (
        <Typography variant="caption" color="textSecondary">
          You requested this waiver; someone else must approve it.
        </Typography>
      )}
      {w.status === 'pending' && canApprove && !own && (
        <Box mt={1} display="flex" style={{ gap: 8 }}>
          <Button
            size="small"
            color="primary"
            variant="contained"
            disabled={busy}
            onClick={() => decide(true)}
          >
            Approve waiver
          </Button>
          <Button size="small" disabled={busy} onClick={() => decide(false)}>
            Reject
          </Button>
        </Box>
      )}
      {error && (
        <Typography color="error" role="alert" variant="body2">
          {error}
        </Typography>
      )}
    </Box>
  );
}
