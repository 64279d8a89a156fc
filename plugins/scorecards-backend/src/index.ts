/**
 * Assay compliance scorecards backend plugin.
 *
 * @packageDocumentation
 */
export { scorecardsPlugin as default } from './plugin';
