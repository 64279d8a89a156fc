export { FactsText } from './FactsText';
