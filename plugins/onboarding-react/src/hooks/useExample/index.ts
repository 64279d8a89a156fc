export { useExample } from './useExample';
