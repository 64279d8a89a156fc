import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { deliveryApiRef } from '../../api/DeliveryApi';
import { Release, ReleaseVerification } from '../../api/promotionTypes';
import { formatTime, shortRef } from '../../lib/format';
import { EvidenceHashLink } from './EvidenceHashLink';
import { StatusChip } from './StatusChip';

function VerifyCell(props: { entityRef: string; release: Release }) {
  const api = useApi(deliveryApiRef);
  const [state, setState] = useState<{
    busy?: boolean;
    result?: ReleaseVerification;
    error?: string;
  }>({});
  const verify = async () => {
    setState({ busy: true });
    try {
      setState({
        result: await api.verifyRelease(props.entityRef, props.release.hash),
      });
    } catch (e) {
      setState({ error: e instanceof Error ? e.message : String(e) });
    }
  };
  const { result } = state;
  const failed = result?.checks.filter(c => !c.ok) ?? [];
  return (
    <Box data-testid={`release-verify-${props.release.version}`}>
      {!result && (
        <Button size="small" onClick={verify} disabled={state.busy}>
          {state.busy ? 'Verifying…' : 'Verify release'}
        </Button>
      )}
      {result && (
        <Tooltip
          title={result.checks
            .map(
              c =>
                `${c.category} ${c.hash.slice(0, 12)}: ${
                  c.ok ? 'ok' : c.reason ?? 'failed'
                }`,
            )
            .join(' · ')}
        >
          <span>
            <StatusChip
              status={result.ok ? 'passed' : 'failed'}
              label={
                result.ok
                  ? `verified: ${result.checks.length} of ${result.checks.length} records`
                  : `${failed.length} of ${result.checks.length} records failed`
              }
              data-testid="release-verify-result"
            />
          </span>
        </Tooltip>
      )}
      {failed.map(c => (
        <Typography
          key={c.hash}
          variant="caption"
          color="error"
          component="div"
        >
          {c.category}: {c.reason ?? 'did not verify'}
        </Typography>
      ))}
      {state.error && (
        <Typography variant="caption" color="error">
          {state.error}
        </Typography>
      )}
    </Box>
  );
}

/** The entity's newest releases: what each cites and ships, and a re-check of its evidence. */
export function ReleasesTable(props: {
  entityRef: string;
  releases: Release[];
}) {
  const { entityRef, releases } = props;
  if (!releases.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        No releases yet. A release is cut from the newest evidence of each
        required category (CI does it through the delivery API).
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label="releases">
      <TableHead>
        <TableRow style={{ whiteSpace: 'nowrap' }}>
          <TableCell>Version</TableCell>
          <TableCell>Cut</TableCell>
          <TableCell>Rests on</TableCell>
          <TableCell>Ships</TableCell>
          <TableCell>Record</TableCell>
          <TableCell>Verification</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {releases.map(r => (
          <TableRow key={r.hash} data-testid={`release-${r.version}`}>
            <TableCell style={{ whiteSpace: 'nowrap' }}>
              <strong>{r.version}</strong>
            </TableCell>
            <TableCell style={{ whiteSpace: 'nowrap' }}>
              {formatTime(r.createdAt)}
              <Typography
                variant="caption"
                color="textSecondary"
                component="div"
              >
                by {shortRef(r.producer)}
              </Typography>
            </TableCell>
            <TableCell>
              <Box display="flex" flexWrap="wrap" style={{ gap: 6 }}>
                {r.evidence.map(e => (
                  <EvidenceHashLink
                    key={e.hash}
                    entityRef={entityRef}
                    hash={e.hash}
                    label={e.category}
                  />
                ))}
              </Box>
            </TableCell>
            <TableCell style={{ overflowWrap: 'anywhere', minWidth: 220 }}>
              {r.artifacts.map(a => (
                <Tooltip key={`${a.name}${a.digest}`} title={a.digest}>
                  <Typography variant="body2">
                    {a.name}{' '}
                    <Typography variant="caption" color="textSecondary">
                      ({a.kind} {a.digest.slice(0, 15)}…)
                    </Typography>
                  </Typography>
                </Tooltip>
              ))}
            </TableCell>
            <TableCell>
              <EvidenceHashLink entityRef={entityRef} hash={r.hash} />
            </TableCell>
            <TableCell>
              <VerifyCell entityRef={entityRef} release={r} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
