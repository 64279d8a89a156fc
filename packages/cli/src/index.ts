/**
 * The `assay` command line tool.
 *
 * @packageDocumentation
 */

import { run } from './program';
import { processContext } from './context';

run(process.argv.slice(2), processContext()).then(code => {
  process.exitCode = code;
});
