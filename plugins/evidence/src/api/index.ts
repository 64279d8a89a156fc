export { evidenceApiRef } from './EvidenceApi';
export type { EvidenceApi } from './EvidenceApi';
export { EvidenceClient } from './EvidenceClient';
export * from './types';
