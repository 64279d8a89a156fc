export { RecordDrawer } from './RecordDrawer';
