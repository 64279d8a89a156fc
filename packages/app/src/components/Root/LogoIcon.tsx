import { makeStyles } from '@material-ui/core';

const useStyles = makeStyles({
  svg: {
    width: 'auto',
    height: 28,
  },
  shape: {
    fill: 'none',
    stroke: '#7df3e1',
    strokeWidth: 7,
    strokeLinejoin: 'round',
    strokeLinecap: 'round',
  },
});

/** The Assay mark: a hexagon (a sealed link of the chain) with a check. */
const LogoIcon = () => {
  const classes = useStyles();

  return (
    <svg
      className={classes.svg}
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 100 100"
      role="img"
      aria-label="Assay"
    >
      <polygon
        className={classes.shape}
        points="50,5 89,27.5 89,72.5 50,95 11,72.5 11,27.5"
      />
      <polyline className={classes.shape} points="31,51 45,65 70,37" />
    </svg>
  );
};

export default LogoIcon;
