/**
 * Pure core of Assay compliance scorecards: check definitions, rule evaluation, levels and replay
 *
 * @packageDocumentation
 */

export {};
