import { Link } from '@backstage/core-components';
import { useEntityRefLink } from '@backstage/plugin-catalog-react';
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TablePagination,
  TableRow,
  TableSortLabel,
  Tooltip,
  Typography,
} from '@material-ui/core';
import { OverviewOrderBy, OverviewRow } from '../../api/types';
import { formatScore, shortRef } from '../../lib/format';
import { LevelBadge } from '../LevelBadge';

const COLUMNS: Array<{
  id: OverviewOrderBy;
  label: string;
  numeric?: boolean;
}> = [
  { id: 'entityRef', label: 'Entity' },
  { id: 'kind', label: 'Kind' },
  { id: 'owner', label: 'Owner' },
  { id: 'system', label: 'System' },
  { id: 'level', label: 'Level' },
  { id: 'score', label: 'Score', numeric: true },
  { id: 'failing', label: 'Failing checks', numeric: true },
];

export const PAGE_SIZES = [10, 25, 50, 100];

/** One page of the overview, sortable by every column; paging is server-side. */
export function OverviewTable(props: {
  rows: OverviewRow[];
  totalCount: number;
  page: number;
  pageSize: number;
  orderBy: OverviewOrderBy;
  order: 'asc' | 'desc';
  onSort: (column: OverviewOrderBy) => void;
  onPage: (page: number) => void;
  onPageSize: (size: number) => void;
}) {
  const { rows, orderBy, order } = props;
  const entityLink = useEntityRefLink();
  return (
    <>
      <Table size="small" aria-label="entity scorecards">
        <TableHead>
          <TableRow>
            {COLUMNS.map(c => (
              <TableCell
                key={c.id}
                align={c.numeric ? 'right' : 'left'}
                sortDirection={orderBy === c.id ? order : false}
                style={{ whiteSpace: 'nowrap' }}
              >
                <TableSortLabel
                  active={orderBy === c.id}
                  direction={orderBy === c.id ? order : 'asc'}
                  onClick={() => props.onSort(c.id)}
                >
                  {c.label}
                </TableSortLabel>
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map(r => (
            <TableRow key={r.entityRef} data-testid="overview-row">
              <TableCell>
                <Link to={`${entityLink(r.entityRef)}/compliance`}>
                  {r.title || shortRef(r.entityRef)}
                </Link>
                <Typography
                  variant="caption"
                  color="textSecondary"
                  component="div"
                >
                  {r.entityRef} · {r.mode}
                </Typography>
              </TableCell>
              <TableCell style={{ whiteSpace: 'nowrap' }}>
                {r.kind.toLocaleLowerCase('en-US')}
              </TableCell>
              <TableCell style={{ whiteSpace: 'nowrap' }}>
                {shortRef(r.owner)}
              </TableCell>
              <TableCell style={{ whiteSpace: 'nowrap' }}>
                {shortRef(r.system)}
              </TableCell>
              <TableCell>
                <LevelBadge level={r.level} />
              </TableCell>
              <TableCell align="right">{formatScore(r.score)}</TableCell>
              <TableCell align="right" style={{ maxWidth: 320 }}>
                {r.failing === 0 ? (
                  '0'
                ) : (
                  <Tooltip title={r.failingChecks.join(', ')}>
                    <span>
                      {r.failing}
                      <Typography
                        variant="caption"
                        color="textSecondary"
                        component="div"
                      >
                        {r.failingChecks.slice(0, 3).join(', ')}
                        {r.failingChecks.length > 3 ? ', …' : ''}
                      </Typography>
                    </span>
                  </Tooltip>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <TablePagination
        component="div"
        count={props.totalCount}
        page={props.page}
        rowsPerPage={props.pageSize}
        rowsPerPageOptions={PAGE_SIZES}
        onPageChange={(_, page) => props.onPage(page)}
        onRowsPerPageChange={e => props.onPageSize(Number(e.target.value))}
      />
    </>
  );
}
