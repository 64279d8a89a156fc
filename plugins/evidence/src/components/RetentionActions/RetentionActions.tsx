import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  TextField,
  Typography,
} from '@material-ui/core';
import { useApi, useApiHolder } from '@backstage/core-plugin-api';
import {
  permissionApiRef,
  usePermission,
} from '@backstage/plugin-permission-react';
import {
  evidenceRetentionBypassPermission,
  evidenceRetentionManagePermission,
} from '@assay/plugin-evidence-common';
import { useState } from 'react';
import { evidenceApiRef } from '../../api/EvidenceApi';
import { EvidenceSummary } from '../../api/types';
import { errorMessage } from '../EvidenceErrorPanel';

type Action = 'hold' | 'release' | 'purge';

const TEXT: Record<Action, { title: string; body: string; confirm: string }> = {
  hold: {
    title: 'Set a legal hold',
    body: 'While the hold lasts nothing of this entity is purged, neither by retention nor early. The hold, who set it and why are shown to everyone.',
    confirm: 'Set hold',
  },
  release: {
    title: 'Release the legal hold',
    body: 'Retention applies again once the hold is released.',
    confirm: 'Release hold',
  },
  purge: {
    title: 'Purge payloads early',
    body: 'Deletes the payloads and artifacts of every record of this entity now. Envelopes and hashes stay, so the chain keeps verifying, and the purge itself is recorded as compliance evidence with your reason.',
    confirm: 'Purge',
  },
};

/**
 * Legal hold and early purge, shown only to users the permission policy
 * allows (`evidence.retention.manage`, `evidence.retention.bypass` on the
 * entity); everybody else sees no buttons. Without a permission API (an app
 * that does not register one) nothing is shown.
 */
export function RetentionActions(props: {
  entityRef: string;
  summary: EvidenceSummary;
  onChanged: () => void;
}) {
  const hasPermissionApi = Boolean(useApiHolder().get(permissionApiRef));
  return hasPermissionApi ? <PermittedRetentionActions {...props} /> : null;
}

function PermittedRetentionActions(props: {
  entityRef: string;
  summary: EvidenceSummary;
  onChanged: () => void;
}) {
  const { entityRef, summary, onChanged } = props;
  const api = useApi(evidenceApiRef);
  const manage = usePermission({
    permission: evidenceRetentionManagePermission,
    resourceRef: entityRef,
  });
  const bypass = usePermission({
    permission: evidenceRetentionBypassPermission,
    resourceRef: entityRef,
  });
  const [open, setOpen] = useState<Action | undefined>();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const held = !!summary.legalHold;
  const canPurge =
    bypass.allowed && !held && summary.retention.mode === 'governance';
  if (!manage.allowed && !canPurge) return null;

  const needsReason = open === 'hold' || open === 'purge';
  const reasonOk = reason.trim().length >= 3 && reason.length <= 2000;
  const close = () => {
    setOpen(undefined);
    setReason('');
    setError(undefined);
  };
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      if (open === 'hold') await api.setLegalHold(entityRef, reason.trim());
      if (open === 'release') await api.releaseLegalHold(entityRef);
      if (open === 'purge') {
        await api.purgeEarly(entityRef, { reason: reason.trim() });
      }
      close();
      onChanged();
    } catch (e) {
      setError(errorMessage(e as Error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box
      display="flex"
      style={{ gap: 8 }}
      data-testid="evidence-retention-actions"
    >
      {manage.allowed && (
        <Button
          size="small"
          variant="outlined"
          onClick={() => setOpen(held ? 'release' : 'hold')}
        >
          {held ? 'Release legal hold' : 'Set legal hold'}
        </Button>
      )}
      {canPurge && (
        <Button
          size="small"
          variant="outlined"
          color="secondary"
          onClick={() => setOpen('purge')}
        >
          Purge early
        </Button>
      )}
      <Dialog open={!!open} onClose={busy ? undefined : close} fullWidth>
        {open && (
          <>
            <DialogTitle>{TEXT[open].title}</DialogTitle>
            <DialogContent>
              <DialogContentText>{TEXT[open].body}</DialogContentText>
              {needsReason && (
                <TextField
                  fullWidth
                  id="evidence-retention-reason"
                  label="Reason"
                  value={reason}
                  onChange={e => setReason(e.target.value)}
                  helperText="3 to 2000 characters; recorded with the action"
                  inputProps={{ maxLength: 2000 }}
                />
              )}
              {error && (
                <Typography color="error" role="alert" variant="body2">
                  {error}
                </Typography>
              )}
            </DialogContent>
            <DialogActions>
              <Button onClick={close} disabled={busy}>
                Cancel
              </Button>
              <Button
                color="primary"
                variant="contained"
                disabled={busy || (needsReason && !reasonOk)}
                onClick={submit}
              >
                {TEXT[open].confirm}
              </Button>
            </DialogActions>
          </>
        )}
      </Dialog>
    </Box>
  );
}
