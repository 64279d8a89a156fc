export { EntityEvidenceCard } from './EntityEvidenceCard';
