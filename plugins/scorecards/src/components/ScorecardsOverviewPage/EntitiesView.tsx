import { EmptyState, InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  Box,
  Button,
  Grid,
  LinearProgress,
  Typography,
} from '@material-ui/core';
import GetAppIcon from '@material-ui/icons/GetApp';
import { useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { scorecardsApiRef } from '../../api/ScorecardsApi';
import {
  OverviewFilters,
  OverviewOrderBy,
  ScorecardLevelOrNone,
} from '../../api/types';
import { saveText } from '../../lib/download';
import { levelLabel, LEVELS } from '../../lib/format';
import { LevelBadge } from '../LevelBadge';
import { errorMessage, ScorecardErrorPanel } from '../ScorecardErrorPanel';
import { PlatformTrendChart } from '../TrendChart';
import { OverviewFiltersBar, OverviewFilterValues } from './OverviewFiltersBar';
import { OverviewTable, PAGE_SIZES } from './OverviewTable';
import { TeamLevelsChart } from './TeamLevelsChart';

const ORDER_BYS: OverviewOrderBy[] = [
  'entityRef',
  'owner',
  'system',
  'kind',
  'level',
  'score',
  'failing',
  'computedAt',
];
const DEFAULT_PAGE_SIZE = 25;

/** Filters, sorting and paging live in the URL, so a view can be shared. */
function useOverviewState() {
  const [params, setParams] = useSearchParams();
  const get = (k: string) => params.get(k) ?? '';
  const level = get('level');
  const orderBy = get('orderBy') as OverviewOrderBy;
  const size = Number(get('size'));
  const state = {
    filters: {
      q: get('q'),
      owner: get('owner'),
      system: get('system'),
      kind: get('kind'),
      level: (LEVELS as string[]).includes(level)
        ? (level as ScorecardLevelOrNone)
        : '',
    } as OverviewFilterValues,
    orderBy: ORDER_BYS.includes(orderBy) ? orderBy : 'entityRef',
    order: get('order') === 'desc' ? ('desc' as const) : ('asc' as const),
    page: Math.max(0, Number(get('page')) || 0),
    pageSize: PAGE_SIZES.includes(size) ? size : DEFAULT_PAGE_SIZE,
  };
  const update = useCallback(
    (patch: Record<string, string | number | undefined>) =>
      setParams(
        prev => {
          const next = new URLSearchParams(prev);
          for (const [k, v] of Object.entries(patch)) {
            if (v === undefined || v === '' || v === 0) next.delete(k);
            else next.set(k, String(v));
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return { ...state, update };
}

/** The entities tab of the overview page. */
export function EntitiesView() {
  const api = useApi(scorecardsApiRef);
  const s = useOverviewState();
  const { update } = s;
  const filters: OverviewFilters = useMemo(
    () => ({
      q: s.filters.q || undefined,
      owner: s.filters.owner || undefined,
      system: s.filters.system || undefined,
      kind: s.filters.kind || undefined,
      level: s.filters.level || undefined,
      orderBy: s.orderBy,
      order: s.order,
    }),
    [
      s.filters.q,
      s.filters.owner,
      s.filters.system,
      s.filters.kind,
      s.filters.level,
      s.orderBy,
      s.order,
    ],
  );
  const overview = useAsyncRetry(
    () =>
      api.getOverview({
        ...filters,
        offset: s.page * s.pageSize,
        limit: s.pageSize,
      }),
    [api, filters, s.page, s.pageSize],
  );
  const teams = useAsync(() => api.getRollups('team'), [api]);
  const systems = useAsync(() => api.getRollups('system'), [api]);
  const trends = useAsync(
    () => api.getTrends({ days: 90, owner: filters.owner }),
    [api, filters.owner],
  );
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string>();

  const onFilters = useCallback(
    (patch: Partial<OverviewFilterValues>) => update({ ...patch, page: 0 }),
    [update],
  );
  // A new column sorts ascending; the same column again flips the order.
  const onSort = (column: OverviewOrderBy) =>
    update({
      orderBy: column === 'entityRef' ? undefined : column,
      order: s.orderBy === column && s.order === 'asc' ? 'desc' : undefined,
      page: 0,
    });

  const exportCsv = async () => {
    setExporting(true);
    setExportError(undefined);
    try {
      saveText(await api.exportOverview(filters), 'scorecards.csv', 'text/csv');
    } catch (e) {
      setExportError(errorMessage(e as Error));
    } finally {
      setExporting(false);
    }
  };

  const hasFilters = Object.values(s.filters).some(Boolean);
  const value = overview.value;

  // The whole page is one permission: show it once, not per card.
  if (overview.error && !value) {
    return (
      <ScorecardErrorPanel
        error={overview.error}
        title="Could not load the overview"
      />
    );
  }
  if (!value && overview.loading) return <Progress />;
  if (value && value.totalCount === 0 && !hasFilters) {
    return (
      <EmptyState
        missing="data"
        title="No scorecards computed yet"
        description="Results appear here after the first scheduled refresh, or when someone opens an entity's Compliance tab."
      />
    );
  }

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <InfoCard
          title="Entities"
          subheader={
            value ? (
              <Box
                display="flex"
                alignItems="center"
                flexWrap="wrap"
                style={{ gap: 8 }}
                data-testid="overview-levels"
              >
                <span>
                  {value.totalCount} entit{value.totalCount === 1 ? 'y' : 'ies'}
                </span>
                {[...LEVELS].reverse().map(l => (
                  <span
                    key={l}
                    aria-label={`${levelLabel(l)}: ${value.levels[l]}`}
                  >
                    <LevelBadge level={l} /> {value.levels[l]}
                  </span>
                ))}
              </Box>
            ) : undefined
          }
          action={
            <Box mt={1} mr={1}>
              <Button
                size="small"
                variant="outlined"
                startIcon={<GetAppIcon />}
                onClick={exportCsv}
                disabled={exporting}
              >
                Export CSV
              </Button>
            </Box>
          }
        >
          <OverviewFiltersBar
            value={s.filters}
            owners={teams.value?.map(r => r.key) ?? []}
            systems={systems.value?.map(r => r.key) ?? []}
            onChange={onFilters}
          />
          {exportError && (
            <Typography color="error" role="alert" variant="body2">
              Export failed: {exportError}
            </Typography>
          )}
          {overview.loading && <LinearProgress aria-label="loading entities" />}
          {overview.error && (
            <Typography color="error" role="alert" variant="body2">
              Could not load entities: {errorMessage(overview.error)}
            </Typography>
          )}
          {value && value.totalCount === 0 ? (
            <Typography variant="body2" color="textSecondary">
              No entities match these filters.
            </Typography>
          ) : (
            value && (
              <OverviewTable
                rows={value.items}
                totalCount={value.totalCount}
                page={s.page}
                pageSize={s.pageSize}
                orderBy={s.orderBy}
                order={s.order}
                onSort={onSort}
                onPage={page => update({ page })}
                onPageSize={size =>
                  update({
                    size: size === DEFAULT_PAGE_SIZE ? undefined : size,
                    page: 0,
                  })
                }
              />
            )
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Levels per team">
          {teams.loading && <Progress />}
          {teams.error && <ScorecardErrorPanel error={teams.error} dense />}
          {teams.value && (
            <TeamLevelsChart
              rollups={teams.value}
              onSelectTeam={owner => onFilters({ owner })}
            />
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard
          title="Trend (90 days)"
          subheader={filters.owner ? `Team ${filters.owner}` : 'All teams'}
        >
          {trends.loading && <Progress />}
          {trends.error && <ScorecardErrorPanel error={trends.error} dense />}
          {trends.value && <PlatformTrendChart points={trends.value} />}
        </InfoCard>
      </Grid>
    </Grid>
  );
}
