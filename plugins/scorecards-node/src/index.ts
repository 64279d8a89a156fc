/**
 * Service ref other backend plugins (promotion gates) use to read Assay
 * scorecard results.
 *
 * @packageDocumentation
 */
export {
  scorecardsServiceRef,
  ScorecardsClient,
  levelOfResult,
} from './service';
export type { ScorecardsService, ScorecardLevel } from './service';
