import fs from 'node:fs/promises';
import path from 'node:path';
import {
  evidenceSubjectSchema,
  isValidCategoryName,
  normalizeEntityRef,
  recordHashFromBytes,
  utf8Encode,
} from '@assay/plugin-evidence-common';
import { ConnectionOptions, createEvidenceApi } from '../api';
import { parsePairs, summaryValue } from '../args';
import { CliContext, CliError } from '../context';
import { mediaTypeFor } from '../mediaTypes';

export interface PushOptions extends ConnectionOptions {
  entity: string;
  category: string;
  file?: string[];
  format?: string;
  subject?: string[];
  summary?: string[];
  idempotencyKey?: string;
}

function entityRefOrThrow(ref: string): string {
  try {
    return normalizeEntityRef(ref);
  } catch (e) {
    throw new CliError(`--entity: ${(e as Error).message}`);
  }
}

/** Builds the append request body from the command line (reads the files). */
export async function buildAppendBody(options: PushOptions) {
  if (!isValidCategoryName(options.category)) {
    throw new CliError(
      '--category must be lowercase kebab-case, at most 64 characters',
    );
  }
  const subject = Object.fromEntries(
    parsePairs(options.subject ?? [], '--subject'),
  );
  const parsedSubject = evidenceSubjectSchema.safeParse(subject);
  if (!parsedSubject.success) {
    throw new CliError(
      `--subject keys must be commit, version, featureSha, runId or environment (got ${Object.keys(
        subject,
      ).join(', ')})`,
    );
  }
  const summary = Object.fromEntries(
    parsePairs(options.summary ?? [], '--summary').map(([k, v]) => [
      k,
      summaryValue(v),
    ]),
  );
  const artifacts = await Promise.all(
    (options.file ?? []).map(async file => {
      let content: Buffer;
      try {
        content = await fs.readFile(file);
      } catch (e) {
        throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
      }
      const name = path.basename(file);
      return {
        name,
        mediaType: mediaTypeFor(name, options.format),
        ...(options.format ? { format: options.format } : {}),
        contentBase64: content.toString('base64'),
      };
    }),
  );
  return {
    entityRef: entityRefOrThrow(options.entity),
    category: options.category,
    ...(Object.keys(subject).length ? { subject } : {}),
    summary,
    producedAt: new Date().toISOString(),
    artifacts,
  };
}

/** `assay evidence push`: appends one evidence record. */
export async function pushCommand(
  options: PushOptions,
  ctx: CliContext,
): Promise<number> {
  const api = createEvidenceApi(options, ctx);
  const body = await buildAppendBody(options);
  const stored = (await api.postRecord(body, options.idempotencyKey)) as {
    hash?: string;
    leafIndex?: number;
    canonical?: string;
    envelope?: { seq?: number };
  };
  if (typeof stored.hash !== 'string' || typeof stored.canonical !== 'string') {
    throw new CliError('the server response has no record hash');
  }
  if (recordHashFromBytes(utf8Encode(stored.canonical)) !== stored.hash) {
    throw new CliError(
      `the server returned record ${stored.hash}, but its canonical bytes hash differently`,
    );
  }
  const seq = stored.envelope?.seq ?? JSON.parse(stored.canonical).seq;
  ctx.out(`recorded ${body.category} evidence for ${body.entityRef}`);
  ctx.out(`  seq:       ${seq}`);
  ctx.out(`  hash:      ${stored.hash}`);
  ctx.out(`  leafIndex: ${stored.leafIndex}`);
  return 0;
}
