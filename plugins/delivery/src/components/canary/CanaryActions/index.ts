export { CanaryActions, actionsFor } from './CanaryActions';
