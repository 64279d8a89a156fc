export {
  EvidenceErrorPanel,
  errorMessage,
  isPermissionError,
  statusOf,
} from './EvidenceErrorPanel';
