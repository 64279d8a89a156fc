import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { Button, CircularProgress } from '@material-ui/core';
import GetAppIcon from '@material-ui/icons/GetApp';
import { useState } from 'react';
import { evidenceApiRef } from '../../api/EvidenceApi';
import { saveBlob, safeFileName } from '../../lib/download';
import { errorMessage } from '../EvidenceErrorPanel';

/**
 * Downloads the entity's verification bundle — the audit pack source the
 * CLI's `assay evidence export` packs: every canonical record with its
 * inclusion proof, the signed checkpoint and the log's public key.
 */
export function AuditPackButton(props: { entityRef: string }) {
  const api = useApi(evidenceApiRef);
  const alertApi = useApi(alertApiRef);
  const [busy, setBusy] = useState(false);

  const download = async () => {
    setBusy(true);
    try {
      const bundle = await api.getBundle(props.entityRef);
      const json = `${JSON.stringify(bundle, null, 2)}\n`;
      saveBlob(
        new Blob([json], { type: 'application/json' }),
        `${safeFileName(props.entityRef)}.evidence-bundle.json`,
      );
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
