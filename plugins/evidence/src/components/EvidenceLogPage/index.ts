export { EvidenceLogPage } from './EvidenceLogPage';
