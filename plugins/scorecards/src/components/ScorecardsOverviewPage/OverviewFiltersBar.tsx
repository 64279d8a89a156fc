import {
  Box,
  FormControl,
  InputAdornment,
  InputLabel,
  MenuItem,
  Select,
  TextField,
} from '@material-ui/core';
import SearchIcon from '@material-ui/icons/Search';
import { useEffect, useState } from 'react';
import { ScorecardLevelOrNone } from '../../api/types';
import { levelLabel, LEVELS, shortRef } from '../../lib/format';

export interface OverviewFilterValues {
  q: string;
  owner: string;
  system: string;
  kind: string;
  level: '' | ScorecardLevelOrNone;
}

export const KINDS = ['component', 'api', 'resource', 'system'];

function Picker(props: {
  label: string;
  value: string;
  options: Array<{ value: string; label: string }>;
  onChange: (value: string) => void;
}) {
  const id = `scorecards-filter-${props.label.toLowerCase()}`;
  return (
    <FormControl variant="outlined" size="small" style={{ minWidth: 160 }}>
      <InputLabel id={id}>{props.label}</InputLabel>
      <Select
        labelId={id}
        label={props.label}
        value={props.value}
        onChange={e => props.onChange(e.target.value as string)}
        SelectDisplayProps={{ 'aria-label': props.label } as any}
      >
        <MenuItem value="">
          <em>All</em>
        </MenuItem>
        {props.options.map(o => (
          <MenuItem key={o.value} value={o.value}>
            {o.label}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

/** Search (debounced) and the team, system, kind and level pickers. */
export function OverviewFiltersBar(props: {
  value: OverviewFilterValues;
  owners: string[];
  systems: string[];
  onChange: (patch: Partial<OverviewFilterValues>) => void;
}) {
  const { value, owners, systems, onChange } = props;
  const [q, setQ] = useState(value.q);
  useEffect(() => setQ(value.q), [value.q]);
  useEffect(() => {
    if (q === value.q) return undefined;
    const t = setTimeout(() => onChange({ q }), 300);
    return () => clearTimeout(t);
  }, [q, value.q, onChange]);

  const refOptions = (refs: string[]) =>
    refs
      .filter(r => r !== '(none)')
      .map(r => ({ value: r, label: shortRef(r) }));

  return (
    <Box
      display="flex"
      flexWrap="wrap"
      style={{ gap: 12 }}
      mb={2}
      data-testid="overview-filters"
    >
      <TextField
        variant="outlined"
        size="small"
        placeholder="Search entities"
        value={q}
        onChange={e => setQ(e.target.value)}
        inputProps={{ 'aria-label': 'Search entities' }}
        InputProps={{
          startAdornment: (
            <InputAdornment position="start">
              <SearchIcon />
            </InputAdornment>
          ),
        }}
      />
      <Picker
        label="Team"
        value={value.owner}
        options={refOptions(owners)}
        onChange={owner => onChange({ owner })}
      />
      <Picker
        label="System"
        value={value.system}
        options={refOptions(systems)}
        onChange={system => onChange({ system })}
      />
      <Picker
        label="Kind"
        value={value.kind}
        options={KINDS.map(k => ({ value: k, label: k }))}
        onChange={kind => onChange({ kind })}
      />
      <Picker
        label="Level"
        value={value.level}
        options={LEVELS.map(l => ({ value: l, label: levelLabel(l) }))}
        onChange={level =>
          onChange({ level: level as OverviewFilterValues['level'] })
        }
      />
    </Box>
  );
}
