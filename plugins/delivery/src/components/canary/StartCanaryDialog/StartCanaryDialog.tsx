import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import FormLabel from '@material-ui/core/FormLabel';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { FormEvent, useState } from 'react';
import { deliveryApiRef } from '../../../api/DeliveryApi';
import {
  CanaryConfig,
  CanaryRunDetail,
  StartCanaryRequest,
} from '../../../api/types';
import { fieldErrorsOf } from '../../../lib/fieldErrors';

const FIELDS = ['version', 'baselineVersion', 'steps', 'simulation'] as const;
type Field = (typeof FIELDS)[number];

/** "10, 50,100" → [10, 50, 100]; blank → undefined; a non-number → an error. */
export function parseSteps(text: string): { steps?: number[]; error?: string } {
  if (!text.trim()) return {};
  const parts = text.split(',').map(p => p.trim());
  const bad = parts.find(p => p === '' || !Number.isFinite(Number(p)));
  if (bad !== undefined) {
    return {
      error: `steps: "${bad}" is not a number; write percentages separated by commas, e.g. 10,50,100`,
    };
  }
  return { steps: parts.map(Number) };
}

/**
 * Starts a canary run: the version to roll out, optionally the baseline and
 * the steps, and — with the demo's simulated metrics — whether the new
 * version behaves well or degrades. The backend validates; its 400s are
 * shown on the field they name.
 */
export function StartCanaryDialog(props: {
  open: boolean;
  entityRef: string;
  config?: CanaryConfig;
  onClose(): void;
  onStarted(run: CanaryRunDetail): void;
}) {
  const { open, entityRef, config, onClose, onStarted } = props;
  const api = useApi(deliveryApiRef);
  const [version, setVersion] = useState('');
  const [baselineVersion, setBaselineVersion] = useState('');
  const [stepsText, setStepsText] = useState('');
  const [simulation, setSimulation] = useState<'healthy' | 'degrading'>(
    'healthy',
  );
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [general, setGeneral] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    setGeneral(undefined);
    const parsed = parseSteps(stepsText);
    if (parsed.error) {
      setErrors({ steps: parsed.error });
      return;
    }
    setErrors({});
    const request: StartCanaryRequest = { version: version.trim() };
    if (baselineVersion.trim())
      request.baselineVersion = baselineVersion.trim();
    if (parsed.steps) request.steps = parsed.steps;
    if (config?.simulationAvailable) request.simulation = simulation;
    setBusy(true);
    try {
      const run = await api.startCanaryRun(entityRef, request);
      onStarted(run);
    } catch (error) {
      const split = fieldErrorsOf(error, FIELDS);
      setErrors(split.fields);
      setGeneral(split.general);
    } finally {
      setBusy(false);
    }
  };

  const defaultSteps = config?.steps?.join(',') ?? '10,50,100';
  return (
    <Dialog
      open={open}
      onClose={busy ? undefined : onClose}
      maxWidth="sm"
      fullWidth
      aria-labelledby="start-canary-title"
    >
      <form onSubmit={submit} noValidate>
        <DialogTitle id="start-canary-title">Start canary</DialogTitle>
        <DialogContent>
          {general && (
            <Alert severity="error" data-testid="start-canary-error">
              {general}
            </Alert>
          )}
          <TextField
            id="start-canary-version"
            label="Version"
            required
            fullWidth
            margin="normal"
            value={version}
            onChange={ev => setVersion(ev.target.value)}
            error={Boolean(errors.version)}
            helperText={errors.version ?? 'The version to roll out, e.g. 1.4.0'}
          />
          <TextField
            id="start-canary-baseline"
            label="Baseline version"
            fullWidth
            margin="normal"
            value={baselineVersion}
            onChange={ev => setBaselineVersion(ev.target.value)}
            error={Boolean(errors.baselineVersion)}
            helperText={
              errors.baselineVersion ??
              'Optional: the stable version it is compared with'
            }
          />
          <TextField
            id="start-canary-steps"
            label="Steps (% canary traffic)"
            fullWidth
            margin="normal"
            value={stepsText}
            placeholder={defaultSteps}
            onChange={ev => setStepsText(ev.target.value)}
            error={Boolean(errors.steps)}
            helperText={
              errors.steps ??
              `Optional, strictly increasing and ending at 100. Default ${defaultSteps}${
                config?.stepsSource === 'annotation'
                  ? ' (from assay.dev/canary-steps)'
                  : ''
              }.`
            }
          />
          {config?.simulationAvailable && (
            <FormControl
              component="fieldset"
              margin="normal"
              error={Boolean(errors.simulation)}
            >
              <FormLabel component="legend">Simulated metrics (demo)</FormLabel>
              <RadioGroup
                row
                name="simulation"
                value={simulation}
                onChange={ev =>
                  setSimulation(ev.target.value as 'healthy' | 'degrading')
                }
              >
                <FormControlLabel
                  value="healthy"
                  control={<Radio />}
                  label="Healthy"
                />
                <FormControlLabel
                  value="degrading"
                  control={<Radio />}
                  label="Degrading"
                />
              </RadioGroup>
              <FormHelperText>
                {errors.simulation ??
                  'The built-in simulator makes the new version behave like the baseline, or degrade as traffic grows.'}
              </FormHelperText>
            </FormControl>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button
            type="submit"
            color="primary"
            variant="contained"
            disabled={busy}
            startIcon={busy ? <CircularProgress size={16} /> : undefined}
          >
            Start
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
