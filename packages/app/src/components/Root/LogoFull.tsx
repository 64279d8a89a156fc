import { makeStyles } from '@material-ui/core';

const useStyles = makeStyles({
  svg: {
    width: 'auto',
    height: 30,
  },
  shape: {
    fill: 'none',
    stroke: '#7df3e1',
    strokeWidth: 7,
    strokeLinejoin: 'round',
    strokeLinecap: 'round',
  },
  text: {
    fill: '#7df3e1',
    fontFamily: 'Helvetica Neue, Helvetica, Arial, sans-serif',
    fontSize: 72,
    fontWeight: 700,
    letterSpacing: 2,
  },
});

/** The Assay mark followed by the word "Assay". */
const LogoFull = () => {
  const classes = useStyles();

  return (
    <svg
      className={classes.svg}
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 330 100"
      role="img"
      aria-label="Assay"
    >
      <polygon
        className={classes.shape}
        points="50,5 89,27.5 89,72.5 50,95 11,72.5 11,27.5"
      />
      <polyline className={classes.shape} points="31,51 45,65 70,37" />
      <text className={classes.text} x="110" y="76">
        Assay
      </text>
    </svg>
  );
};

export default LogoFull;
