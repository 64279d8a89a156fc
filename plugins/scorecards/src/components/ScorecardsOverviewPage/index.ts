export { ScorecardsOverviewPage } from './ScorecardsOverviewPage';
