/**
 * Assay compliance scorecards: an entity tab and card showing checks
 * computed from verifiable evidence, waivers and trends, and a platform
 * overview page with levels per team and the controls view.
 *
 * @packageDocumentation
 */
export {
  scorecardsPlugin,
  EntityScorecardContent,
  EntityScorecardCard,
  ScorecardsOverviewPage,
} from './plugin';
export { isScorecardAvailable } from './lib/entity';
export * from './api';
