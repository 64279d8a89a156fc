import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { evidenceApiRef } from '../../api/EvidenceApi';
import { AuditFinding } from '../../api/types';
import { formatCount, formatDateTime } from '../../lib/format';

const columns: TableColumn<AuditFinding>[] = [
  {
    title: 'Found',
    field: 'foundAt',
    render: f => formatDateTime(f.foundAt),
    width: '14%',
  },
  { title: 'Check', field: 'kind', width: '12%' },
  {
    title: 'Where',
    render: f =>
      [f.entityRef, f.leafIndex === null ? null : `leaf ${f.leafIndex}`]
        .filter(Boolean)
        .join(', ') || 'log',
    width: '22%',
  },
  { title: 'Finding', field: 'message' },
];

/**
 * The server-side integrity audit (a scheduled task that re-derives every
 * record's hash, columns, leaf and Merkle nodes from the stored bytes): its
 * progress and what it found.
 */
export function IntegrityAuditCard() {
  const api = useApi(evidenceApiRef);
  const { value, loading, error } = useAsyncRetry(() => api.getAudit(), [api]);
  if (loading) {
    return (
      <InfoCard title="Integrity audit">
        <Progress />
      </InfoCard>
    );
  }
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value) return null;
  const progress =
    value.passes === 0 && value.cursor === 0
      ? 'The first pass has not run yet.'
      : `${formatCount(value.passes)} complete pass${
          value.passes === 1 ? '' : 'es'
        }${
          value.lastCompletedAt
            ? `, the last one over ${formatCount(
                value.lastCompletedSize ?? 0,
              )} records finished ${formatDateTime(value.lastCompletedAt)}`
            : ''
        }; the current pass is at leaf ${formatCount(
          value.cursor,
        )} of ${formatCount(value.treeSize)}.`;
  return (
    <div
      data-testid="evidence-audit"
      data-state={value.findingCount ? 'findings' : 'clean'}
    >
      <InfoCard title="Integrity audit">
        <Typography variant="body2" paragraph>
          A scheduled task re-derives every record's hash and its stored columns
          (entity, seq, category, time) from its canonical bytes, recomputes the
          Merkle tree's leaf and interior nodes and checks the chain links and
          entity heads. {progress}
        </Typography>
        {value.findingCount === 0 ? (
          <Alert severity="success">No integrity problems found.</Alert>
        ) : (
          <>
            <Alert severity="error">
              {formatCount(value.findingCount)} integrity problem
              {value.findingCount === 1 ? '' : 's'} found in the stored
              evidence. Do not rely on the affected records until the cause is
              found.
            </Alert>
            {value.findings.length > 0 && (
              <Table
                title="Findings"
                options={{ paging: false, search: false, padding: 'dense' }}
                columns={columns}
                data={value.findings}
              />
            )}
          </>
        )}
      </InfoCard>
    </div>
  );
}
