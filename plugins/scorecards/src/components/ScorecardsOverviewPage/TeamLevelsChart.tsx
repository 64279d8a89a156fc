import {
  Box,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { Rollup } from '../../api/types';
import {
  formatScore,
  LEVEL_COLORS,
  levelLabel,
  LEVELS,
  shortRef,
} from '../../lib/format';

/**
 * Level distribution per team (stacked bars) and the same numbers as a
 * table with the average score: what a platform team reports upward.
 */
export function TeamLevelsChart(props: {
  rollups: Rollup[];
  onSelectTeam?: (owner: string) => void;
}) {
  const { rollups, onSelectTeam } = props;
  if (rollups.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No teams yet.
      </Typography>
    );
  }
  const data = rollups.map(r => ({ team: shortRef(r.key), ...r.levels }));
  return (
    <Box>
      <div
        style={{
          width: '100%',
          height: Math.max(160, 48 * rollups.length + 60),
        }}
        data-testid="team-levels-chart"
      >
        <ResponsiveContainer>
          <BarChart
            data={data}
            layout="vertical"
            margin={{ top: 8, right: 16, bottom: 0, left: 16 }}
          >
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" allowDecimals={false} />
            <YAxis type="category" dataKey="team" width={120} />
            <Tooltip />
            <Legend />
            {LEVELS.map(level => (
              <Bar
                key={level}
                dataKey={level}
                name={levelLabel(level)}
                stackId="levels"
                fill={LEVEL_COLORS[level]}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <Table size="small" aria-label="levels per team">
        <TableHead>
          <TableRow>
            <TableCell>Team</TableCell>
            {LEVELS.map(l => (
              <TableCell key={l} align="right" style={{ whiteSpace: 'nowrap' }}>
                {levelLabel(l)}
              </TableCell>
            ))}
            <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>
              Average score
            </TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rollups.map(r => (
            <TableRow
              key={r.key}
              hover={Boolean(onSelectTeam)}
              style={onSelectTeam ? { cursor: 'pointer' } : undefined}
              onClick={
                onSelectTeam && r.key !== '(none)'
                  ? () => onSelectTeam(r.key)
                  : undefined
              }
            >
              <TableCell style={{ whiteSpace: 'nowrap' }}>
                {shortRef(r.key)}
              </TableCell>
              {LEVELS.map(l => (
                <TableCell key={l} align="right">
                  {r.levels[l]}
                </TableCell>
              ))}
              <TableCell align="right">{formatScore(r.averageScore)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}
