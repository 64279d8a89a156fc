import { useTheme } from '@material-ui/core/styles';
import { Fragment } from 'react';
import { shortRef } from '../../lib/format';
import { statusLabel, Tone, toneOf } from '../../lib/promotionFormat';

const COL_W = 260;
const GAP_X = 90;
const NODE_H = 58;
const GAP_Y = 22;
const PAD = 16;
const HEADER = 28;

export interface WaveNodeInfo {
  /** second line under the name, e.g. "staging · 1.4.0" or "8 pass" */
  detail?: string;
  /** colours the node: a promotion / plan item status or a gate status */
  status?: string;
  /** tone overriding the status' one */
  tone?: Tone;
  /** show only the detail on the second line, not the status */
  hideStatus?: boolean;
}

/** Where each node sits: its wave (column) and row. */
export function layoutWaves(waves: string[][]) {
  const at = new Map<string, { x: number; y: number; wave: number }>();
  waves.forEach((wave, w) =>
    wave.forEach((node, i) =>
      at.set(node, {
        x: PAD + w * (COL_W + GAP_X),
        y: PAD + HEADER + i * (NODE_H + GAP_Y),
        wave: w,
      }),
    ),
  );
  const rows = Math.max(1, ...waves.map(w => w.length));
  return {
    at,
    width:
      PAD * 2 + waves.length * COL_W + Math.max(0, waves.length - 1) * GAP_X,
    height: PAD * 2 + HEADER + rows * NODE_H + (rows - 1) * GAP_Y,
  };
}

/**
 * The dependency graph as waves: one column per wave, left to right, each
 * service a box coloured by its status, an arrow from every dependency to
 * the service that depends on it (`[a, b]`: a depends on b, b goes first).
 */
export function WaveGraph(props: {
  waves: string[][];
  edges: Array<[string, string]>;
  nodes?: Record<string, WaveNodeInfo>;
  /** the wave in progress (highlighted) */
  currentWave?: number;
  title?: string;
}) {
  const theme = useTheme();
  const { waves, edges } = props;
  const { at, width, height } = layoutWaves(waves);
  const colours: Record<Tone, { fill: string; stroke: string }> = {
    good: { fill: '#e8f5e9', stroke: theme.palette.success?.main ?? '#2e7d32' },
    warn: { fill: '#fff8e1', stroke: theme.palette.warning?.main ?? '#ed6c02' },
    bad: { fill: '#ffebee', stroke: theme.palette.error.main },
    busy: { fill: '#e3f2fd', stroke: theme.palette.info?.main ?? '#1976d2' },
    neutral: {
      fill: theme.palette.background.paper,
      stroke: theme.palette.text.secondary,
    },
  };
  const text = theme.palette.text.primary;
  const muted = theme.palette.text.secondary;
  const label =
    props.title ??
    `Waves: ${waves
      .map((w, i) => `wave ${i + 1}: ${w.map(shortRef).join(', ')}`)
      .join('; ')}`;
  return (
    <div style={{ overflowX: 'auto' }} data-testid="wave-graph">
      <svg
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={label}
        style={{ fontFamily: theme.typography.fontFamily }}
      >
        <defs>
          <marker
            id="wave-arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" fill={muted} />
          </marker>
        </defs>
        {waves.map((_, w) => (
          <Fragment key={`h${w}`}>
            {props.currentWave === w && (
              <rect
                x={PAD + w * (COL_W + GAP_X) - 8}
                y={PAD - 6}
                width={COL_W + 16}
                height={height - 2 * PAD + 12}
                rx={8}
                fill={colours.busy.fill}
                opacity={0.6}
              />
            )}
            <text
              x={PAD + w * (COL_W + GAP_X) + COL_W / 2}
              y={PAD + 14}
              textAnchor="middle"
              fontSize={13}
              fontWeight={600}
              fill={muted}
            >
              Wave {w + 1}
            </text>
          </Fragment>
        ))}
        {edges.map(([a, b]) => {
          const from = at.get(b);
          const to = at.get(a);
          if (!from || !to) return null;
          const x1 = from.x + COL_W;
          const y1 = from.y + NODE_H / 2;
          const x2 = to.x - 2;
          const y2 = to.y + NODE_H / 2;
          const dx = Math.max(30, (x2 - x1) / 2);
          return (
            <path
              key={`${a}->${b}`}
              d={`M ${x1} ${y1} C ${x1 + dx} ${y1}, ${
                x2 - dx
              } ${y2}, ${x2} ${y2}`}
              fill="none"
              stroke={muted}
              strokeWidth={1.5}
              markerEnd="url(#wave-arrow)"
              data-testid="wave-edge"
              data-from={b}
              data-to={a}
            />
          );
        })}
        {waves.map((wave, w) =>
          wave.map(node => {
            const p = at.get(node)!;
            const info = props.nodes?.[node] ?? {};
            const tone = info.tone ?? toneOf(info.status);
            const c = colours[tone];
            return (
              <g
                key={node}
                data-testid={`wave-node-${node}`}
                data-wave={w}
                data-status={info.status ?? ''}
              >
                <title>
                  {node}
                  {info.status && !info.hideStatus
                    ? ` — ${statusLabel(info.status)}`
                    : ''}
                  {info.detail ? ` — ${info.detail}` : ''}
                </title>
                <rect
                  x={p.x}
                  y={p.y}
                  width={COL_W}
                  height={NODE_H}
                  rx={6}
                  fill={c.fill}
                  stroke={c.stroke}
                  strokeWidth={tone === 'neutral' ? 1 : 2}
                />
                <text
                  x={p.x + 10}
                  y={p.y + 22}
                  fontSize={14}
                  fontWeight={600}
                  fill={text}
                >
                  {truncate(shortRef(node), 28)}
                </text>
                <text x={p.x + 10} y={p.y + 42} fontSize={11} fill={muted}>
                  {truncate(
                    [
                      info.status && !info.hideStatus
                        ? statusLabel(info.status)
                        : '',
                      info.detail,
                    ]
                      .filter(Boolean)
                      .join(' · '),
                    40,
                  )}
                </text>
              </g>
            );
          }),
        )}
      </svg>
    </div>
  );
}

function truncate(s: string, n: number) {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
