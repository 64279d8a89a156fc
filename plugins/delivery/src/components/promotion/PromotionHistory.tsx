import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { deliveryApiRef } from '../../api/DeliveryApi';
import { Promotion } from '../../api/promotionTypes';
import { formatTime, shortRef } from '../../lib/format';
import { EvidenceHashLink } from './EvidenceHashLink';
import { StatusChip } from './StatusChip';

function approvalsText(p: Promotion): string {
  if (p.approvals.length) {
    return p.approvals.map(a => shortRef(a.approver)).join(', ');
  }
  return p.approvalsRequired ? `0 of ${p.approvalsRequired}` : '–';
}

/** Promotions and rollbacks of the entity, newest first, a page at a time, each with its evidence. */
export function PromotionHistory(props: {
  entityRef: string;
  /** changes when the tab refreshes */
  version: number;
  pageSize?: number;
}) {
  const { entityRef, version } = props;
  const pageSize = props.pageSize ?? 10;
  const api = useApi(deliveryApiRef);
  // cursors of the pages seen so far: [undefined, c1, c2, …]
  const [cursors, setCursors] = useState<Array<string | undefined>>([
    undefined,
  ]);
  const cursor = cursors[cursors.length - 1];
  const page = useAsync(
    () => api.getPromotionHistory(entityRef, { limit: pageSize, cursor }),
    [api, entityRef, cursor, pageSize, version],
  );
  const [last, setLast] = useState<typeof page.value>();
  useEffect(() => {
    if (page.value) setLast(page.value);
  }, [page.value]);
  const value = page.value ?? last;

  if (!value && page.loading) return <Progress />;
  if (!value && page.error) return <ResponseErrorPanel error={page.error} />;
  if (!value) return null;
  if (!value.items.length && cursors.length === 1) {
    return (
      <Typography variant="body2" color="textSecondary">
        No promotions yet.
      </Typography>
    );
  }
  return (
    <>
      <Table size="small" aria-label="promotion history">
        <TableHead>
          <TableRow style={{ whiteSpace: 'nowrap' }}>
            <TableCell>Requested</TableCell>
            <TableCell>What</TableCell>
            <TableCell>Environment</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>By</TableCell>
            <TableCell>Approvals</TableCell>
            <TableCell>Evidence</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {value.items.map(p => (
            <TableRow key={p.id} data-testid="promotion-history-row">
              <TableCell style={{ whiteSpace: 'nowrap' }}>
                {formatTime(p.requestedAt)}
              </TableCell>
              <TableCell>
                {p.kind === 'rollback' ? 'rollback to ' : ''}
                <strong>{p.version}</strong>
                {p.planId && (
                  <Typography variant="caption" color="textSecondary">
                    {' '}
                    (coordinated)
                  </Typography>
                )}
              </TableCell>
              <TableCell>{p.environment}</TableCell>
              <TableCell>
                <StatusChip status={p.status} />
                {p.error && (
                  <Typography variant="caption" color="error" component="div">
                    {p.error}
                  </Typography>
                )}
              </TableCell>
              <TableCell>{shortRef(p.requestedBy)}</TableCell>
              <TableCell>{approvalsText(p)}</TableCell>
              <TableCell>
                <Box display="flex" flexWrap="wrap" style={{ gap: 6 }}>
                  {p.evidenceHashes.map(h => (
                    <EvidenceHashLink key={h} entityRef={entityRef} hash={h} />
                  ))}
                </Box>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Box display="flex" justifyContent="flex-end" mt={1} style={{ gap: 8 }}>
        <Button
          size="small"
          disabled={cursors.length === 1}
          onClick={() => setCursors(c => c.slice(0, -1))}
          data-testid="promotion-history-newer"
        >
          Newer
        </Button>
        <Button
          size="small"
          disabled={!value.nextCursor}
          onClick={() => setCursors(c => [...c, value.nextCursor ?? undefined])}
          data-testid="promotion-history-older"
        >
          Older
        </Button>
      </Box>
    </>
  );
}
