export { EvidenceGaps } from './EvidenceGaps';
