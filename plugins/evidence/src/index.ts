/**
 * Assay evidence viewer: an entity tab and card that show an entity's
 * evidence and verify its hash chain, signed checkpoint and log consistency
 * in the browser.
 *
 * @packageDocumentation
 */
export {
  evidencePlugin,
  EntityEvidenceContent,
  EntityEvidenceCard,
  EvidencePage,
} from './plugin';
export { EVIDENCE_ENABLED_ANNOTATION, isEvidenceAvailable } from './lib/entity';
export * from './api';
