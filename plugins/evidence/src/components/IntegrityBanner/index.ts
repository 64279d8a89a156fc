export { IntegrityBanner } from './IntegrityBanner';
