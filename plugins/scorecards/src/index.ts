/**
 * @assay/plugin-scorecards
 *
 * @packageDocumentation
 */

export {};
