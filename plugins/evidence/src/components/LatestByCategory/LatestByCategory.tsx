import { Typography } from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';
import { CategorySummary } from '../../api/types';
import { formatFacts } from '../../lib/formatFacts';
import { formatDateTime, formatRelative } from '../../lib/format';
import { CategoryChip } from '../CategoryChip';
import { FactsText } from '../FactsText';

const useStyles = makeStyles(theme => ({
  table: { width: '100%', borderCollapse: 'collapse' },
  cell: {
    padding: theme.spacing(0.75, 1, 0.75, 0),
    borderBottom: `1px solid ${theme.palette.divider}`,
    verticalAlign: 'middle',
  },
  when: { whiteSpace: 'nowrap', color: theme.palette.text.secondary },
}));

/** The newest record's facts for each category. */
export function LatestByCategory(props: {
  categories: CategorySummary[];
  selected?: string[];
  onSelect?: (category: string) => void;
}) {
  const classes = useStyles();
  const { categories, selected = [], onSelect } = props;
  if (categories.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No evidence recorded yet.
      </Typography>
    );
  }
  const sorted = [...categories].sort((a, b) =>
    a.category.localeCompare(b.category),
  );
  return (
    <table className={classes.table} aria-label="latest evidence by category">
      <tbody>
        {sorted.map(c => (
          <tr key={c.category}>
            <td className={classes.cell}>
              <CategoryChip
                category={c.category}
                count={c.count}
                selected={selected.includes(c.category)}
                onClick={onSelect ? () => onSelect(c.category) : undefined}
              />
            </td>
            <td className={classes.cell}>
              <FactsText facts={formatFacts(c.category, c.latestSummary)} />
            </td>
            <td
              className={`${classes.cell} ${classes.when}`}
              title={formatDateTime(c.latestRecordedAt)}
            >
              {formatRelative(c.latestRecordedAt)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
