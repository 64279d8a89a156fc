import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { CanaryCausalChain, CanaryRunDetail } from '../../../api/types';
import {
  formatInterval,
  formatNumber,
  formatSample,
  shortRef,
} from '../../../lib/format';

/**
 * Why the run ended or stopped: for a rollback or abort the causal chain
 * (step, weight, metric, measured values, the rule that fired); for a
 * pause, the reason.
 */
function ChainDetails(props: { chain: CanaryCausalChain; unit?: string }) {
  const { chain, unit } = props;
  return (
    <>
      <Typography variant="body2">
        At step {chain.step + 1} ({chain.weight}% canary)
        {chain.metric ? (
          <>
            , metric <strong>{chain.metric}</strong>
            {chain.classification
              ? ` was classified ${chain.classification}`
              : ''}
          </>
        ) : null}
        .
      </Typography>
      {(chain.canary || chain.baseline) && (
        <Typography variant="body2" data-testid="canary-why-values">
          Canary: {formatSample(chain.canary, unit)}. Baseline:{' '}
          {formatSample(chain.baseline, unit)}.
          {chain.estimate !== undefined && chain.estimate !== null
            ? ` Estimated difference ${formatNumber(chain.estimate)}${
                unit ? ` ${unit}` : ''
              }, ${formatInterval(chain.confidenceInterval)}.`
            : ''}
        </Typography>
      )}
      <Typography variant="body2" data-testid="canary-why-rule">
        Rule: {chain.rule}
      </Typography>
    </>
  );
}

/**
 * Why the run ended or stopped: for a rollback, abort or pause the causal
 * chain (step, weight, metric, measured values, the rule that fired) or the
 * reason; for a success, the reason.
 */
export function RollbackExplanation(props: { run: CanaryRunDetail }) {
  const { run } = props;
  const chain = run.causalChain;
  const unitOf = run.metrics.find(m => m.name === chain?.metric)?.unit;
  const unit = typeof unitOf === 'string' ? unitOf : undefined;
  if (run.status === 'rolled_back' || run.status === 'aborted') {
    const title =
      run.status === 'rolled_back'
        ? 'Rolled back: all traffic is back on the stable version'
        : `Aborted${
            chain?.actor ? ` by ${shortRef(chain.actor)}` : ''
          }: all traffic is back on the stable version`;
    return (
      <Alert severity="error" data-testid="canary-why">
        <AlertTitle>{title}</AlertTitle>
        {chain ? (
          <ChainDetails chain={chain} unit={unit} />
        ) : (
          <Typography variant="body2">
            {run.reason ?? 'No reason recorded.'}
          </Typography>
        )}
      </Alert>
    );
  }
  if (run.status === 'paused') {
    return (
      <Alert severity="warning" data-testid="canary-why">
        <AlertTitle>Paused — waiting for a decision</AlertTitle>
        {chain ? (
          <ChainDetails chain={chain} unit={unit} />
        ) : (
          <Typography variant="body2">{run.reason ?? 'Paused.'}</Typography>
        )}
        <Typography variant="body2">
          Resume to continue the rollout, promote to send all traffic to the
          canary, or abort to roll back.
        </Typography>
      </Alert>
    );
  }
  if (run.status === 'succeeded') {
    return (
      <Alert severity="success" data-testid="canary-why">
        <AlertTitle>Succeeded: {run.version} serves 100% of traffic</AlertTitle>
        {run.reason && <Typography variant="body2">{run.reason}</Typography>}
      </Alert>
    );
  }
  return null;
}
