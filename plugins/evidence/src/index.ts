export { evidencePlugin, EvidencePage } from './plugin';
