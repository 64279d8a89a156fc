import { execFileSync } from 'child_process';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import ts from 'typescript';
import { MODELS, modelKey } from './manifestModels';

const HERE = (...paths: string[]) =>
  resolvePackagePath(
    '@assay/plugin-scaffolder-backend-module-onboarding',
    'src/__testUtils__/generated',
    ...paths,
  );

export interface ManifestDoc {
  file: string;
  doc: any;
}

/** Objects whose kind has no model: an error in itself. */
export function unknownKinds(docs: ManifestDoc[]): string[] {
  return docs
    .filter(d => !MODELS[modelKey(d.doc)])
    .map(d => `${d.file}: no model for ${modelKey(d.doc)}`);
}

/** The models' JSON-schema validators (types, formats, required fields). */
export function runtimeErrors(docs: ManifestDoc[]): string[] {
  const input = docs.map(d => ({ ...d, ...MODELS[modelKey(d.doc)] }));
  const out = execFileSync(process.execPath, [HERE('validateManifests.mjs')], {
    input: JSON.stringify(input),
    cwd: HERE(),
  });
  return (JSON.parse(out.toString()) as any[]).map(
    p => `${p.file}: ${p.kind}: ${p.error}`,
  );
}

/**
 * Strict check: each object as a literal of the model's TypeScript
 * interface, so unknown fields (at any depth) and wrong types are errors.
 */
export function typeErrors(docs: ManifestDoc[]): string[] {
  const fileName = HERE('__manifests__.ts');
  const lines: string[] = [];
  docs.forEach((d, i) => {
    const model = MODELS[modelKey(d.doc)];
    lines.push(
      `// ${d.file}`,
      `import type { I${model.name} as T${i} } from '${model.module}';`,
      `export const m${i}: T${i} = ${JSON.stringify(d.doc, null, 1)};`,
    );
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile;
  host.readFile = f => (f === fileName ? source : read.call(host, f));
  const exists = host.fileExists;
  host.fileExists = f => f === fileName || exists.call(host, f);
  const getSource = host.getSourceFile;
  host.getSourceFile = (f, lang, ...rest) =>
    f === fileName
      ? ts.createSourceFile(f, source, lang)
      : getSource.call(host, f, lang, ...rest);
  const program = ts.createProgram([fileName], options, host);
  return ts.getPreEmitDiagnostics(program).map(d => {
    const where =
      d.file && d.start !== undefined
        ? d.file.getLineAndCharacterOfPosition(d.start).line
        : -1;
    const manifest =
      d.file?.fileName === fileName
        ? source
            .split('\n')
            .slice(0, where + 1)
            .reverse()
            .find(l => l.startsWith('// '))
        : d.file?.fileName;
    return `${(manifest ?? '?').replace(
      /^\/\/ /,
      '',
    )}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}
