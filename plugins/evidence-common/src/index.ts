/**
 * Isomorphic core of the Assay evidence store: canonical JSON, hashing, RFC
 * 6962 Merkle proofs, C2SP signed notes and checkpoints, the evidence
 * envelope and its hash chain, and offline verification bundles.
 *
 * @packageDocumentation
 */

export * from './bytes';
export * from './hash';
export * from './canonical';
export {
  leafHash,
  nodeHash,
  emptyRoot,
  merkleRoot,
  subtreeHash,
  perfectNodesCompletedBy,
} from './merkle';
export type { NodeLookup, NodeRef } from './merkle';
export * from './merkleProofs';
export * from './merkleVerify';
export * from './noteError';
export * from './noteKeys';
export * from './note';
export * from './checkpoint';
export * from './categories';
export * from './permissions';
export * from './producers';
export * from './entityRef';
export * from './envelope';
export { verifyChain, verifyChainAsync } from './chain';
export type {
  ChainFailure,
  ChainRecord,
  ChainVerification,
  VerifyChainOptions,
} from './chain';
export { verifyChainIntegrity } from './chainIntegrity';
export { isRecognizedCanonicalEnvelope } from './fastEnvelope';
export type { VerifyChainIntegrityOptions } from './chainIntegrity';
export * from './heads';
export * from './bundle';
export { base64NodeHash } from './inclusionBatch';
export type { Base64NodeHash } from './inclusionBatch';
export * from './storedChain';
export * from './auditPack';
export * from './auditPackScript';
