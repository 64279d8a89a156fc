export { RollbackExplanation } from './RollbackExplanation';
