export { IntegrityAuditCard } from './IntegrityAuditCard';
