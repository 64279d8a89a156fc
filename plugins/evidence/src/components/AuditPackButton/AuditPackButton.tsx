import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { Button, CircularProgress } from '@material-ui/core';
import GetAppIcon from '@material-ui/icons/GetApp';
import {
  buildAuditPackFiles,
  verifyBundleAsync,
} from '@assay/plugin-evidence-common';
import { useState } from 'react';
import { evidenceApiRef } from '../../api/EvidenceApi';
import { EvidenceBundle } from '../../api/types';
import { usePinnedVerifierKeys } from '../../hooks/useIntegrity';
import {
  createLocalCheckpointMemory,
  entityMemoryKey,
} from '../../lib/checkpointMemory';
import { saveBlob, safeFileName } from '../../lib/download';
import { errorMessage } from '../EvidenceErrorPanel';

/** Zips the pack files (fflate is loaded only when a pack is requested). */
async function zipPack(
  files: Record<string, Uint8Array | string>,
): Promise<Blob> {
  const { zipSync, strToU8 } = await import('fflate');
  const entries = Object.fromEntries(
    Object.entries(files).map(([path, content]) => [
      path,
      typeof content === 'string' ? strToU8(content) : content,
    ]),
  );
  const zipped = zipSync(entries, {
    level: 6,
    mtime: new Date('2000-01-01T00:00:00Z'),
  });
  return new Blob([zipped], { type: 'application/zip' });
}

/** Why the bundle can't be trusted, or undefined when it verifies. */
async function checkBundle(
  bundle: EvidenceBundle,
  trustedKeys: string[],
): Promise<string | undefined> {
  const result = await verifyBundleAsync(bundle);
  if (!result.ok) {
    const f = result.failures[0];
    return `${f.seq !== undefined ? `record #${f.seq}: ` : ''}${f.reason}`;
  }
  if (trustedKeys.length && !trustedKeys.includes(bundle.publicKey)) {
    return `it is signed by ${bundle.publicKey}, not by the key this browser trusts`;
  }
  return undefined;
}

/**
 * "Download audit pack": the same pack as `assay evidence export` — canonical
 * records, inclusion proofs, the signed checkpoint, the public key, a
 * verification script and a README for auditors — zipped in the browser
 * after the bundle has been verified here.
 */
export function AuditPackButton(props: { entityRef: string }) {
  const api = useApi(evidenceApiRef);
  const alertApi = useApi(alertApiRef);
  const pinnedKeys = usePinnedVerifierKeys();
  const [busy, setBusy] = useState(false);

  const download = async () => {
    setBusy(true);
    try {
      const bundle = await api.getBundle(props.entityRef);
      const seenKey = createLocalCheckpointMemory().get(
        entityMemoryKey(props.entityRef),
      )?.verifierKey;
      const problem = await checkBundle(
        bundle,
        pinnedKeys ?? (seenKey ? [seenKey] : []),
      );
      const zip = await zipPack(buildAuditPackFiles(bundle));
      saveBlob(
        zip,
        `${safeFileName(props.entityRef.replace(/[:/]/g, '-'))}-audit-pack.zip`,
      );
      if (problem) {
        alertApi.post({
          message: `Audit pack downloaded, but it does NOT verify: ${problem}`,
          severity: 'warning',
        });
      }
    } catch (e) {
      alertApi.post({
        message: `Could not build the audit pack: ${errorMessage(e as Error)}`,
        severity: 'error',
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Button
      variant="outlined"
      size="small"
      onClick={download}
      disabled={busy}
      startIcon={busy ? <CircularProgress size={16} /> : <GetAppIcon />}
    >
      Download audit pack
    </Button>
  );
}
