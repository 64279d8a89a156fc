import { Box, Typography } from '@material-ui/core';
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { TrendPoint } from '../../api/types';
import {
  formatScore,
  LEVEL_COLORS,
  levelLabel,
  LEVELS,
} from '../../lib/format';

/**
 * Platform-wide trend: entities per level (stacked areas, left axis) and
 * the average score (line, right axis), one point per day.
 */
export function PlatformTrendChart(props: { points: TrendPoint[] }) {
  const { points } = props;
  if (points.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No history yet.
      </Typography>
    );
  }
  const data = points.map(p => ({
    day: p.day.slice(0, 10),
    averageScore: p.averageScore,
    ...p.levels,
  }));
  const first = points[0];
  const last = points[points.length - 1];
  return (
    <Box>
      <div style={{ width: '100%', height: 260 }} data-testid="platform-trend">
        <ResponsiveContainer>
          <ComposedChart
            data={data}
            margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
          >
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="day" />
            <YAxis yAxisId="entities" allowDecimals={false} />
            <YAxis yAxisId="score" orientation="right" domain={[0, 100]} />
            <Tooltip />
            <Legend />
            {LEVELS.map(level => (
              <Area
                key={level}
                yAxisId="entities"
                type="monotone"
                dataKey={level}
                name={levelLabel(level)}
                stackId="levels"
                stroke={LEVEL_COLORS[level]}
                fill={LEVEL_COLORS[level]}
                fillOpacity={0.6}
                isAnimationActive={false}
              />
            ))}
            <Line
              yAxisId="score"
              type="monotone"
              dataKey="averageScore"
              name="Average score"
              stroke="#1565c0"
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <Typography
        variant="caption"
        color="textSecondary"
        data-testid="platform-trend-summary"
      >
        Average score {formatScore(first.averageScore)} on{' '}
        {first.day.slice(0, 10)} → {formatScore(last.averageScore)} on{' '}
        {last.day.slice(0, 10)} ({last.entities} entities)
      </Typography>
    </Box>
  );
}
