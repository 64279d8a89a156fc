import {
  CopyTextButton,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  Box,
  Chip,
  Divider,
  Drawer,
  IconButton,
  Link,
  Typography,
} from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';
import { Alert } from '@material-ui/lab';
import ArrowBackIcon from '@material-ui/icons/ArrowBack';
import CloseIcon from '@material-ui/icons/Close';
import DeleteSweepIcon from '@material-ui/icons/DeleteSweep';
import { sha256Hex } from '@assay/plugin-evidence-common';
import { ReactNode, useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { evidenceApiRef } from '../../api/EvidenceApi';
import { VerifiedCheckpoint } from '../../lib/checkpoint';
import { DisplayRecord, withCanonicalEnvelope } from '../../lib/records';
import { formatDateTime, shortHash } from '../../lib/format';
import { formatFacts, isDemoFacts } from '../../lib/formatFacts';
import { FactsText } from '../FactsText';
import { ArtifactList } from './ArtifactList';
import { InclusionProofPanel } from './InclusionProofPanel';

const useStyles = makeStyles(theme => ({
  paper: { width: 640, maxWidth: '100vw' },
  content: { padding: theme.spacing(2, 3, 4) },
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    padding: theme.spacing(1, 1, 1, 2),
  },
  title: { flex: 1 },
  section: { marginTop: theme.spacing(3) },
  dl: {
    display: 'grid',
    gridTemplateColumns: '140px 1fr',
    rowGap: theme.spacing(0.5),
    columnGap: theme.spacing(2),
    margin: 0,
    '& dt': { color: theme.palette.text.secondary },
    '& dd': { margin: 0, wordBreak: 'break-all' },
  },
  mono: { fontFamily: 'monospace', fontSize: '0.8rem' },
  pre: {
    fontFamily: 'monospace',
    fontSize: '0.75rem',
    background: theme.palette.background.default,
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    padding: theme.spacing(1.5),
    overflow: 'auto',
    maxHeight: 420,
    margin: 0,
  },
  tombstone: {
    display: 'flex',
    gap: theme.spacing(1.5),
    padding: theme.spacing(1.5),
    border: `1px dashed ${theme.palette.text.secondary}`,
    borderRadius: theme.shape.borderRadius,
    color: theme.palette.text.secondary,
  },
  chips: { display: 'flex', gap: theme.spacing(1), flexWrap: 'wrap' },
}));

function Section(props: { title: string; children: ReactNode }) {
  const classes = useStyles();
  return (
    <section className={classes.section} aria-label={props.title}>
      <Typography variant="overline" component="h3">
        {props.title}
      </Typography>
      {props.children}
    </section>
  );
}

function prettyCanonical(canonical: string): string {
  try {
    return JSON.stringify(JSON.parse(canonical), null, 2);
  } catch {
    return canonical;
  }
}

function useRecomputedHash(canonical: string) {
  return useMemo(() => sha256Hex(canonical), [canonical]);
}

function HashRows(props: { record: DisplayRecord }) {
  const classes = useStyles();
  const { record } = props;
  const recomputed = useRecomputedHash(record.canonical);
  return (
    <>
      <dt>Hash</dt>
      <dd className={classes.mono}>
        {record.hash}{' '}
        <CopyTextButton text={record.hash} aria-label="copy hash" />
      </dd>
      <dt>Recomputed</dt>
      <dd>
        {recomputed === record.hash ? (
          'SHA-256 of the canonical bytes matches'
        ) : (
          <Typography variant="body2" color="error" component="span">
            mismatch: canonical bytes hash to {recomputed}
          </Typography>
        )}
      </dd>
    </>
  );
}

/** A record whose canonical bytes are not a JSON envelope: no facts to show. */
function UnreadableDetails(props: { record: DisplayRecord }) {
  const classes = useStyles();
  const { record } = props;
  return (
    <div className={classes.content}>
      <Alert severity="error" data-testid="evidence-unreadable">
        Unreadable canonical bytes: the hashed text of this record is not a JSON
        envelope, so none of its facts can be shown. The fields the server sent
        alongside are not covered by the hash and are not shown either.
      </Alert>
      <Section title="Record">
        <dl className={classes.dl}>
          <HashRows record={record} />
        </dl>
      </Section>
      <Section title="Canonical bytes (as stored)">
        <pre className={classes.pre} data-testid="evidence-canonical">
          {record.canonical}
        </pre>
      </Section>
    </div>
  );
}

function RecordDetails(props: {
  record: DisplayRecord;
  checkpoint?: VerifiedCheckpoint;
  onNavigate: (hash: string) => void;
}) {
  const classes = useStyles();
  const { record, checkpoint, onNavigate } = props;
  const env = record.envelope;
  const subject = Object.entries(env.subject ?? {});
  const facts = Object.entries(env.summary ?? {});

  return (
    <div className={classes.content}>
      <div className={classes.chips}>
        <Chip size="small" label={env.category} />
        {isDemoFacts(env.summary) && (
          <Chip size="small" variant="outlined" label="demo data" />
        )}
        {record.retention.legalHold && (
          <Chip
            size="small"
            variant="outlined"
            color="secondary"
            label="legal hold"
          />
        )}
      </div>
      <Box mt={1}>
        <FactsText facts={formatFacts(env.category, env.summary)} />
      </Box>

      {record.payloadPurged && (
        <Box
          mt={2}
          className={classes.tombstone}
          data-testid="evidence-tombstone"
        >
          <DeleteSweepIcon />
          <Typography variant="body2">
            Payload purged: its {record.retention.years}-year{' '}
            {record.retention.mode} retention ended on{' '}
            {formatDateTime(record.retention.expiresAt)}. The envelope, its
            digests and its hash are kept, so the chain and the log still
            verify.
          </Typography>
        </Box>
      )}

      <Section title="Record">
        <dl className={classes.dl}>
          <HashRows record={record} />
          <dt>Previous</dt>
          <dd>
            {env.previousHash ? (
              <Link
                component="button"
                variant="body2"
                onClick={() => onNavigate(env.previousHash!)}
                className={classes.mono}
              >
                #{env.seq - 1} · {shortHash(env.previousHash, 16)}
              </Link>
            ) : (
              'none — first record of the chain'
            )}
          </dd>
          <dt>Entity</dt>
          <dd>{env.entityRef}</dd>
          <dt>Producer</dt>
          <dd>{env.producer}</dd>
          <dt>Produced</dt>
          <dd>{formatDateTime(env.producedAt)}</dd>
          <dt>Recorded</dt>
          <dd>{formatDateTime(env.recordedAt)}</dd>
          {subject.map(([k, v]) => (
            <FragmentRow key={k} label={k} value={String(v)} />
          ))}
          <dt>Retention</dt>
          <dd>
            {record.retention.years} years, {record.retention.mode} mode, until{' '}
            {formatDateTime(record.retention.expiresAt)}
            {record.retention.legalHold ? ' (extended by legal hold)' : ''}
          </dd>
        </dl>
      </Section>

      {facts.length > 0 && (
        <Section title="Summary facts">
          <dl className={classes.dl}>
            {facts.map(([k, v]) => (
              <FragmentRow
                key={k}
                label={k}
                value={v === null ? 'null' : String(v)}
              />
            ))}
          </dl>
        </Section>
      )}

      <Section title="Artifacts">
        <ArtifactList record={record} />
      </Section>

      <Section title="Inclusion proof">
        <InclusionProofPanel record={record} checkpoint={checkpoint} />
      </Section>

      <Section title="Canonical envelope (RFC 8785)">
        <pre className={classes.pre} data-testid="evidence-canonical">
          {prettyCanonical(record.canonical)}
        </pre>
      </Section>
    </div>
  );
}

function FragmentRow(props: { label: string; value: string }) {
  return (
    <>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </>
  );
}

/**
 * Side drawer with one record: canonical envelope, facts, artifacts,
 * previous record link and its live-verified inclusion proof.
 */
export function RecordDrawer(props: {
  /** hash of the record to show; closed when undefined */
  hash?: string;
  /** records already loaded, to avoid a refetch */
  known?: (hash: string) => DisplayRecord | undefined;
  checkpoint?: VerifiedCheckpoint;
  onNavigate: (hash: string) => void;
  onBack?: () => void;
  onClose: () => void;
}) {
  const classes = useStyles();
  const api = useApi(evidenceApiRef);
  const { hash, known, checkpoint, onNavigate, onBack, onClose } = props;
  const {
    value: record,
    loading,
    error,
  } = useAsync(async () => {
    if (!hash) return undefined;
    return known?.(hash) ?? withCanonicalEnvelope(await api.getRecord(hash));
  }, [api, hash]);

  return (
    <Drawer
      anchor="right"
      open={Boolean(hash)}
      onClose={onClose}
      classes={{ paper: classes.paper }}
    >
      <div className={classes.header}>
        {onBack && (
          <IconButton
            size="small"
            onClick={onBack}
            aria-label="back to the newer record"
          >
            <ArrowBackIcon />
          </IconButton>
        )}
        <Typography variant="h5" component="h2" className={classes.title}>
          {record && record.hash === hash && !record.unreadable
            ? `Record #${record.envelope.seq}`
            : 'Record'}
        </Typography>
        <IconButton size="small" onClick={onClose} aria-label="close">
          <CloseIcon />
        </IconButton>
      </div>
      <Divider />
      {loading && <Progress />}
      {error && (
        <Box p={2}>
          <ResponseErrorPanel error={error} title="Could not load the record" />
        </Box>
      )}
      {!loading && record?.unreadable && <UnreadableDetails record={record} />}
      {!loading && record && !record.unreadable && (
        <RecordDetails
          record={record}
          checkpoint={checkpoint}
          onNavigate={onNavigate}
        />
      )}
    </Drawer>
  );
}
