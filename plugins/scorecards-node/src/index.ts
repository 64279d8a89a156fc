/**
 * Service ref other backend plugins use to read Assay scorecard results
 *
 * @packageDocumentation
 */

export {};
