// bench scripts only (never shipped): one shared writer for docs/benchmarks.md
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
export { writeSection } from '../../../scripts/bench/writeSection';

/** A logger for bench runs (mockServices.logger.mock() needs jest). */
export const silentLogger: any = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silentLogger;
  },
};
