export { CanaryStepper } from './CanaryStepper';
