/**
 * The `assay` command line tool.
 *
 * @packageDocumentation
 */

import { run } from './program';
import { processContext } from './context';
import { isVerifyWorker } from './bundleThreads';

// the same file runs `assay evidence verify`'s worker threads (bundleThreads.ts)
if (!isVerifyWorker) {
  run(process.argv.slice(2), processContext()).then(code => {
    process.exitCode = code;
  });
}
