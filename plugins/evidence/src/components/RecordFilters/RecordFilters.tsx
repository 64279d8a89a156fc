import { Button, InputAdornment, TextField } from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';
import SearchIcon from '@material-ui/icons/Search';
import { useEffect, useState } from 'react';
import useDebounce from 'react-use/esm/useDebounce';
import { CategorySummary } from '../../api/types';
import { RecordFilters as Filters } from '../../hooks/useEvidenceRecords';
import { CategoryChip } from '../CategoryChip';

const useStyles = makeStyles(theme => ({
  root: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1.5),
    marginBottom: theme.spacing(2),
  },
  chips: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1) },
  row: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    alignItems: 'flex-end',
  },
  search: { minWidth: 280, flex: '1 1 280px' },
}));

export const emptyFilters: Filters = { categories: [] };

export const hasFilters = (f: Filters) =>
  f.categories.length > 0 || Boolean(f.from || f.to || f.subject?.trim());

/** Category chips, a date range and a subject search. */
export function RecordFilters(props: {
  categories: CategorySummary[];
  value: Filters;
  onChange: (value: Filters) => void;
}) {
  const classes = useStyles();
  const { categories, value, onChange } = props;
  const [subject, setSubject] = useState(value.subject ?? '');

  useEffect(() => setSubject(value.subject ?? ''), [value.subject]);
  useDebounce(
    () => {
      if ((value.subject ?? '') !== subject) onChange({ ...value, subject });
    },
    300,
    [subject],
  );

  const toggle = (category: string) =>
    onChange({
      ...value,
      categories: value.categories.includes(category)
        ? value.categories.filter(c => c !== category)
        : [...value.categories, category],
    });

  return (
    <div className={classes.root}>
      <div
        className={classes.chips}
        role="group"
        aria-label="filter by category"
      >
        <CategoryChip
          category="all"
          selected={value.categories.length === 0}
          onClick={() => onChange({ ...value, categories: [] })}
        />
        {[...categories]
          .sort((a, b) => a.category.localeCompare(b.category))
          .map(c => (
            <CategoryChip
              key={c.category}
              category={c.category}
              count={c.count}
              selected={value.categories.includes(c.category)}
              onClick={() => toggle(c.category)}
            />
          ))}
      </div>
      <div className={classes.row}>
        <TextField
          className={classes.search}
          label="Search by subject"
          placeholder="commit, version, feature SHA, run id"
          value={subject}
          onChange={e => setSubject(e.target.value)}
          InputProps={{
            startAdornment: (
              <InputAdornment position="start">
                <SearchIcon fontSize="small" />
              </InputAdornment>
            ),
          }}
        />
        <TextField
          label="From"
          type="date"
          value={value.from ?? ''}
          onChange={e =>
            onChange({ ...value, from: e.target.value || undefined })
          }
          InputLabelProps={{ shrink: true }}
          inputProps={{ max: value.to, 'aria-label': 'recorded from' }}
        />
        <TextField
          label="To"
          type="date"
          value={value.to ?? ''}
          onChange={e =>
            onChange({ ...value, to: e.target.value || undefined })
          }
          InputLabelProps={{ shrink: true }}
          inputProps={{ min: value.from, 'aria-label': 'recorded to' }}
        />
        {hasFilters(value) && (
          <Button size="small" onClick={() => onChange(emptyFilters)}>
            Clear filters
          </Button>
        )}
      </div>
    </div>
  );
}
