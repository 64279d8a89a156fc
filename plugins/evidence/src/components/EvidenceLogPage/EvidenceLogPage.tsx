import {
  Content,
  ContentHeader,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Grid, Typography } from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';
import { Alert } from '@material-ui/lab';
import { useMemo } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { fromBase64, verifyConsistency } from '@assay/plugin-evidence-common';
import { evidenceApiRef } from '../../api/EvidenceApi';
import { IntegrityAuditCard } from '../IntegrityAuditCard';
import { usePinnedVerifierKeys } from '../../hooks/useIntegrity';
import {
  CheckpointTrustError,
  fetchVerifiedCheckpoint,
} from '../../lib/checkpoint';
import {
  createLocalCheckpointMemory,
  LOG_MEMORY_KEY,
} from '../../lib/checkpointMemory';
import { formatCount, formatDateTime } from '../../lib/format';

const useStyles = makeStyles(theme => ({
  pre: {
    fontFamily: 'monospace',
    fontSize: '0.8rem',
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
    background: theme.palette.background.default,
    padding: theme.spacing(1.5),
    borderRadius: theme.shape.borderRadius,
    margin: 0,
  },
}));

/**
 * The evidence log itself: the latest signed checkpoint, checked in the
 * browser, and its consistency with what this browser saw before.
 */
export function EvidenceLogPage() {
  const classes = useStyles();
  const api = useApi(evidenceApiRef);
  const pinnedKeys = usePinnedVerifierKeys();
  const memory = useMemo(() => createLocalCheckpointMemory(), []);
  const { value, loading, error } = useAsyncRetry(async () => {
    try {
      const cp = await fetchVerifiedCheckpoint({ api, pinnedKeys });
      const seen = memory.get(LOG_MEMORY_KEY);
      let consistency: string;
      if (!seen) {
        consistency =
          'First visit from this browser; the checkpoint is remembered.';
      } else if (seen.treeSize === cp.treeSize) {
        consistency =
          seen.rootHash === cp.rootHashBase64
            ? `Unchanged since ${formatDateTime(seen.seenAt)}.`
            : `ROOT CHANGED at the same size as on ${formatDateTime(
                seen.seenAt,
              )}: the log was rewritten.`;
      } else if (seen.treeSize > cp.treeSize || seen.treeSize === 0) {
        consistency =
          seen.treeSize === 0
            ? 'Grew from an empty log.'
            : `The log SHRANK from ${seen.treeSize} to ${cp.treeSize} leaves.`;
      } else {
        const proof = await api.getConsistencyProof({
          from: seen.treeSize,
          to: cp.treeSize,
        });
        verifyConsistency({
          size1: seen.treeSize,
          size2: cp.treeSize,
          root1: fromBase64(seen.rootHash),
          root2: cp.rootHash,
          proof: proof.hashes.map(h => fromBase64(h)),
        });
        consistency = `Append-only since ${formatDateTime(
          seen.seenAt,
        )} (${formatCount(seen.treeSize)} → ${formatCount(
          cp.treeSize,
        )} leaves), consistency proof verified.`;
        memory.set(LOG_MEMORY_KEY, {
          ...seen,
          treeSize: cp.treeSize,
          rootHash: cp.rootHashBase64,
          seenAt: new Date().toISOString(),
        });
      }
      if (!seen) {
        memory.set(LOG_MEMORY_KEY, {
          origin: cp.origin,
          treeSize: cp.treeSize,
          rootHash: cp.rootHashBase64,
          verifierKey: cp.verifierKey,
          seenAt: new Date().toISOString(),
        });
      }
      return { ok: true as const, cp, consistency };
    } catch (e) {
      if (
        e instanceof CheckpointTrustError ||
        (e as Error).name === 'ProofError'
      ) {
        return { ok: false as const, message: (e as Error).message };
      }
      throw e;
    }
  }, [api, memory, pinnedKeys?.join('\n')]);

  return (
    <Page themeId="tool">
      <Header
        title="Evidence log"
        subtitle="Tamper-evident log of all evidence records"
      />
      <Content>
        <ContentHeader title="Signed checkpoint" />
        {loading && <Progress />}
        {error && <ResponseErrorPanel error={error} />}
        {value && !value.ok && <Alert severity="error">{value.message}</Alert>}
        {value?.ok && (
          <Grid container spacing={3}>
            <Grid item xs={12}>
              <Alert severity="success">
                Checkpoint signature verified in your browser (
                {value.cp.verifiedBy.join(', ')},{' '}
                {value.cp.keySource === 'config'
                  ? 'pinned in app config'
                  : 'key published by the backend'}
                ). {value.consistency}
              </Alert>
            </Grid>
            <Grid item xs={12} md={6}>
              <InfoCard title="Checkpoint">
                <Typography variant="body2">
                  Origin <strong>{value.cp.origin}</strong>,{' '}
                  {formatCount(value.cp.treeSize)} records.
                </Typography>
                <pre className={classes.pre}>{value.cp.note}</pre>
              </InfoCard>
            </Grid>
            <Grid item xs={12} md={6}>
              <InfoCard title="Verifier key">
                <Typography variant="body2" paragraph>
                  Verify checkpoints without Assay with any C2SP signed-note
                  implementation (e.g. Go's{' '}
                  <code>golang.org/x/mod/sumdb/note</code>).
                </Typography>
                <pre className={classes.pre}>{value.cp.verifierKey}</pre>
              </InfoCard>
            </Grid>
          </Grid>
        )}
        <ContentHeader title="Integrity audit" />
        <IntegrityAuditCard />
      </Content>
    </Page>
  );
}
