/**
 * Pure core of Assay compliance scorecards: check definitions, rule
 * evaluation, levels and replay. No backend or frontend imports.
 *
 * @packageDocumentation
 */

export * from './types';
export * from './permissions';
export * from './rules';
export * from './checks';
export * from './defaultChecks';
export * from './facts';
export * from './evaluate';
export * from './replay';
export * from './compact';
export * from './csv';
export * from './hashing';
