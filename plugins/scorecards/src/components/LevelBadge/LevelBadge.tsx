import { Chip } from '@material-ui/core';
import StarIcon from '@material-ui/icons/Star';
import { ScorecardLevelOrNone } from '../../api/types';
import { LEVEL_COLORS, levelLabel } from '../../lib/format';

/** The level an entity reached, as a coloured badge. */
export function LevelBadge(props: {
  level: ScorecardLevelOrNone;
  size?: 'small' | 'medium';
}) {
  const { level, size = 'small' } = props;
  return (
    <Chip
      size={size}
      icon={
        level === 'none' ? undefined : <StarIcon style={{ color: '#fff' }} />
      }
      label={levelLabel(level)}
      data-testid="scorecard-level"
      aria-label={`level ${levelLabel(level)}`}
      style={{
        backgroundColor: LEVEL_COLORS[level],
        color: '#fff',
        fontWeight: 600,
      }}
    />
  );
}
