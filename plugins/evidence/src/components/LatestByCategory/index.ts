export { LatestByCategory } from './LatestByCategory';
