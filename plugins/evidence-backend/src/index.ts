export { evidencePlugin as default } from './plugin';
