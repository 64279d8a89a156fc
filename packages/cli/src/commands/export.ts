import fs from 'node:fs/promises';
import { zipSync } from 'fflate';
import { buildAuditPackFiles, utf8Encode } from '@assay/plugin-evidence-common';
import { CliContext } from '../context';
import { printReport } from '../report';
import { loadAndVerify, VerifyOptions } from './verify';

export interface ExportOptions extends VerifyOptions {
  output: string;
  force?: boolean;
}

/** Zips the audit pack files (fixed timestamps, so the same bundle gives the same zip). */
export function zipAuditPack(
  files: Record<string, Uint8Array | string>,
): Uint8Array {
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {};
  for (const name of Object.keys(files).sort()) {
    const content = files[name];
    const bytes = typeof content === 'string' ? utf8Encode(content) : content;
    entries[name] = [bytes, { mtime: new Date('2000-01-01T00:00:00Z') }];
  }
  return zipSync(entries, { level: 6 });
}

/** `assay evidence export`: writes an auditor's pack for an entity. */
export async function exportCommand(
  options: ExportOptions,
  ctx: CliContext,
): Promise<number> {
  const { bundle, pinned, result } = await loadAndVerify(options, ctx);
  if (!result.ok) {
    printReport(bundle, result, pinned, ctx);
    if (!options.force) {
      ctx.err(
        'Not writing an audit pack for evidence that does not verify (use --force to write it anyway).',
      );
      return 1;
    }
  }
  const zip = zipAuditPack(buildAuditPackFiles(bundle));
  await fs.writeFile(options.output, zip);
  ctx.out(
    `wrote ${options.output}: ${bundle.records.length} records of ${
      bundle.entityRef
    }, checkpoint tree size ${result.checkpoint?.treeSize ?? 'unverified'}`,
  );
  ctx.out(
    'See README.md inside the pack for how to verify it with standard tools.',
  );
  return result.ok ? 0 : 1;
}
