export { RetentionBadges } from './RetentionBadges';
