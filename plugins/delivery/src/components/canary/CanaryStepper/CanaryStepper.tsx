import Step from '@material-ui/core/Step';
import StepLabel from '@material-ui/core/StepLabel';
import Stepper from '@material-ui/core/Stepper';
import Typography from '@material-ui/core/Typography';

/** How a step of the rollout stands. */
export type StepState = 'done' | 'current' | 'failed' | 'paused' | 'todo';

/**
 * The canary's traffic steps (e.g. 10% → 50% → 100%) with the current one
 * highlighted and the step that failed, if any, marked as an error.
 */
export function CanaryStepper(props: {
  steps: number[];
  /** index into steps of the current (or last reached) step */
  current: number;
  /** the run is over and every step was reached */
  completed: boolean;
  /** index of the step that failed (rolled back / aborted there) */
  failedAt?: number;
  paused?: boolean;
}) {
  const { steps, current, completed, failedAt, paused } = props;
  const stateOf = (i: number): StepState => {
    if (failedAt === i) return 'failed';
    if (completed || i < current) return 'done';
    if (i === current) return paused ? 'paused' : 'current';
    return 'todo';
  };
  return (
    <Stepper
      activeStep={completed ? steps.length : current}
      alternativeLabel
      data-testid="canary-stepper"
    >
      {steps.map((weight, i) => {
        const state = stateOf(i);
        const caption = {
          done: 'done',
          current: 'current step',
          paused: 'paused here',
          failed: 'failed here',
          todo: '',
        }[state];
        return (
          <Step
            key={`${i}-${weight}`}
            completed={state === 'done'}
            data-testid={`canary-step-${i}`}
            data-state={state}
          >
            <StepLabel
              error={state === 'failed'}
              optional={
                caption ? (
                  <Typography variant="caption" component="div" align="center">
                    {caption}
                  </Typography>
                ) : undefined
              }
            >
              {weight}% canary
            </StepLabel>
          </Step>
        );
      })}
    </Stepper>
  );
}
