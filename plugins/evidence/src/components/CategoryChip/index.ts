export { CategoryChip } from './CategoryChip';
