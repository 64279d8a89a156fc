export { RecordsTable } from './RecordsTable';
