import { EmptyState, Link, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntityRefLink } from '@backstage/plugin-catalog-react';
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Box,
  Button,
  Chip,
  FormControl,
  Grid,
  InputLabel,
  MenuItem,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import GetAppIcon from '@material-ui/icons/GetApp';
import { useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { scorecardsApiRef } from '../../api/ScorecardsApi';
import { Control, ControlEntity } from '../../api/types';
import { saveText } from '../../lib/download';
import { shortHash } from '../../lib/format';
import { errorMessage, ScorecardErrorPanel } from '../ScorecardErrorPanel';
import { StatusChip } from '../StatusChip';

function EntityList(props: { title: string; items: ControlEntity[] }) {
  const entityLink = useEntityRefLink();
  return (
    <Box flex={1} minWidth={320}>
      <Typography variant="subtitle2">
        {props.title} ({props.items.length})
      </Typography>
      {props.items.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          None.
        </Typography>
      ) : (
        <Table size="small" aria-label={props.title}>
          <TableHead>
            <TableRow>
              <TableCell>Entity</TableCell>
              <TableCell>Check</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>Evidence records</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {props.items.map(e => (
              <TableRow key={`${e.entityRef}|${e.checkId}`}>
                <TableCell style={{ whiteSpace: 'nowrap' }}>
                  <Link to={`${entityLink(e.entityRef)}/compliance`}>
                    {e.entityRef}
                  </Link>
                </TableCell>
                <TableCell style={{ whiteSpace: 'nowrap' }}>
                  {e.checkId}
                </TableCell>
                <TableCell title={e.reason}>
                  <StatusChip status={e.status} />
                </TableCell>
                <TableCell>
                  {e.evidence.length === 0
                    ? '—'
                    : e.evidence.map(h => (
                        <code
                          key={h}
                          title={h}
                          style={{ marginRight: 6, whiteSpace: 'nowrap' }}
                        >
                          {shortHash(h)}
                        </code>
                      ))}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}

function ControlRow(props: { control: Control }) {
  const { control: c } = props;
  const total = c.evidenced.length + c.notEvidenced.length;
  return (
    <Accordion TransitionProps={{ unmountOnExit: true }}>
      <AccordionSummary
        expandIcon={<ExpandMoreIcon />}
        aria-label={`control ${c.control}`}
      >
        <Box
          display="flex"
          alignItems="center"
          style={{ gap: 12 }}
          width="100%"
        >
          <Typography style={{ fontWeight: 600, minWidth: 140 }}>
            {c.control}
          </Typography>
          <Typography variant="body2" color="textSecondary" style={{ flex: 1 }}>
            checks: {c.checks.join(', ')}
          </Typography>
          <Chip
            size="small"
            label={`${c.evidenced.length} evidenced`}
            style={{ backgroundColor: '#e8f5e9' }}
          />
          <Chip
            size="small"
            label={`${c.notEvidenced.length} not evidenced`}
            style={{
              backgroundColor: c.notEvidenced.length ? '#ffebee' : undefined,
            }}
          />
          <Typography variant="caption" color="textSecondary">
            of {total}
          </Typography>
        </Box>
      </AccordionSummary>
      <AccordionDetails>
        <Box display="flex" flexWrap="wrap" style={{ gap: 24 }} width="100%">
          <EntityList title="Evidenced" items={c.evidenced} />
          <EntityList title="Not evidenced" items={c.notEvidenced} />
        </Box>
      </AccordionDetails>
    </Accordion>
  );
}

/**
 * Per framework control: which entities are evidenced and which are not,
 * with the record hashes behind each; exportable as an audit request list.
 */
export function ControlsView() {
  const api = useApi(scorecardsApiRef);
  const [framework, setFramework] = useState('');
  const all = useAsync(() => api.getControls(), [api]);
  const controls = useAsyncRetry(
    () => api.getControls({ framework: framework || undefined }),
    [api, framework],
  );
  const frameworks = useMemo(
    () => [...new Set((all.value ?? []).map(c => c.framework))].sort(),
    [all.value],
  );
  const [exportError, setExportError] = useState<string>();

  const download = async (format: 'csv' | 'json') => {
    setExportError(undefined);
    try {
      const text = await api.exportControls({
        framework: framework || undefined,
        format,
      });
      saveText(
        text,
        `controls${framework ? `-${framework}` : ''}.${format}`,
        format === 'csv' ? 'text/csv' : 'application/json',
      );
    } catch (e) {
      setExportError(errorMessage(e as Error));
    }
  };

  if (controls.error) {
    return (
      <ScorecardErrorPanel
        error={controls.error}
        title="Could not load controls"
      />
    );
  }
  if (controls.loading && !controls.value) return <Progress />;
  const items = controls.value ?? [];

  return (
    <Grid container spacing={2}>
      <Grid item xs={12}>
        <Box display="flex" alignItems="center" style={{ gap: 12 }}>
          <FormControl
            variant="outlined"
            size="small"
            style={{ minWidth: 180 }}
          >
            <InputLabel id="scorecards-framework">Framework</InputLabel>
            <Select
              labelId="scorecards-framework"
              label="Framework"
              value={framework}
              onChange={e => setFramework(e.target.value as string)}
              SelectDisplayProps={{ 'aria-label': 'Framework' } as any}
            >
              <MenuItem value="">
                <em>All</em>
              </MenuItem>
              {frameworks.map(f => (
                <MenuItem key={f} value={f}>
                  {f}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
          <Box flexGrow={1} />
          <Button
            size="small"
            variant="outlined"
            startIcon={<GetAppIcon />}
            onClick={() => download('csv')}
          >
            Export CSV
          </Button>
          <Button
            size="small"
            variant="outlined"
            startIcon={<GetAppIcon />}
            onClick={() => download('json')}
          >
            Export JSON
          </Button>
        </Box>
        {exportError && (
          <Typography color="error" role="alert" variant="body2">
            Export failed: {exportError}
          </Typography>
        )}
      </Grid>
      <Grid item xs={12}>
        {items.length === 0 ? (
          <EmptyState
            missing="data"
            title="No controls"
            description="No configured check names a framework control (the `controls` of a check in app-config)."
          />
        ) : (
          items.map(c => <ControlRow key={c.control} control={c} />)
        )}
      </Grid>
    </Grid>
  );
}
