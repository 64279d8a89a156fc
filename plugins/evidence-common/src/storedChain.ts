import { toHex, utf8Encode } from './bytes';
import {
  ChainRecord,
  ChainVerification,
  verifyChain,
  VerifyChainOptions,
} from './chain';
import { leafHash } from './merkle';

/**
 * A stored record as the backend reads it: chain data plus its leaf index
 * and the leaf hash stored in the Merkle tree nodes.
 *
 * @public
 */
export type StoredChainRecord = ChainRecord & {
  canonical: string;
  leafIndex: number;
  /** hex; null when the tree has no node for the leaf */
  leafHash: string | null;
};

/**
 * The server-side check of stored records: the full {@link verifyChain}
 * check of every record, then each stored leaf hash against
 * SHA-256(0x00 ‖ canonical bytes). Stops at the first bad record.
 *
 * @public
 */
export function verifyStoredChain(
  records: StoredChainRecord[],
  options: VerifyChainOptions = {},
): ChainVerification {
  const chain = verifyChain(records, options);
  const first = options.expectedFirstSeq ?? 1;
  // the first bad record wins: leaves are checked up to the chain's failure
  const end = chain.ok ? records.length : chain.checked;
  for (let i = 0; i < end; i++) {
    const r = records[i];
    const leaf = toHex(leafHash(utf8Encode(r.canonical), options.hash));
    if (r.leafHash !== leaf) {
      return {
        ok: false,
        checked: i,
        firstBad: {
          seq: first + i,
          hash: r.hash,
          reason: `leaf hash in the Merkle log at index ${r.leafIndex} does not match the record's canonical bytes`,
        },
      };
    }
  }
  return chain;
}
