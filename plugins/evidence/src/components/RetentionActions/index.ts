export { RetentionActions } from './RetentionActions';
