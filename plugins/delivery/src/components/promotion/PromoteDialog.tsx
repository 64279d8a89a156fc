import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { deliveryApiRef } from '../../api/DeliveryApi';
import { Promotion, Release } from '../../api/promotionTypes';
import { fieldErrorsOf } from '../../lib/fieldErrors';
import { formatTime, shortHash, shortRef } from '../../lib/format';
import { GateTable, isBlocked } from './Gates';

const FIELDS = ['environment', 'releaseHash'] as const;
type Field = (typeof FIELDS)[number];

export type PromoteDialogMode = 'promote' | 'rollback';

function approvalsText(required: number, mode: string): string {
  if (required <= 0) {
    return mode === 'sandbox'
      ? 'Sandbox mode: no approval is needed; it is deployed as soon as you confirm.'
      : 'No approval is needed for this environment; it is deployed as soon as you confirm.';
  }
  return `${required} approval${
    required === 1 ? '' : 's'
  } needed before it is deployed, from people other than you (and other than the release's producer). Approvals are bound to this release and expire.`;
}

/**
 * Promote (or roll back to) a release of an entity in one environment. On
 * opening, and whenever another release is chosen, it renders the gate
 * preview — a dry-run of every gate with its rule, numbers and the evidence
 * it read — and the approvals needed; only then can the user confirm.
 */
export function PromoteDialog(props: {
  open: boolean;
  mode: PromoteDialogMode;
  entityRef: string;
  environment: string;
  releases: Release[];
  initialReleaseHash?: string;
  onClose(): void;
  onDone(promotion: Promotion): void;
}) {
  const { open, mode, entityRef, environment, releases, onClose, onDone } =
    props;
  const api = useApi(deliveryApiRef);
  const [releaseHash, setReleaseHash] = useState(
    props.initialReleaseHash ?? releases[0]?.hash ?? '',
  );
  useEffect(() => {
    if (open) {
      setReleaseHash(props.initialReleaseHash ?? releases[0]?.hash ?? '');
    }
  }, [open, props.initialReleaseHash, releases]);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [general, setGeneral] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const preview = useAsync(async () => {
    if (!open || !releaseHash) return undefined;
    return api.previewPromotion(entityRef, {
      environment,
      releaseHash,
      kind: mode === 'rollback' ? 'rollback' : 'promotion',
    });
  }, [api, open, mode, entityRef, environment, releaseHash]);

  const release = releases.find(r => r.hash === releaseHash);
  const verb = mode === 'rollback' ? 'Roll back' : 'Promote';

  const confirm = async () => {
    setBusy(true);
    setErrors({});
    setGeneral(undefined);
    try {
      const request = { environment, releaseHash };
      const promotion =
        mode === 'rollback'
          ? await api.rollback(entityRef, request)
          : await api.promote(entityRef, request);
      onDone(promotion);
    } catch (e) {
      const split = fieldErrorsOf(e, FIELDS);
      setErrors(split.fields);
      setGeneral(split.general);
    } finally {
      setBusy(false);
    }
  };

  const evaluation = preview.value?.evaluation;
  const blocked = evaluation ? isBlocked(evaluation) : true;
  return (
    <Dialog
      open={open}
      onClose={busy ? undefined : onClose}
      maxWidth="lg"
      fullWidth
      aria-labelledby="promote-dialog-title"
    >
      <DialogTitle id="promote-dialog-title">
        {mode === 'rollback'
          ? `Roll back ${environment}`
          : `Promote to ${environment}`}
      </DialogTitle>
      <DialogContent>
        {general && (
          <Alert severity="error" data-testid="promote-error">
            {general}
          </Alert>
        )}
        <TextField
          id="promote-environment"
          label="Environment"
          value={environment}
          margin="dense"
          InputProps={{ readOnly: true }}
          error={Boolean(errors.environment)}
          helperText={errors.environment}
          style={{ marginRight: 16, minWidth: 160 }}
        />
        <TextField
          id="promote-release"
          select
          label={mode === 'rollback' ? 'Roll back to release' : 'Release'}
          value={releaseHash}
          margin="dense"
          onChange={ev => setReleaseHash(ev.target.value)}
          error={Boolean(errors.releaseHash)}
          helperText={
            errors.releaseHash ??
            (release
              ? `release record ${shortHash(release.hash)}, cut ${formatTime(
                  release.createdAt,
                )} by ${shortRef(release.producer)}`
              : 'Choose a release')
          }
          style={{ minWidth: 420 }}
          SelectProps={{ MenuProps: { disablePortal: false } }}
        >
          {releases.map(r => (
            <MenuItem key={r.hash} value={r.hash}>
              {r.version} ({shortHash(r.hash)})
            </MenuItem>
          ))}
        </TextField>
        {mode === 'rollback' && (
          <Typography variant="body2" style={{ marginTop: 8 }}>
            A rollback re-runs the gates against today's policy and restores the
            release's dashboards and alert rules with it.
          </Typography>
        )}
        <Typography variant="h6" component="h3" style={{ marginTop: 16 }}>
          Gate preview
        </Typography>
        {preview.loading && <Progress />}
        {preview.error && <ResponseErrorPanel error={preview.error} />}
        {evaluation && (
          <>
            <GateTable entityRef={entityRef} evaluation={evaluation} />
            <Typography
              variant="body2"
              style={{ marginTop: 12 }}
              data-testid="promote-approvals"
            >
              <strong>Approvals:</strong>{' '}
              {approvalsText(
                preview.value?.approvalsRequired ?? 0,
                evaluation.mode,
              )}
            </Typography>
          </>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button
          color="primary"
          variant="contained"
          onClick={confirm}
          disabled={busy || !releaseHash || !evaluation || blocked}
          startIcon={busy ? <CircularProgress size={16} /> : undefined}
          data-testid="promote-confirm"
        >
          {blocked && evaluation ? `${verb}: blocked by gates` : verb}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
