import { Chip } from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';
import { ReactElement } from 'react';

const useStyles = makeStyles(theme => ({
  chip: { margin: 0, fontWeight: 500 },
  selected: {
    backgroundColor: theme.palette.primary.main,
    color: theme.palette.primary.contrastText,
    '&:hover, &:focus': { backgroundColor: theme.palette.primary.dark },
  },
}));

/** A category label; clickable (and toggleable) when `onClick` is given. */
export function CategoryChip(props: {
  category: string;
  count?: number;
  selected?: boolean;
  onClick?: () => void;
  icon?: ReactElement;
}) {
  const classes = useStyles();
  const { category, count, selected, onClick, icon } = props;
  return (
    <Chip
      size="small"
      variant={selected ? 'default' : 'outlined'}
      className={`${classes.chip} ${selected ? classes.selected : ''}`}
      label={
        count === undefined
          ? category
          : `${category} · ${count.toLocaleString('en-US')}`
      }
      onClick={onClick}
      clickable={Boolean(onClick)}
      aria-pressed={onClick ? Boolean(selected) : undefined}
      icon={icon}
    />
  );
}
