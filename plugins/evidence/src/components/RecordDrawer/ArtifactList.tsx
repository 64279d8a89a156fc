import { Button, Typography } from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';
import GetAppIcon from '@material-ui/icons/GetApp';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { useState } from 'react';
import { evidenceApiRef } from '../../api/EvidenceApi';
import { StoredRecord } from '../../api/types';
import { saveBlob, safeFileName } from '../../lib/download';
import { formatBytes, shortHash } from '../../lib/format';
import { errorMessage, statusOf } from '../EvidenceErrorPanel';

const useStyles = makeStyles(theme => ({
  table: { width: '100%', borderCollapse: 'collapse' },
  cell: {
    padding: theme.spacing(0.5, 1, 0.5, 0),
    borderBottom: `1px solid ${theme.palette.divider}`,
    verticalAlign: 'middle',
    wordBreak: 'break-all',
  },
  mono: { fontFamily: 'monospace', fontSize: '0.8rem' },
}));

interface Item {
  name: string;
  digest: string;
  size?: number;
  mediaType?: string;
}

/** The record's artifacts (and primary payload), each downloadable unless purged. */
export function ArtifactList(props: { record: StoredRecord }) {
  const classes = useStyles();
  const api = useApi(evidenceApiRef);
  const alertApi = useApi(alertApiRef);
  const [busy, setBusy] = useState<string>();
  const [gone, setGone] = useState<Set<string>>(new Set());
  const { record } = props;
  const env = record.envelope;
  const items: Item[] = [...(env.artifacts ?? [])];
  if (env.payloadDigest && !items.some(a => a.digest === env.payloadDigest)) {
    items.unshift({ name: 'payload', digest: env.payloadDigest });
  }
  if (items.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No artifacts: this record carries only its summary facts.
      </Typography>
    );
  }

  const download = async (item: Item) => {
    setBusy(item.digest);
    try {
      const blob = await api.getArtifact(record.hash, item.digest);
      saveBlob(blob, safeFileName(item.name.split('/').pop() || 'artifact'));
    } catch (e) {
      if (statusOf(e) === 410) {
        setGone(s => new Set(s).add(item.digest));
      } else {
        alertApi.post({
          message: `Could not download ${item.name}: ${errorMessage(
            e as Error,
          )}`,
          severity: 'error',
        });
      }
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <table className={classes.table} aria-label="artifacts">
      <tbody>
        {items.map(item => {
          return (
            <tr key={`${item.name}:${item.digest}`}>
              <td className={classes.cell}>
                <Typography variant="body2">{item.name}</Typography>
                <Typography variant="caption" color="textSecondary">
                  {[item.mediaType, formatBytes(item.size)]
                    .filter(Boolean)
                    .join(' · ')}
                </Typography>
              </td>
              <td
                className={`${classes.cell} ${classes.mono}`}
                title={item.digest}
              >
                sha256:{shortHash(item.digest, 16)}
              </td>
              <td className={classes.cell} align="right">
                {gone.has(item.digest) ? (
                  <Typography variant="caption" color="textSecondary">
                    purged by retention
                  </Typography>
                ) : (
                  <Button
                    size="small"
                    startIcon={<GetAppIcon />}
                    disabled={busy === item.digest}
                    onClick={() => download(item)}
                    aria-label={`download ${item.name}`}
                  >
                    Download
                  </Button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
