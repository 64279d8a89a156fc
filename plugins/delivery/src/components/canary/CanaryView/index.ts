export { CanaryView } from './CanaryView';
