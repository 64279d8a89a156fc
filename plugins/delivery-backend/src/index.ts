/**
 * @assay/plugin-delivery-backend
 *
 * @packageDocumentation
 */

export {};
