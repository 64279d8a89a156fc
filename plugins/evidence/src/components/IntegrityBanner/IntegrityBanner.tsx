import { Box, Button, LinearProgress, Typography } from '@material-ui/core';
import { Alert, AlertTitle } from '@material-ui/lab';
import { IntegrityState } from '../../hooks/useIntegrity';
import { errorMessage } from '../EvidenceErrorPanel';
import { formatCount, formatDateTime, shortHash } from '../../lib/format';
import { IntegrityProgress, IntegrityReport } from '../../lib/verifyIntegrity';

const PHASE_TEXT: Record<IntegrityProgress['phase'], string> = {
  records: 'Recomputing record hashes and chain links',
  checkpoint: "Checking the log checkpoint's Ed25519 signature",
  inclusion: 'Proving the newest record is in the signed log',
  heads: 'Checking the newest record is the head the log signed',
  consistency: 'Checking the log only grew since your last visit',
};

const STAGE_TEXT = {
  chain: 'The hash chain is broken',
  signature: 'The log checkpoint is not trustworthy',
  inclusion: 'A record is missing from the signed log',
  heads: 'The newest records are not the ones the log signed',
  consistency: 'The log was rewritten',
  key: "The log's signing key changed",
} as const;

const HEAD_TEXT = {
  truncated: "the entity's newest records were removed (truncated)",
  'head replaced': "the entity's newest record was replaced",
} as const;

function Verifying({ progress }: { progress?: IntegrityProgress }) {
  const total = progress?.total ?? 0;
  const pct =
    progress?.phase === 'records' && total > 0
      ? Math.min(100, (progress.verified / total) * 100)
      : undefined;
  return (
    <Alert
      severity="info"
      icon={false}
      data-testid="evidence-integrity-banner"
      data-state="verifying"
    >
      <AlertTitle>Verifying evidence in your browser…</AlertTitle>
      <Typography variant="body2">
        {progress ? PHASE_TEXT[progress.phase] : 'Fetching records'}
        {progress?.phase === 'records' && total > 0
          ? `: ${formatCount(progress.verified)} of ${formatCount(total)}`
          : ''}
      </Typography>
      <Box mt={1} width={360} maxWidth="100%">
        <LinearProgress
          variant={pct === undefined ? 'indeterminate' : 'determinate'}
          value={pct}
          aria-label="verification progress"
        />
      </Box>
    </Alert>
  );
}

function Verified({
  report,
}: {
  report: Extract<IntegrityReport, { status: 'verified' }>;
}) {
  const { checkpoint: cp, consistency } = report;
  const key = `${cp.verifiedBy.join(', ')} (${
    cp.keySource === 'config'
      ? 'key pinned in app config'
      : 'key published by the backend'
  })`;
  const lines: string[] = [];
  if (report.checked === 0) {
    lines.push('No records yet.');
  } else if (report.incremental) {
    const { fromSeq, checkedNow } = report.incremental;
    lines.push(
      `${formatCount(report.checked)} record${
        report.checked === 1 ? '' : 's'
      }: records #1–#${fromSeq} were verified by this browser before; ${formatCount(
        checkedNow,
      )} new record${
        checkedNow === 1 ? '' : 's'
      } checked now (hash recomputed from the canonical bytes, previousHash linked to #${fromSeq}).`,
    );
  } else {
    lines.push(
      `${formatCount(report.checked)} record${
        report.checked === 1 ? '' : 's'
      }: every hash recomputed from its canonical bytes and every previousHash link checked.`,
    );
  }
  if (report.includedRecord) {
    lines.push(
      `Record #${report.includedRecord.seq} is leaf ${formatCount(
        report.includedRecord.leafIndex,
      )} of the signed log checkpoint "${cp.origin}" (tree size ${formatCount(
        cp.treeSize,
      )}); Ed25519 signature by ${key} is valid.`,
    );
  } else {
    lines.push(
      `Log checkpoint "${cp.origin}" (tree size ${formatCount(
        cp.treeSize,
      )}) signed by ${key}.`,
    );
  }
  if (report.heads.status === 'bound') {
    lines.push(
      report.head
        ? `The signed checkpoint commits to record #${
            report.head.seq
          } as this entity's newest (heads of ${formatCount(
            report.heads.entities ?? 0,
          )} entities): no newer record was removed or replaced.`
        : `The signed checkpoint commits to no record of this entity (heads of ${formatCount(
            report.heads.entities ?? 0,
          )} entities).`,
    );
  } else {
    lines.push(
      'This checkpoint was signed before entity heads were bound to checkpoints: removed newest records are only detected against what this browser saw before.',
    );
  }
  if (consistency.kind === 'first-visit') {
    lines.push(
      'First verification from this browser: the checkpoint is remembered, and the next visit checks the log only grew.',
    );
  } else if (consistency.kind === 'unchanged') {
    lines.push(
      `Same checkpoint as this browser verified on ${formatDateTime(
        consistency.seenAt,
      )}.`,
    );
  } else {
    lines.push(
      `Consistent with the checkpoint this browser verified on ${formatDateTime(
        consistency.seenAt,
      )} (tree size ${formatCount(consistency.fromSize)} → ${formatCount(
        cp.treeSize,
      )}).`,
    );
  }
  return (
    <Alert
      severity="success"
      data-testid="evidence-integrity-banner"
      data-state="verified"
    >
      <AlertTitle>Verified in your browser</AlertTitle>
      {lines.map(l => (
        <Typography key={l} variant="body2">
          {l}
        </Typography>
      ))}
    </Alert>
  );
}

function Broken(props: {
  report: Extract<IntegrityReport, { status: 'broken' }>;
  onOpenRecord?: (hash: string) => void;
}) {
  const { problem, checked } = props.report;
  const record = problem.record;
  return (
    <Alert
      severity="error"
      data-testid="evidence-integrity-banner"
      data-state="broken"
      action={
        record && props.onOpenRecord && problem.kind !== 'truncated' ? (
          <Button
            color="inherit"
            size="small"
            onClick={() => props.onOpenRecord!(record.hash)}
          >
            Open record #{record.seq}
          </Button>
        ) : undefined
      }
    >
      <AlertTitle>
        Integrity check failed:{' '}
        {(problem.kind && HEAD_TEXT[problem.kind]) ??
          STAGE_TEXT[problem.stage].toLowerCase()}
      </AlertTitle>
      {record ? (
        <Typography variant="body2">
          First bad record: <strong>#{record.seq}</strong>{' '}
          <code title={record.hash}>{shortHash(record.hash, 16)}</code> —{' '}
          {problem.message}
        </Typography>
      ) : (
        <Typography variant="body2">{problem.message}</Typography>
      )}
      <Typography variant="body2">
        {formatCount(checked)} record{checked === 1 ? '' : 's'} before it
        verified. Do not rely on this evidence until the cause is found.
      </Typography>
    </Alert>
  );
}

/**
 * The in-browser integrity verdict: verifying (with progress), verified, or
 * broken (naming the first bad record and why).
 */
export function IntegrityBanner(props: {
  state: IntegrityState;
  onRetry?: () => void;
  onOpenRecord?: (hash: string) => void;
}) {
  const { state, onRetry, onOpenRecord } = props;
  if (state.status === 'verifying')
    return <Verifying progress={state.progress} />;
  if (state.status === 'error') {
    return (
      <Alert
        severity="warning"
        data-testid="evidence-integrity-banner"
        data-state="error"
        action={
          onRetry ? (
            <Button color="inherit" size="small" onClick={onRetry}>
              Retry
            </Button>
          ) : undefined
        }
      >
        <AlertTitle>Could not verify the evidence</AlertTitle>
        <Typography variant="body2">{errorMessage(state.error)}</Typography>
      </Alert>
    );
  }
  return state.report.status === 'verified' ? (
    <Verified report={state.report} />
  ) : (
    <Broken report={state.report} onOpenRecord={onOpenRecord} />
  );
}
