/**
 * @assay/plugin-scorecards-backend
 *
 * @packageDocumentation
 */

export {};
