import fs from 'node:fs';
import {
  EvidenceBundle,
  EvidenceBundleHeader,
  EvidenceBundleRecord,
  normalizeEntityRef,
  parseVerifierKey,
  verifyBundle,
} from '@assay/plugin-evidence-common';
import { ConnectionOptions, createEvidenceApi } from '../api';
import { readBundleFile } from '../bundleFile';
import {
  checkWholeDocumentFile,
  nativeHash,
  verifyBundleStream,
} from '../bundleStream';
import {
  defaultThreads,
  verifyBundleFileThreaded,
  WorkerUnavailable,
} from '../bundleThreads';
import { CliContext, CliError } from '../context';
import { printReport } from '../report';
import {
  incrementalVerify,
  readState,
  stateFromBundle,
  writeState,
} from '../verifyState';

export interface VerifyOptions extends ConnectionOptions {
  entity?: string;
  bundle?: string;
  publicKey?: string;
  /** remembered verified head: re-verify only what was appended since */
  state?: string;
  /** worker threads for a --bundle file (default: one per available core) */
  threads?: string;
}

function threadCount(options: VerifyOptions): number {
  if (options.threads === undefined) return defaultThreads();
  const n = Number(options.threads);
  if (
    !/^[0-9]+$/.test(options.threads.trim()) ||
    !Number.isSafeInteger(n) ||
    n < 1 ||
    n > 256
  ) {
    throw new CliError(
      `--threads: expected a whole number from 1 to 256, got '${options.threads}'`,
    );
  }
  return n;
}

function rangeBytes(ctx: CliContext): number | undefined {
  const v = ctx.env.ASSAY_VERIFY_RANGE_BYTES;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new CliError(
      `ASSAY_VERIFY_RANGE_BYTES: expected a positive whole number, got '${v}'`,
    );
  }
  return n;
}

/** ASSAY_VERIFY_WHOLE_DOCUMENT_MAX_BYTES: the cap on a bundle parsed whole (tests lower it). */
function wholeDocumentMaxBytes(ctx: CliContext): number | undefined {
  const v = ctx.env.ASSAY_VERIFY_WHOLE_DOCUMENT_MAX_BYTES;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new CliError(
      `ASSAY_VERIFY_WHOLE_DOCUMENT_MAX_BYTES: expected a positive whole number, got '${v}'`,
    );
  }
  return n;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

function isZip(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const head = Buffer.alloc(4);
      fs.readSync(fd, head, 0, 4, 0);
      return head.equals(ZIP_MAGIC);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

/** Loads a bundle from a file or the server and checks it matches --entity. */
export async function loadBundle(
  options: VerifyOptions,
  ctx: CliContext,
): Promise<EvidenceBundle> {
  let entityRef: string | undefined;
  try {
    entityRef = options.entity ? normalizeEntityRef(options.entity) : undefined;
  } catch (e) {
    throw new CliError(`--entity: ${(e as Error).message}`);
  }
  if (!options.bundle && !entityRef) {
    throw new CliError(
      'pass --entity (to fetch the bundle) or --bundle <file>',
    );
  }
  const bundle = options.bundle
    ? await readBundleFile(options.bundle)
    : await createEvidenceApi(options, ctx).getBundle(entityRef!);
  if (entityRef && bundle?.entityRef !== entityRef) {
    throw new CliError(
      `the bundle is for ${bundle?.entityRef}, not ${entityRef}`,
    );
  }
  return bundle;
}

/** Checks a pinned key (if any) against the bundle's. */
export function checkPinnedKey(
  bundle: EvidenceBundle,
  pinnedKey?: string,
): boolean {
  if (!pinnedKey) return false;
  try {
    parseVerifierKey(pinnedKey);
  } catch (e) {
    throw new CliError(`--public-key: ${(e as Error).message}`);
  }
  if (pinnedKey.trim() !== bundle.publicKey) {
    throw new CliError(
      `the bundle's checkpoint key ${
        bundle.publicKey
      } is not the pinned key ${pinnedKey.trim()}`,
    );
  }
  return true;
}

/**
 * `assay evidence verify`: verifies an entity's evidence bundle, streamed
 * record by record (bounded memory at any size). With `--state <file>` it
 * remembers the verified head and checkpoint and next time verifies only
 * the records appended since, linked to that head, plus a consistency proof
 * from the remembered checkpoint (a full pass only the first time).
 */
export async function verifyCommand(
  options: VerifyOptions,
  ctx: CliContext,
): Promise<number> {
  let entityRef: string | undefined;
  try {
    entityRef = options.entity ? normalizeEntityRef(options.entity) : undefined;
  } catch (e) {
    throw new CliError(`--entity: ${(e as Error).message}`);
  }
  if (!options.bundle && !entityRef) {
    throw new CliError(
      'pass --entity (to fetch the bundle) or --bundle <file>',
    );
  }
  const pinnedKey = options.publicKey ?? ctx.env.ASSAY_PUBLIC_KEY;
  const threads = threadCount(options);
  if (options.state) {
    if (options.bundle || !entityRef) {
      throw new CliError(
        '--state re-verifies against the server: pass --entity, not --bundle',
      );
    }
    const state = await readState(options.state, entityRef);
    if (state) {
      const api = createEvidenceApi(options, ctx);
      const outcome = await incrementalVerify(api, state, {
        pinnedKey,
        ctx,
      });
      if (outcome.ok) await writeState(options.state, outcome.state);
      return outcome.ok ? 0 : 1;
    }
  }
  const check = (header: EvidenceBundleHeader) => {
    if (entityRef && header?.entityRef !== entityRef) {
      throw new CliError(
        `the bundle is for ${header?.entityRef}, not ${entityRef}`,
      );
    }
    checkPinnedKey(header as EvidenceBundle, pinnedKey);
  };
  let last:
    | { seq: number; hash: string; leafIndex: number; canonical: string }
    | undefined;
  let lastRecord: EvidenceBundleRecord | undefined;
  let lastIndex = -1;
  let streamed;
  if (options.bundle && isZip(options.bundle)) {
    const bundle = await readBundleFile(options.bundle);
    check(bundle);
    streamed = {
      header: bundle,
      recordCount: bundle.records.length,
      result: guard(() =>
        verifyBundle(bundle, nativeHash.hash, nativeHash.hashHex),
      ),
    };
    const r = bundle.records[bundle.records.length - 1];
    if (r) last = { ...r, seq: bundle.records.length };
  } else if (options.bundle) {
    // a file without the header line larger than the cap: refused up front
    checkWholeDocumentFile(options.bundle, wholeDocumentMaxBytes(ctx));
  }
  if (!streamed && options.bundle && threads > 1) {
    try {
      streamed = await verifyBundleFileThreaded(
        options.bundle,
        options.bundle,
        check,
        { threads, rangeBytes: rangeBytes(ctx) },
      );
    } catch (e) {
      if (!(e instanceof WorkerUnavailable)) throw e;
      ctx.err(
        `warning: verification worker threads failed (${e.message}); verifying on one thread`,
      );
    }
  }
  if (!streamed) {
    const source = options.bundle
      ? fs.createReadStream(options.bundle, { highWaterMark: 1 << 22 })
      : await createEvidenceApi(options, ctx).openBundle(entityRef!);
    streamed = await verifyBundleStream(
      source,
      options.bundle ?? `the bundle of ${entityRef}`,
      check,
      (record, index) => {
        // no copy per record (a spread here was ~7 % of a one-thread run)
        lastRecord = record;
        lastIndex = index;
      },
      { wholeDocumentMaxBytes: wholeDocumentMaxBytes(ctx) },
    );
    if (lastRecord) last = { ...lastRecord, seq: lastIndex + 1 };
  }
  const { header, recordCount, result } = streamed;
  printReport(
    { ...header, records: { length: recordCount } },
    result,
    !!pinnedKey,
    ctx,
  );
  if (result.ok && options.state && result.checkpoint) {
    await writeState(
      options.state,
      stateFromBundle(header, result.checkpoint, last),
    );
  }
  return result.ok ? 0 : 1;
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** Loads the bundle, checks the pinned key and verifies it (shared with export). */
export async function loadAndVerify(options: VerifyOptions, ctx: CliContext) {
  const bundle = await loadBundle(options, ctx);
  const pinned = checkPinnedKey(
    bundle,
    options.publicKey ?? ctx.env.ASSAY_PUBLIC_KEY,
  );
  try {
    return {
      bundle,
      pinned,
      result: verifyBundle(bundle, nativeHash.hash, nativeHash.hashHex),
    };
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}
