import { Box, Button, Collapse, Typography } from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import HourglassEmptyIcon from '@material-ui/icons/HourglassEmpty';
import { Progress } from '@backstage/core-components';
import { useState } from 'react';
import { StoredRecord } from '../../api/types';
import { VerifiedCheckpoint } from '../../lib/checkpoint';
import { formatCount } from '../../lib/format';
import { useRecordInclusion } from './useRecordInclusion';
import { errorMessage } from '../EvidenceErrorPanel';

const useStyles = makeStyles(theme => ({
  line: { display: 'flex', alignItems: 'flex-start', gap: theme.spacing(1) },
  hashes: {
    fontFamily: 'monospace',
    fontSize: '0.75rem',
    margin: theme.spacing(1, 0, 0),
    paddingLeft: theme.spacing(3),
    wordBreak: 'break-all',
  },
}));

/** The record's inclusion proof, verified live against the signed checkpoint. */
export function InclusionProofPanel(props: {
  record: StoredRecord;
  checkpoint?: VerifiedCheckpoint;
}) {
  const classes = useStyles();
  const { value, loading, error, retry } = useRecordInclusion(
    props.record,
    props.checkpoint,
  );
  const [showProof, setShowProof] = useState(false);

  if (loading) return <Progress />;
  if (error) {
    return (
      <Box className={classes.line}>
        <Typography variant="body2" color="error">
          Could not fetch the proof: {errorMessage(error)}
        </Typography>
        <Button size="small" onClick={retry}>
          Retry
        </Button>
      </Box>
    );
  }
  if (!value) return null;
  if (value.kind === 'failed') {
    return (
      <Box
        className={classes.line}
        data-testid="evidence-inclusion"
        data-state="failed"
      >
        <ErrorIcon color="error" fontSize="small" />
        <Typography variant="body2" color="error">
          Not proven to be in the signed log: {value.message}
        </Typography>
      </Box>
    );
  }
  if (value.kind === 'pending') {
    return (
      <Box
        className={classes.line}
        data-testid="evidence-inclusion"
        data-state="pending"
      >
        <HourglassEmptyIcon fontSize="small" />
        <Typography variant="body2">
          Leaf {formatCount(props.record.leafIndex)} is newer than the latest
          signed checkpoint (tree size {formatCount(value.checkpoint.treeSize)}
          ); it will be covered by the next one.
        </Typography>
      </Box>
    );
  }
  const { check, checkpoint } = value;
  return (
    <div data-testid="evidence-inclusion" data-state="included">
      <Box className={classes.line}>
        <CheckCircleIcon fontSize="small" style={{ color: '#2e7d32' }} />
        <Typography variant="body2">
          Included: leaf {formatCount(check.leafIndex)} of{' '}
          {formatCount(check.treeSize)} in log "{checkpoint.origin}". Proof of{' '}
          {check.hashes.length} hash
          {check.hashes.length === 1 ? '' : 'es'} verified in your browser
          against the checkpoint signed by {checkpoint.verifiedBy.join(', ')}.
        </Typography>
      </Box>
      {check.hashes.length > 0 && (
        <>
          <Button size="small" onClick={() => setShowProof(s => !s)}>
            {showProof ? 'Hide proof' : 'Show proof'}
          </Button>
          <Collapse in={showProof}>
            <ol className={classes.hashes} aria-label="inclusion proof hashes">
              {check.hashes.map((h, i) => (
                <li key={`${i}:${h}`}>{h}</li>
              ))}
            </ol>
          </Collapse>
        </>
      )}
    </div>
  );
}
