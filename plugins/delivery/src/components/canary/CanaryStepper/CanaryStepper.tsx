import Step from '@material-ui/core/Step';
import StepLabel from '@material-ui/core/StepLabel';
import Stepper from '@material-ui/core/Stepper';
import Typography from '@material-ui/core/Typography';
import { CanaryStep } from '../../../api/types';

const CAPTIONS: Record<CanaryStep['status'], string> = {
  passed: 'passed',
  running: 'current step',
  paused: 'paused here',
  failed: 'failed here',
  pending: '',
  skipped: 'skipped',
};

/**
 * The canary's traffic steps (e.g. 10% → 50% → 100%) as the backend reports
 * them: passed, the current one, paused, the one that failed, pending or
 * skipped.
 */
export function CanaryStepper(props: { steps: CanaryStep[]; current: number }) {
  const { steps, current } = props;
  const allPassed = steps.every(s => s.status === 'passed');
  return (
    <Stepper
      activeStep={allPassed ? steps.length : current}
      alternativeLabel
      data-testid="canary-stepper"
    >
      {steps.map(step => {
        const caption = CAPTIONS[step.status] ?? step.status;
        const analyses =
          step.attempts > 1 ? ` · ${step.attempts} analyses` : '';
        return (
          <Step
            key={step.index}
            completed={step.status === 'passed'}
            data-testid={`canary-step-${step.index}`}
            data-state={step.status}
          >
            <StepLabel
              error={step.status === 'failed'}
              optional={
                caption || analyses ? (
                  <Typography variant="caption" component="div" align="center">
                    {caption}
                    {analyses}
                  </Typography>
                ) : undefined
              }
            >
              {step.weight}% canary
            </StepLabel>
          </Step>
        );
      })}
    </Stepper>
  );
}
