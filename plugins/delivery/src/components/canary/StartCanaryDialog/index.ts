export { StartCanaryDialog, parseSteps } from './StartCanaryDialog';
