import {
  canonicalBytes,
  isValidCategoryName,
  normalizeEntityRef,
  recordHashFromBytes,
} from '@assay/plugin-evidence-common';
import { ConnectionOptions, createEvidenceApi } from '../api';
import { CliContext, CliError } from '../context';

export interface LatestOptions extends ConnectionOptions {
  entity: string;
  category: string;
  fact?: string;
}

/** Exit code when the entity has no record of that category (or no such fact). */
export const NOT_FOUND_EXIT_CODE = 3;

/**
 * `assay evidence latest`: prints the newest record of a category (its
 * envelope as JSON), or with `--fact` one summary fact, for pipelines that
 * compare against the previous run (e.g. the load-test p95 gate). The record's
 * hash is recomputed from its canonical bytes before anything is printed.
 */
export async function latestCommand(
  options: LatestOptions,
  ctx: CliContext,
): Promise<number> {
  let entityRef: string;
  try {
    entityRef = normalizeEntityRef(options.entity);
  } catch (e) {
    throw new CliError(`--entity: ${(e as Error).message}`);
  }
  if (!isValidCategoryName(options.category)) {
    throw new CliError(
      '--category must be lowercase kebab-case, at most 64 characters',
    );
  }
  const api = createEvidenceApi(options, ctx);
  const record = await api.getLatest(entityRef, options.category);
  if (!record) {
    ctx.err(`no ${options.category} evidence for ${entityRef}`);
    return NOT_FOUND_EXIT_CODE;
  }
  const hash = recordHashFromBytes(canonicalBytes(record.envelope));
  if (hash !== record.hash) {
    throw new CliError(
      `the server's ${options.category} record does not match its hash (${record.hash}); refusing to use it`,
    );
  }
  const envelope = record.envelope as {
    summary?: Record<string, unknown>;
  };
  if (options.fact === undefined) {
    ctx.out(JSON.stringify({ hash, envelope }));
    return 0;
  }
  const value = envelope.summary?.[options.fact];
  if (value === undefined) {
    ctx.err(
      `the newest ${options.category} record (${hash}) has no fact '${options.fact}'`,
    );
    return NOT_FOUND_EXIT_CODE;
  }
  ctx.out(typeof value === 'string' ? value : JSON.stringify(value));
  return 0;
}
