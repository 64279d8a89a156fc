import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { deliveryApiRef } from '../../../api/DeliveryApi';
import {
  CanaryAction,
  CanaryRunDetail,
  CanaryRunStatus,
} from '../../../api/types';
import { canaryActionPermissions } from '../../../lib/permissions';

const LABELS: Record<CanaryAction, string> = {
  pause: 'Pause',
  resume: 'Resume',
  abort: 'Abort',
  promote: 'Promote',
};

const EXPLANATIONS: Record<CanaryAction, string> = {
  pause: 'The rollout stays at its current weight until someone resumes it.',
  resume: 'The rollout continues from the current step.',
  abort: 'All traffic goes back to the stable version now; the run ends.',
  promote:
    'All traffic goes to the canary now (100%), skipping the remaining steps and analyses.',
};

/** The actions that make sense for a run in this status. */
export function actionsFor(status: CanaryRunStatus): CanaryAction[] {
  if (status === 'running') return ['pause', 'abort', 'promote'];
  if (status === 'paused') return ['resume', 'abort', 'promote'];
  return [];
}

function ActionButton(props: {
  action: CanaryAction;
  entityRef: string;
  onClick(): void;
}) {
  const { allowed } = usePermission({
    permission: canaryActionPermissions[props.action],
    resourceRef: props.entityRef,
  });
  if (!allowed) return null;
  return (
    <Button
      variant={props.action === 'abort' ? 'outlined' : 'contained'}
      color={props.action === 'abort' ? 'secondary' : 'primary'}
      size="small"
      onClick={props.onClick}
      data-testid={`canary-action-${props.action}`}
    >
      {LABELS[props.action]}
    </Button>
  );
}

/**
 * Pause / resume / abort / promote for the run on screen. Each button is
 * shown only to users allowed that `delivery.canary.*` permission on the
 * entity; every action asks for confirmation and an optional reason, which
 * goes into the evidence record.
 */
export function CanaryActions(props: {
  entityRef: string;
  run: CanaryRunDetail;
  onDone(run: CanaryRunDetail): void;
}) {
  const { entityRef, run, onDone } = props;
  const api = useApi(deliveryApiRef);
  const [pending, setPending] = useState<CanaryAction | undefined>();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const actions = actionsFor(run.status);
  if (!actions.length) return null;

  const confirm = async () => {
    if (!pending) return;
    setBusy(true);
    setError(undefined);
    try {
      const updated = await api.actOnCanaryRun(entityRef, run.id, pending, {
        reason: reason.trim() || undefined,
      });
      setPending(undefined);
      setReason('');
      onDone(updated);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Box display="flex" style={{ gap: 8 }} data-testid="canary-actions">
        {actions.map(a => (
          <ActionButton
            key={a}
            action={a}
            entityRef={entityRef}
            onClick={() => {
              setError(undefined);
              setPending(a);
            }}
          />
        ))}
      </Box>
      <Dialog
        open={Boolean(pending)}
        onClose={busy ? undefined : () => setPending(undefined)}
        aria-labelledby="canary-action-title"
      >
        <DialogTitle id="canary-action-title">
          {pending ? `${LABELS[pending]} the canary of ${run.version}?` : ''}
        </DialogTitle>
        <DialogContent>
          {error && <Alert severity="error">{error}</Alert>}
          <DialogContentText>
            {pending ? EXPLANATIONS[pending] : ''}
          </DialogContentText>
          <TextField
            id="canary-action-reason"
            label="Reason (recorded as evidence)"
            fullWidth
            value={reason}
            onChange={ev => setReason(ev.target.value)}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setPending(undefined)} disabled={busy}>
            Cancel
          </Button>
          <Button
            color="primary"
            variant="contained"
            onClick={confirm}
            disabled={busy}
            data-testid="canary-action-confirm"
          >
            {pending ? LABELS[pending] : ''}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
