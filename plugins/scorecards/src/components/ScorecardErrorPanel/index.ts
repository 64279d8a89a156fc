export * from './ScorecardErrorPanel';
