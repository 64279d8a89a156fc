export { EntityEvidenceContent } from './EntityEvidenceContent';
export { EvidenceView } from './EvidenceView';
