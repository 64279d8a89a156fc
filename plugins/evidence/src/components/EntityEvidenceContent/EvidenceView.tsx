import { EmptyState, InfoCard, Progress } from '@backstage/core-components';
import { Box, Grid, LinearProgress, Typography } from '@material-ui/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { EvidenceSummary } from '../../api/types';
import { DisplayRecord } from '../../lib/records';
import {
  RecordFilters as Filters,
  useEvidenceRecords,
} from '../../hooks/useEvidenceRecords';
import { useEvidenceSummary } from '../../hooks/useEvidenceSummary';
import { useIntegrity } from '../../hooks/useIntegrity';
import { CheckpointMemory } from '../../lib/checkpointMemory';
import { formatCount } from '../../lib/format';
import { AuditPackButton } from '../AuditPackButton';
import {
  errorMessage,
  EvidenceErrorPanel,
  isPermissionError,
} from '../EvidenceErrorPanel';
import { EvidenceGaps } from '../EvidenceGaps';
import { IntegrityBanner } from '../IntegrityBanner';
import { LatestByCategory } from '../LatestByCategory';
import { RecordDrawer } from '../RecordDrawer';
import { emptyFilters, hasFilters, RecordFilters } from '../RecordFilters';
import { RecordsTable } from '../RecordsTable';
import { RetentionBadges } from '../RetentionBadges';
import { RetentionActions } from '../RetentionActions';

type Records = ReturnType<typeof useEvidenceRecords>;

function RecordsBody(props: {
  records: Records;
  filters: Filters;
  onOpen: (r: DisplayRecord) => void;
  badHash?: string;
}) {
  const { records, filters, onOpen, badHash } = props;
  if (records.error && records.items.length === 0) {
    return (
      <EvidenceErrorPanel
        error={records.error}
        title="Could not load records"
      />
    );
  }
  if (records.loading && records.items.length === 0) return <Progress />;
  if (records.items.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        {hasFilters(filters)
          ? 'No records match these filters.'
          : 'No records yet.'}
      </Typography>
    );
  }
  return (
    <>
      {records.loading && <LinearProgress aria-label="loading records" />}
      {records.error && (
        <Typography variant="body2" color="error" role="alert">
          Could not load more records: {errorMessage(records.error)}
        </Typography>
      )}
      <RecordsTable
        records={records.items}
        totalCount={records.totalCount}
        hasMore={records.hasMore}
        loading={records.loading}
        onLoadMore={records.loadMore}
        onOpen={onOpen}
        badHash={badHash}
      />
    </>
  );
}

function SummaryCard(props: {
  entityRef: string;
  summary?: EvidenceSummary;
  selected: string[];
  onSelect: (category: string) => void;
  onChanged?: () => void;
}) {
  const { entityRef, summary: s, selected, onSelect, onChanged } = props;
  if (!s) {
    return (
      <InfoCard title="Evidence">
        <Progress />
      </InfoCard>
    );
  }
  return (
    <InfoCard
      title="Evidence"
      subheader={`${formatCount(s.recordCount)} record${
        s.recordCount === 1 ? '' : 's'
      }${s.head ? ` · head #${s.head.seq}` : ''}${
        s.complianceMode ? ` · ${s.complianceMode} mode` : ''
      }`}
      action={
        s.recordCount > 0 ? (
          <Box mt={1} mr={1}>
            <AuditPackButton entityRef={entityRef} />
          </Box>
        ) : undefined
      }
    >
      <Box mb={2}>
        <RetentionBadges summary={s} />
      </Box>
      {onChanged && (
        <Box mb={2}>
          <RetentionActions
            entityRef={entityRef}
            summary={s}
            onChanged={onChanged}
          />
        </Box>
      )}
      <LatestByCategory
        categories={s.categories}
        selected={selected}
        onSelect={onSelect}
      />
    </InfoCard>
  );
}

/**
 * The evidence tab body for one entity ref. The summary and the first page
 * of records load in parallel; the in-browser verification starts once that
 * page is on screen, so the table is usable first.
 */
export function EvidenceView(props: {
  entityRef: string;
  /** where verified checkpoints are remembered; defaults to localStorage */
  checkpointMemory?: CheckpointMemory;
}) {
  const { entityRef, checkpointMemory } = props;
  const summary = useEvidenceSummary(entityRef);
  const [filters, setFilters] = useState<Filters>(emptyFilters);
  const records = useEvidenceRecords(entityRef, filters);
  const { state: integrity, retry: retryIntegrity } = useIntegrity(entityRef, {
    memory: checkpointMemory,
    enabled: Boolean(records.settled),
  });
  // `?record=<hash>` (links from the Canary, Promotion and Compliance tabs)
  // opens that record's drawer
  const [searchParams] = useSearchParams();
  const [drawerStack, setDrawerStack] = useState<string[]>(() => {
    const linked = searchParams.get('record')?.toLowerCase();
    return linked && /^[0-9a-f]{64}$/.test(linked) ? [linked] : [];
  });
  const loaded = useMemo(() => new Map<string, DisplayRecord>(), []);
  useEffect(() => {
    records.items.forEach(r => loaded.set(r.hash, r));
  }, [loaded, records.items]);

  const open = useCallback((hash: string) => setDrawerStack([hash]), []);
  const toggleCategory = useCallback(
    (category: string) =>
      setFilters(f => ({
        ...f,
        categories: f.categories.includes(category)
          ? f.categories.filter(c => c !== category)
          : [...f.categories, category],
      })),
    [],
  );

  const report = integrity.status === 'done' ? integrity.report : undefined;
  const badHash =
    report?.status === 'broken' ? report.problem.record?.hash : undefined;

  if (summary.error) {
    return <EvidenceErrorPanel error={summary.error} />;
  }
  const s = summary.value;
  const showBanner = !(
    integrity.status === 'error' && isPermissionError(integrity.error)
  );
  const empty = s?.recordCount === 0 && !hasFilters(filters);

  return (
    <>
      <Grid container spacing={3}>
        {showBanner && (
          <Grid item xs={12}>
            <IntegrityBanner
              state={integrity}
              onRetry={retryIntegrity}
              onOpenRecord={open}
            />
          </Grid>
        )}
        <Grid item xs={12} md={8}>
          <SummaryCard
            entityRef={entityRef}
            summary={s}
            selected={filters.categories}
            onSelect={toggleCategory}
            onChanged={() => {
              summary.retry();
              records.retry();
              retryIntegrity();
            }}
          />
        </Grid>
        <Grid item xs={12} md={4}>
          {s ? (
            <EvidenceGaps summary={s} />
          ) : (
            <InfoCard title="What's missing">
              <Progress />
            </InfoCard>
          )}
        </Grid>
        <Grid item xs={12}>
          {empty ? (
            <EmptyState
              missing="data"
              title="No evidence recorded yet"
              description={
                <>
                  CI pipelines and Assay workflows record evidence here, for
                  example{' '}
                  <code>
                    assay evidence push --entity {entityRef} --category tests
                    --file junit.xml
                  </code>
                  .
                </>
              }
            />
          ) : (
            <InfoCard
              title="Records"
              subheader="Newest first. Select a record for its envelope, artifacts and proof."
            >
              <RecordFilters
                categories={s?.categories ?? []}
                value={filters}
                onChange={setFilters}
              />
              <RecordsBody
                records={records}
                filters={filters}
                onOpen={r => open(r.hash)}
                badHash={badHash}
              />
            </InfoCard>
          )}
        </Grid>
      </Grid>
      <RecordDrawer
        hash={drawerStack[drawerStack.length - 1]}
        known={hash => loaded.get(hash)}
        checkpoint={report?.checkpoint}
        onNavigate={hash => setDrawerStack(st => [...st, hash])}
        onBack={
          drawerStack.length > 1
            ? () => setDrawerStack(st => st.slice(0, -1))
            : undefined
        }
        onClose={() => setDrawerStack([])}
      />
    </>
  );
}
