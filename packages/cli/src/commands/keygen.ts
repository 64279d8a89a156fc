import {
  generateSignerKey,
  verifierKeyFromSignerKey,
} from '@assay/plugin-evidence-common';
import { CliContext, CliError } from '../context';

export interface KeygenOptions {
  origin: string;
}

/** Prints a new checkpoint signing key and its verifier key. */
export async function keygenCommand(
  options: KeygenOptions,
  ctx: CliContext,
): Promise<number> {
  let signer: string;
  try {
    signer = generateSignerKey(options.origin);
  } catch (e) {
    throw new CliError(`--origin: ${(e as Error).message}`);
  }
  ctx.out(
    `# evidence.signing.key (keep secret, e.g. ASSAY_EVIDENCE_SIGNING_KEY):`,
  );
  ctx.out(signer);
  ctx.out(`# verifier key to publish (auditors pin it with --public-key):`);
  ctx.out(verifierKeyFromSignerKey(signer));
  return 0;
}
