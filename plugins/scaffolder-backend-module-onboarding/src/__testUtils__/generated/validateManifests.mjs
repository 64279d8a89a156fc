// Runtime validation of Kubernetes objects with kubernetes-models (ESM-only
// packages, so this runs in plain Node, outside Jest's module system).
// stdin: JSON [{ file, doc, module, name }]; stdout: JSON [{ file, kind, error }].
import { readFileSync } from 'node:fs';

const input = JSON.parse(readFileSync(0, 'utf8'));
const problems = [];
for (const { file, doc, module, name } of input) {
  try {
    const models = await import(module);
    new models[name](doc).validate();
  } catch (e) {
    problems.push({
      file,
      kind: doc.kind,
      error: String(e && e.message ? e.message : e),
    });
  }
}
process.stdout.write(JSON.stringify(problems));
