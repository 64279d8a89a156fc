import { Button, Chip, Tooltip, Typography } from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';
import DeleteSweepIcon from '@material-ui/icons/DeleteSweep';
import ErrorIcon from '@material-ui/icons/Error';
import { useVirtualizer } from '@tanstack/react-virtual';
import { KeyboardEvent, useEffect, useRef } from 'react';
import {
  formatCount,
  formatDateTime,
  formatProducer,
  formatRelative,
  formatSubject,
  shortHash,
} from '../../lib/format';
import { formatFacts } from '../../lib/formatFacts';
import { DisplayRecord } from '../../lib/records';
import { FactsText } from '../FactsText';

export const ROW_HEIGHT = 48;
const MAX_HEIGHT = 576;
const COLUMNS =
  '56px 128px minmax(200px, 2.4fr) minmax(120px, 1.2fr) minmax(110px, 1fr) 128px 112px';

const useStyles = makeStyles(theme => ({
  scroller: {
    maxHeight: MAX_HEIGHT,
    overflow: 'auto',
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
  },
  header: {
    display: 'grid',
    gridTemplateColumns: COLUMNS,
    position: 'sticky',
    top: 0,
    zIndex: 1,
    background: theme.palette.background.paper,
    borderBottom: `1px solid ${theme.palette.divider}`,
    ...theme.typography.subtitle2,
    color: theme.palette.text.secondary,
    textTransform: 'uppercase',
    fontSize: '0.75rem',
  },
  row: {
    display: 'grid',
    gridTemplateColumns: COLUMNS,
    alignItems: 'center',
    position: 'absolute',
    left: 0,
    width: '100%',
    height: ROW_HEIGHT,
    borderBottom: `1px solid ${theme.palette.divider}`,
    cursor: 'pointer',
    '&:hover, &:focus': {
      background: theme.palette.action.hover,
      outline: 'none',
    },
  },
  bad: {
    background: theme.palette.type === 'dark' ? '#4a1c1c' : '#fdecea',
    boxShadow: `inset 4px 0 0 ${theme.palette.error.main}`,
  },
  cell: {
    padding: theme.spacing(0, 1),
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    minWidth: 0,
  },
  mono: { fontFamily: 'monospace', fontSize: '0.8rem' },
  muted: { color: theme.palette.text.secondary },
  facts: { display: 'flex', alignItems: 'center', gap: theme.spacing(1) },
  footer: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    marginTop: theme.spacing(1),
  },
}));

const HEADERS = [
  '#',
  'Category',
  'Facts',
  'Subject',
  'Producer',
  'Recorded',
  'Hash',
];

/**
 * Virtualized newest-first record list: only the visible rows are in the
 * DOM, so thousands of records scroll smoothly. Scrolling near the end (or
 * the button) loads the next page.
 */
export function RecordsTable(props: {
  records: DisplayRecord[];
  totalCount?: number;
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
  onOpen: (record: DisplayRecord) => void;
  badHash?: string;
}) {
  const classes = useStyles();
  const { records, totalCount, hasMore, loading, onLoadMore, onOpen, badHash } =
    props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: records.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 1000, height: MAX_HEIGHT },
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1].index : -1;

  useEffect(() => {
    if (hasMore && !loading && lastIndex >= records.length - 15) onLoadMore();
  }, [hasMore, loading, lastIndex, records.length, onLoadMore]);

  const onKey = (e: KeyboardEvent, r: DisplayRecord) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onOpen(r);
    }
  };

  return (
    <>
      <div
        ref={scrollRef}
        className={classes.scroller}
        role="table"
        aria-label="evidence records"
        aria-rowcount={totalCount ?? records.length}
      >
        <div className={classes.header} role="row">
          {HEADERS.map(h => (
            <div key={h} role="columnheader" className={classes.cell}>
              {h}
            </div>
          ))}
        </div>
        <div
          role="rowgroup"
          style={{ height: virtualizer.getTotalSize(), position: 'relative' }}
        >
          {items.map(item => {
            const r = records[item.index];
            const env = r.envelope;
            const bad =
              Boolean(r.unreadable) ||
              (badHash !== undefined && r.hash === badHash);
            const rowProps = {
              role: 'row',
              tabIndex: 0,
              'aria-rowindex': item.index + 2,
              className: `${classes.row} ${bad ? classes.bad : ''}`,
              style: { transform: `translateY(${item.start}px)` },
              onClick: () => onOpen(r),
              onKeyDown: (e: KeyboardEvent) => onKey(e, r),
            };
            if (r.unreadable) {
              // nothing but the hash: the server's own copy of the fields is
              // not covered by it
              return (
                <div
                  key={r.hash}
                  {...rowProps}
                  data-testid="evidence-row-unreadable"
                >
                  {['#', 'category'].map(c => (
                    <div key={c} role="cell" className={classes.cell}>
                      —
                    </div>
                  ))}
                  <div
                    role="cell"
                    className={`${classes.cell} ${classes.facts}`}
                    title={r.unreadable}
                  >
                    <ErrorIcon
                      color="error"
                      fontSize="small"
                      aria-label="failed verification"
                    />
                    <Typography variant="body2" color="error" noWrap>
                      unreadable canonical bytes
                    </Typography>
                  </div>
                  {['subject', 'producer', 'recorded'].map(c => (
                    <div key={c} role="cell" className={classes.cell}>
                      —
                    </div>
                  ))}
                  <div
                    role="cell"
                    className={`${classes.cell} ${classes.mono}`}
                    title={r.hash}
                  >
                    {shortHash(r.hash)}
                  </div>
                </div>
              );
            }
            return (
              <div
                key={r.hash}
                {...rowProps}
                data-testid={`evidence-row-${env.seq}`}
              >
                <div role="cell" className={`${classes.cell} ${classes.mono}`}>
                  {env.seq}
                </div>
                <div role="cell" className={classes.cell}>
                  {env.category}
                </div>
                <div role="cell" className={`${classes.cell} ${classes.facts}`}>
                  {bad && (
                    <Tooltip title="First record that failed verification">
                      <ErrorIcon
                        color="error"
                        fontSize="small"
                        aria-label="failed verification"
                      />
                    </Tooltip>
                  )}
                  <FactsText
                    facts={formatFacts(env.category, env.summary)}
                    noWrap
                  />
                  {r.payloadPurged && (
                    <Tooltip
                      title={`Payload purged after its ${
                        r.retention.years
                      }-year ${
                        r.retention.mode
                      } retention (expired ${formatDateTime(
                        r.retention.expiresAt,
                      )}). The envelope and hash remain, so the chain still verifies.`}
                    >
                      <Chip
                        size="small"
                        icon={<DeleteSweepIcon />}
                        label="purged"
                        variant="outlined"
                      />
                    </Tooltip>
                  )}
                </div>
                <div
                  role="cell"
                  className={`${classes.cell} ${classes.muted}`}
                  title={formatSubject(env.subject)}
                >
                  {formatSubject(env.subject) || '—'}
                </div>
                <div
                  role="cell"
                  className={`${classes.cell} ${classes.muted}`}
                  title={env.producer}
                >
                  {formatProducer(env.producer)}
                </div>
                <div
                  role="cell"
                  className={classes.cell}
                  title={formatDateTime(env.recordedAt)}
                >
                  {formatRelative(env.recordedAt)}
                </div>
                <div
                  role="cell"
                  className={`${classes.cell} ${classes.mono}`}
                  title={r.hash}
                >
                  {shortHash(r.hash)}
                </div>
              </div>
            );
          })}
        </div>
      </div>
      <div className={classes.footer}>
        <Typography variant="body2" color="textSecondary" aria-live="polite">
          Showing {formatCount(records.length)}
          {totalCount !== undefined
            ? ` of ${formatCount(totalCount)}`
            : ''}{' '}
          records
        </Typography>
        {hasMore && (
          <Button
            size="small"
            variant="outlined"
            onClick={onLoadMore}
            disabled={loading}
          >
            {loading ? 'Loading…' : 'Load more'}
          </Button>
        )}
      </div>
    </>
  );
}
