import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { CanaryMeasurement } from '../../../api/types';
import { formatNumber } from '../../../lib/format';

interface Row {
  t: number;
  canary?: number | null;
  baseline?: number | null;
}

export interface MetricChartData {
  metric: string;
  unit?: string;
  rows: Row[];
  /** first timestamp of each analysis, with its step weight */
  marks: Array<{ t: number; label: string }>;
  canaryMean?: number;
  baselineMean?: number;
}

const mean = (xs: Array<number | null>) => {
  const ok = xs.filter((x): x is number => typeof x === 'number');
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : undefined;
};

/** Groups the run's measurements by metric into chart rows over time. */
export function chartData(
  measurements: CanaryMeasurement[],
  weights: Map<string, number>,
): MetricChartData[] {
  const byMetric = new Map<string, CanaryMeasurement[]>();
  for (const m of measurements) {
    const list = byMetric.get(m.metric) ?? [];
    list.push(m);
    byMetric.set(m.metric, list);
  }
  return [...byMetric.entries()].map(([metric, list]) => {
    const rows = new Map<number, Row>();
    const marks: MetricChartData['marks'] = [];
    for (const m of list) {
      const first = Math.min(
        ...m.canary.map(p => p.t),
        ...m.baseline.map(p => p.t),
      );
      if (Number.isFinite(first)) {
        const w = weights.get(m.analysisId);
        marks.push({
          t: first,
          label: w !== undefined ? `${w}%` : `step ${m.step + 1}`,
        });
      }
      for (const p of m.canary) {
        rows.set(p.t, { ...(rows.get(p.t) ?? { t: p.t }), canary: p.v });
      }
      for (const p of m.baseline) {
        rows.set(p.t, { ...(rows.get(p.t) ?? { t: p.t }), baseline: p.v });
      }
    }
    const last = list[list.length - 1];
    return {
      metric,
      unit: list.find(m => m.unit)?.unit,
      rows: [...rows.values()].sort((a, b) => a.t - b.t),
      marks,
      canaryMean: last ? mean(last.canary.map(p => p.v)) : undefined,
      baselineMean: last ? mean(last.baseline.map(p => p.v)) : undefined,
    };
  });
}

const clock = (t: number) => new Date(t * 1000).toISOString().slice(11, 19);

function MetricChart(props: { data: MetricChartData }) {
  const theme = useTheme();
  const { data } = props;
  const unit = data.unit ? ` ${data.unit}` : '';
  return (
    <figure
      style={{ margin: 0 }}
      data-testid={`canary-chart-${data.metric}`}
      aria-label={`${data.metric}: canary vs baseline`}
    >
      <Typography variant="subtitle2">
        {data.metric}
        {data.unit ? ` (${data.unit})` : ''}
      </Typography>
      <ResponsiveContainer
        width="100%"
        height={220}
        initialDimension={{ width: 480, height: 220 }}
      >
        <LineChart
          data={data.rows}
          margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
        >
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="t"
            type="number"
            domain={['dataMin', 'dataMax']}
            tickFormatter={clock}
            minTickGap={40}
          />
          <YAxis width={56} tickFormatter={v => formatNumber(v)} />
          <Tooltip
            labelFormatter={t => clock(Number(t))}
            formatter={(v: unknown) =>
              `${formatNumber(typeof v === 'number' ? v : null)}${unit}`
            }
          />
          <Legend />
          {data.marks.map(m => (
            <ReferenceLine
              key={`${m.t}-${m.label}`}
              x={m.t}
              stroke={theme.palette.text.hint}
              strokeDasharray="2 4"
              label={{
                value: m.label,
                position: 'insideTopLeft',
                fontSize: 11,
              }}
            />
          ))}
          <Line
            type="monotone"
            dataKey="baseline"
            name="baseline"
            stroke={theme.palette.primary.main}
            dot={false}
            isAnimationActive={false}
            connectNulls
          />
          <Line
            type="monotone"
            dataKey="canary"
            name="canary"
            stroke={theme.palette.warning.main}
            dot={false}
            strokeWidth={2}
            isAnimationActive={false}
            connectNulls
          />
        </LineChart>
      </ResponsiveContainer>
      <Typography
        variant="caption"
        component="figcaption"
        color="textSecondary"
      >
        Latest analysis: canary mean {formatNumber(data.canaryMean)}
        {unit} vs baseline mean {formatNumber(data.baselineMean)}
        {unit}
      </Typography>
    </figure>
  );
}

/** One chart per metric: canary vs baseline over the run, steps marked. */
export function MetricCharts(props: {
  measurements: CanaryMeasurement[];
  weights: Map<string, number>;
}) {
  const charts = chartData(props.measurements, props.weights);
  if (!charts.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        No measurements yet: the first analysis runs after the first step's
        interval.
      </Typography>
    );
  }
  return (
    <Grid container spacing={2}>
      {charts.map(c => (
        <Grid item xs={12} md={6} key={c.metric}>
          <MetricChart data={c} />
        </Grid>
      ))}
    </Grid>
  );
}
