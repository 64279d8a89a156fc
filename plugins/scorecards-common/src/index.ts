/**
 * Pure core of Assay compliance scorecards: check definitions, rule
 * evaluation, levels and replay. No backend or frontend imports.
 *
 * @packageDocumentation
 */

export * from './types';
export * from './permissions';
