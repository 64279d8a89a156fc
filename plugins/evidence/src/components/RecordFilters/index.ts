export { RecordFilters, emptyFilters, hasFilters } from './RecordFilters';
