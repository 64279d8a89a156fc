export { RunList, RunEvents } from './RunHistory';
export { EvidenceLink } from './EvidenceLink';
