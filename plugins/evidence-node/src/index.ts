/**
 * Node library for the Assay evidence store: the service other backend plugins
 * (scaffolder actions, promotion, canary, scorecards) use to append and read
 * evidence in process.
 *
 * @packageDocumentation
 */

export { evidenceServiceRef } from './service';
export { EvidenceClient } from './client';
export type {
  EvidenceService,
  EvidenceAppendRequest,
  EvidenceAppendResult,
  EvidenceArtifactInput,
  EvidenceListOptions,
  EvidenceListResult,
  EvidenceStoredRecord,
  EvidenceLatestOptions,
  EvidenceLatestRecord,
  EvidenceLatestItem,
  EvidenceRemoteAccess,
  EvidenceRemoteReader,
  EvidenceRemoteWriter,
} from './service';
export { loadCliBundle } from './cliBundle';
export type { CliBundle } from './cliBundle';
