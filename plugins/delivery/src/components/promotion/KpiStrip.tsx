import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { PromotionKpi } from '../../api/promotionTypes';
import { formatDuration, formatRate } from '../../lib/format';

function Figure(props: { label: string; value: string; testId: string }) {
  return (
    <Box minWidth={140}>
      <Typography variant="caption" color="textSecondary">
        {props.label}
      </Typography>
      <Typography variant="h5" component="p" data-testid={props.testId}>
        {props.value}
      </Typography>
    </Box>
  );
}

/** Success rate, promotions and lead time (median, p90) of one KPI row. */
export function KpiStrip(props: { kpi?: PromotionKpi; testId?: string }) {
  const { kpi } = props;
  const id = props.testId ?? 'promotion-kpi';
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 24 }} data-testid={id}>
      <Figure
        label="Success rate"
        value={formatRate(kpi?.successRate)}
        testId={`${id}-success`}
      />
      <Figure
        label="Promotions (succeeded / finished)"
        value={kpi ? `${kpi.succeeded} / ${kpi.promotions}` : '–'}
        testId={`${id}-count`}
      />
      <Figure
        label="Lead time, median"
        value={formatDuration(kpi?.leadTimeSecondsMedian)}
        testId={`${id}-lead-median`}
      />
      <Figure
        label="Lead time, p90"
        value={formatDuration(kpi?.leadTimeSecondsP90)}
        testId={`${id}-lead-p90`}
      />
    </Box>
  );
}
