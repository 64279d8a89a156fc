export { AuditPackButton } from './AuditPackButton';
