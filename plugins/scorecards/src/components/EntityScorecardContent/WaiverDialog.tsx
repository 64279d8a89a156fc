import { useApi } from '@backstage/core-plugin-api';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  TextField,
  Typography,
} from '@material-ui/core';
import { useState } from 'react';
import { scorecardsApiRef } from '../../api/ScorecardsApi';
import { CheckResult, ScorecardMode, Waiver } from '../../api/types';
import { errorMessage } from '../ScorecardErrorPanel';

const MIN_REASON = 10;
const DAY = 24 * 60 * 60 * 1000;

const dateInput = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Asks for a reason and an expiry date, then requests a waiver for one
 * check. The waiver counts only once someone else approves it.
 */
export function WaiverDialog(props: {
  open: boolean;
  entityRef: string;
  check: CheckResult;
  mode: ScorecardMode;
  onClose: () => void;
  onRequested: (waiver: Waiver) => void;
}) {
  const { open, entityRef, check, mode, onClose, onRequested } = props;
  const api = useApi(scorecardsApiRef);
  const [reason, setReason] = useState('');
  const [expires, setExpires] = useState(() =>
    dateInput(new Date(Date.now() + 30 * DAY)),
  );
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string>();

  const tomorrow = dateInput(new Date(Date.now() + DAY));
  const reasonError =
    reason.trim().length > 0 && reason.trim().length < MIN_REASON
      ? `At least ${MIN_REASON} characters`
      : undefined;
  const expiryError =
    !expires || expires < tomorrow ? 'Pick a day after today' : undefined;
  const valid =
    reason.trim().length >= MIN_REASON && !expiryError && !submitting;

  const submit = async () => {
    setSubmitting(true);
    setError(undefined);
    try {
      const waiver = await api.requestWaiver(entityRef, {
        checkId: check.id,
        reason: reason.trim(),
        // end of the chosen day, UTC
        expiresAt: new Date(`${expires}T23:59:59.000Z`).toISOString(),
      });
      setReason('');
      onRequested(waiver);
    } catch (e) {
      setError(errorMessage(e as Error));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>Request a waiver: {check.title}</DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="textSecondary" paragraph>
          While an approved waiver lasts, this check counts as waived. Someone
          else with the approve permission must approve it; it stops counting on
          its expiry date on its own.
          {mode === 'compliance' &&
            ' In compliance mode the expiry is capped by the platform.'}
        </Typography>
        <TextField
          label="Reason"
          value={reason}
          onChange={e => setReason(e.target.value)}
          multiline
          minRows={3}
          fullWidth
          required
          margin="normal"
          variant="outlined"
          error={Boolean(reasonError)}
          helperText={
            reasonError ??
            'Why the check cannot pass yet, and what is being done about it'
          }
          inputProps={{ 'aria-label': 'Reason', maxLength: 2000 }}
        />
        <TextField
          label="Expires on"
          type="date"
          value={expires}
          onChange={e => setExpires(e.target.value)}
          required
          margin="normal"
          variant="outlined"
          InputLabelProps={{ shrink: true }}
          inputProps={{ 'aria-label': 'Expires on', min: tomorrow }}
          error={Boolean(expiryError)}
          helperText={
            expiryError ?? 'The waiver ends at the end of this day (UTC)'
          }
        />
        {error && (
          <Typography color="error" role="alert" variant="body2">
            {error}
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={submit}
          disabled={!valid}
        >
          Request waiver
        </Button>
      </DialogActions>
    </Dialog>
  );
}
