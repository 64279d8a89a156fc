import {
  BundleVerification,
  EvidenceBundle,
  toHex,
} from '@assay/plugin-evidence-common';
import { CliContext } from './context';

/** Prints a human-readable verification report. */
export function printReport(
  bundle: Pick<EvidenceBundle, 'entityRef' | 'origin' | 'publicKey'> & {
    records: { length: number };
  },
  result: BundleVerification,
  pinned: boolean,
  ctx: CliContext,
) {
  const cp = result.checkpoint;
  ctx.out(`Evidence bundle for ${bundle.entityRef}`);
  ctx.out(
    cp
      ? `  log:        ${cp.origin} (tree size ${cp.treeSize}, root ${toHex(
          cp.rootHash,
        )})`
      : `  log:        ${bundle.origin} (checkpoint NOT verified)`,
  );
  ctx.out(
    `  signer key: ${bundle.publicKey}${
      pinned
        ? ' (matches --public-key)'
        : ' (taken from the bundle, not pinned)'
    }`,
  );
  const chain = result.chain;
  ctx.out(
    chain.ok
      ? `  chain:      ${chain.checked} records, head ${chain.headHash}`
      : `  chain:      broken after ${chain.checked} good records`,
  );
  if (cp) {
    const notIncluded = new Set(
      result.failures
        .filter(f => /not included/.test(f.reason))
        .map(f => f.seq),
    );
    ctx.out(
      `  inclusion:  ${bundle.records.length - notIncluded.size}/${
        bundle.records.length
      } records in the checkpoint`,
    );
  }
  if (result.ok) {
    ctx.out(
      `OK: all ${bundle.records.length} records of ${bundle.entityRef} verify.`,
    );
    if (!pinned) {
      ctx.out(
        'Note: pass --public-key (or ASSAY_PUBLIC_KEY) with the log key you trust to pin the signer.',
      );
    }
    return;
  }
  const first = chain.ok
    ? result.failures.find(f => f.seq !== undefined)
    : chain.firstBad;
  ctx.err(
    first
      ? `FAILED: first bad record is #${first.seq}: ${first.reason}`
      : `FAILED: ${result.failures[0].reason}`,
  );
  for (const f of result.failures) {
    const named = f.seq === undefined || f.reason.startsWith('record #');
    ctx.err(`  - ${named ? '' : `record #${f.seq}: `}${f.reason}`);
  }
}
