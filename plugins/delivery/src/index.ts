/**
 * @assay/plugin-delivery
 *
 * @packageDocumentation
 */

export {};
