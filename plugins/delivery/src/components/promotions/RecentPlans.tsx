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
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { deliveryApiRef } from '../../api/DeliveryApi';
import { formatTime, shortRef } from '../../lib/format';
import { StatusChip } from '../promotion/StatusChip';

/** The newest coordinated promotions, a page at a time; pick one to show it. */
export function RecentPlans(props: {
  selectedId?: string;
  onSelect(id: string): void;
  /** changes when a plan was started */
  version: number;
}) {
  const api = useApi(deliveryApiRef);
  const [cursors, setCursors] = useState<Array<string | undefined>>([
    undefined,
  ]);
  const cursor = cursors[cursors.length - 1];
  const page = useAsync(
    () => api.listPlans({ limit: 10, cursor }),
    [api, cursor, props.version],
  );
  if (page.loading && !page.value) return <Progress />;
  if (page.error) return <ResponseErrorPanel error={page.error} />;
  const items = page.value?.items ?? [];
  if (!items.length && cursors.length === 1) {
    return (
      <Typography variant="body2" color="textSecondary">
        No coordinated promotions yet.
      </Typography>
    );
  }
  return (
    <>
      <Table size="small" aria-label="recent plans">
        <TableHead>
          <TableRow style={{ whiteSpace: 'nowrap' }}>
            <TableCell>Started</TableCell>
            <TableCell>Environment</TableCell>
            <TableCell>Services</TableCell>
            <TableCell>Waves</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>By</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {items.map(p => (
            <TableRow
              key={p.id}
              hover
              selected={p.id === props.selectedId}
              style={{ cursor: 'pointer' }}
              onClick={() => props.onSelect(p.id)}
              data-testid={`plan-row-${p.id}`}
            >
              <TableCell>{formatTime(p.createdAt)}</TableCell>
              <TableCell>{p.environment}</TableCell>
              <TableCell>
                {p.waves
                  .flatMap(w => w.items.map(i => shortRef(i.entityRef)))
                  .join(', ')}
              </TableCell>
              <TableCell>{p.waves.length}</TableCell>
              <TableCell>
                <StatusChip status={p.status} />
              </TableCell>
              <TableCell>{shortRef(p.requestedBy)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Box display="flex" justifyContent="flex-end" mt={1} style={{ gap: 8 }}>
        <Button
          size="small"
          disabled={cursors.length === 1}
          onClick={() => setCursors(c => c.slice(0, -1))}
        >
          Newer
        </Button>
        <Button
          size="small"
          disabled={!page.value?.nextCursor}
          onClick={() =>
            setCursors(c => [...c, page.value?.nextCursor ?? undefined])
          }
        >
          Older
        </Button>
      </Box>
    </>
  );
}
