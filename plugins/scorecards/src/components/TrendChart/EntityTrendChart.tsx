import { Box, Typography } from '@material-ui/core';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { HistoryPoint } from '../../api/types';
import {
  formatScore,
  LEVEL_COLORS,
  levelLabel,
  LEVELS,
  levelRank,
} from '../../lib/format';

/**
 * Score (left axis, 0–100) and level reached (right axis) of one entity,
 * one point per day, with a one-line summary in words.
 */
export function EntityTrendChart(props: { points: HistoryPoint[] }) {
  const { points } = props;
  if (points.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No history yet: one point is kept per day once the scorecard is
        computed.
      </Typography>
    );
  }
  const data = points.map(p => ({
    day: p.day.slice(0, 10),
    score: p.score,
    level: levelRank(p.level),
  }));
  const first = points[0];
  const last = points[points.length - 1];
  return (
    <Box>
      <div style={{ width: '100%', height: 240 }} data-testid="entity-trend">
        <ResponsiveContainer>
          <LineChart
            data={data}
            margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
          >
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="day" />
            <YAxis yAxisId="score" domain={[0, 100]} />
            <YAxis
              yAxisId="level"
              orientation="right"
              domain={[0, 3]}
              ticks={[0, 1, 2, 3]}
              tickFormatter={(v: number) => levelLabel(LEVELS[v] ?? 'none')}
              width={72}
            />
            <Tooltip
              formatter={(value: number, name: string) =>
                name === 'Level'
                  ? levelLabel(LEVELS[value] ?? 'none')
                  : formatScore(value)
              }
            />
            <Legend />
            <Line
              yAxisId="score"
              type="monotone"
              dataKey="score"
              name="Score"
              stroke="#1565c0"
              strokeWidth={2}
              dot={points.length < 40}
              isAnimationActive={false}
            />
            <Line
              yAxisId="level"
              type="stepAfter"
              dataKey="level"
              name="Level"
              stroke={LEVEL_COLORS.gold}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <Typography
        variant="caption"
        color="textSecondary"
        data-testid="entity-trend-summary"
      >
        {points.length === 1
          ? `${last.day.slice(0, 10)}: score ${formatScore(
              last.score,
            )}, ${levelLabel(last.level)}`
          : `${first.day.slice(0, 10)}: score ${formatScore(
              first.score,
            )}, ${levelLabel(first.level)} → ${last.day.slice(
              0,
              10,
            )}: score ${formatScore(last.score)}, ${levelLabel(last.level)}`}
      </Typography>
    </Box>
  );
}
