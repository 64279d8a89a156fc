import {
  EvidenceBundle,
  normalizeEntityRef,
  parseVerifierKey,
  verifyBundle,
} from '@assay/plugin-evidence-common';
import { ConnectionOptions, createEvidenceApi } from '../api';
import { readBundleFile } from '../bundleFile';
import { CliContext, CliError } from '../context';
import { printReport } from '../report';

export interface VerifyOptions extends ConnectionOptions {
  entity?: string;
  bundle?: string;
  publicKey?: string;
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

/** `assay evidence verify`: verifies an entity's evidence bundle. */
export async function verifyCommand(
  options: VerifyOptions,
  ctx: CliContext,
): Promise<number> {
  const { bundle, pinned, result } = await loadAndVerify(options, ctx);
  printReport(bundle, result, pinned, ctx);
  return result.ok ? 0 : 1;
}

/** Loads the bundle, checks the pinned key and verifies it (shared with export). */
export async function loadAndVerify(options: VerifyOptions, ctx: CliContext) {
  const bundle = await loadBundle(options, ctx);
  const pinned = checkPinnedKey(
    bundle,
    options.publicKey ?? ctx.env.ASSAY_PUBLIC_KEY,
  );
  try {
    return { bundle, pinned, result: verifyBundle(bundle) };
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}
