import {
  DEFAULT_PROMOTION_ENVIRONMENTS,
  environmentsOf,
} from '@assay/plugin-delivery-common';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import MenuItem from '@material-ui/core/MenuItem';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import Autocomplete from '@material-ui/lab/Autocomplete';
import { useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { deliveryApiRef } from '../../api/DeliveryApi';
import { PlanPreview, PromotionPlan } from '../../api/promotionTypes';
import { isPromotionAvailable } from '../../lib/entity';
import { errorMessage, fieldErrorsOf } from '../../lib/fieldErrors';
import { shortHash, shortRef } from '../../lib/format';
import {
  blockingGates,
  GateChips,
  gateCounts,
  isBlocked,
} from '../promotion/Gates';
import { Tone } from '../../lib/promotionFormat';
import { WaveGraph, WaveNodeInfo } from './WaveGraph';

const FIELDS = ['entityRefs', 'environment'] as const;
type Field = (typeof FIELDS)[number];

function environmentsFor(entities: Entity[]): string[] {
  const names: string[] = [];
  const add = (n: string) => {
    if (!names.includes(n)) names.push(n);
  };
  for (const e of entities) {
    try {
      environmentsOf(e.metadata.annotations).forEach(env => add(env.name));
    } catch {
      // a malformed annotation: the backend will say so
    }
  }
  if (!names.length) DEFAULT_PROMOTION_ENVIRONMENTS.forEach(e => add(e.name));
  return names;
}

/** Node colours and second lines of a plan preview: version and gate counts. */
export function previewNodes(
  preview: PlanPreview,
): Record<string, WaveNodeInfo> {
  const nodes: Record<string, WaveNodeInfo> = {};
  for (const ref of preview.graph.nodes) {
    const p = preview.previews[ref];
    if (!p || !p.evaluation) {
      nodes[ref] = {
        status: 'blocked',
        detail: p?.error ?? 'no release to promote',
      };
      continue;
    }
    let [status, tone]: [string, Tone] = ['pass', 'good'];
    if (isBlocked(p.evaluation)) [status, tone] = ['blocked', 'bad'];
    else if (p.evaluation.gates.some(g => g.status === 'warn')) {
      [status, tone] = ['warn', 'warn'];
    }
    nodes[ref] = {
      status,
      tone,
      hideStatus: true,
      detail: `${p.version ?? '?'} · ${gateCounts(p.evaluation)}`,
    };
  }
  return nodes;
}

function serviceVerdict(p: PlanPreview['previews'][string] | undefined) {
  const ev = p?.evaluation;
  if (!ev) return p?.error ?? 'nothing to promote';
  if (isBlocked(ev)) {
    return `blocked: ${blockingGates(ev)
      .map(g => g.title)
      .join(', ')}`;
  }
  if (ev.mode === 'sandbox' && ev.gates.some(g => g.status === 'warn')) {
    return 'allowed with warnings (sandbox)';
  }
  const approvals = p?.approvalsRequired ?? 0;
  if (approvals > 0) return `needs ${approvals} approval(s)`;
  return 'ready';
}

/**
 * Choose services and a target environment, preview the dependency graph as
 * waves with every service's gates (a cycle is named), then start.
 */
export function NewPlan(props: { onStarted(plan: PromotionPlan): void }) {
  const catalogApi = useApi(catalogApiRef);
  const api = useApi(deliveryApiRef);
  const entities = useAsync(async () => {
    const res = await catalogApi.getEntities({
      filter: { kind: 'component' },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'metadata.annotations',
        'spec.owner',
      ],
    });
    return res.items
      .filter(isPromotionAvailable)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }, [catalogApi]);
  const [selected, setSelected] = useState<Entity[]>([]);
  const envOptions = useMemo(() => environmentsFor(selected), [selected]);
  const [environment, setEnvironment] = useState('');
  const env = envOptions.includes(environment) ? environment : envOptions[0];
  const [preview, setPreview] = useState<PlanPreview>();
  const [cycle, setCycle] = useState<string>();
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [general, setGeneral] = useState<string>();
  const [busy, setBusy] = useState<'preview' | 'start'>();

  const request = () => ({
    entityRefs: selected.map(e => stringifyEntityRef(e)),
    environment: env,
  });
  const reset = () => {
    setPreview(undefined);
    setCycle(undefined);
    setErrors({});
    setGeneral(undefined);
  };
  const fail = (e: unknown) => {
    const message = errorMessage(e);
    if (/cycle/i.test(message)) {
      setCycle(message);
      return;
    }
    const split = fieldErrorsOf(e, FIELDS);
    setErrors(split.fields);
    setGeneral(split.general);
  };
  const runPreview = async () => {
    reset();
    setBusy('preview');
    try {
      setPreview(await api.previewPlan(request()));
    } catch (e) {
      fail(e);
    } finally {
      setBusy(undefined);
    }
  };
  const start = async () => {
    setBusy('start');
    setGeneral(undefined);
    try {
      props.onStarted(await api.startPlan(request()));
      reset();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(undefined);
    }
  };

  const blockedRefs = preview
    ? preview.graph.nodes.filter(ref => {
        const ev = preview.previews[ref]?.evaluation;
        return !ev || isBlocked(ev);
      })
    : [];

  return (
    <Box>
      <Box
        display="flex"
        flexWrap="wrap"
        alignItems="flex-start"
        style={{ gap: 16 }}
      >
        <Autocomplete
          multiple
          id="plan-services"
          style={{ minWidth: 420, flex: '1 1 420px' }}
          options={entities.value ?? []}
          loading={entities.loading}
          value={selected}
          onChange={(_, value) => {
            setSelected(value);
            reset();
          }}
          getOptionLabel={e =>
            e.metadata.title
              ? `${e.metadata.title} (${e.metadata.name})`
              : e.metadata.name
          }
          getOptionSelected={(a, b) =>
            stringifyEntityRef(a) === stringifyEntityRef(b)
          }
          renderInput={params => (
            <TextField
              {...params}
              label="Services"
              placeholder="choose services"
              error={Boolean(errors.entityRefs) || Boolean(entities.error)}
              helperText={
                errors.entityRefs ??
                (entities.error
                  ? `catalog unavailable: ${entities.error.message}`
                  : 'Components that are promoted with Assay; their dependsOn relations order the waves.')
              }
            />
          )}
        />
        <TextField
          id="plan-environment"
          select
          label="Target environment"
          value={env}
          onChange={ev => {
            setEnvironment(ev.target.value);
            reset();
          }}
          error={Boolean(errors.environment)}
          helperText={errors.environment ?? ' '}
          style={{ minWidth: 200 }}
        >
          {envOptions.map(n => (
            <MenuItem key={n} value={n}>
              {n}
            </MenuItem>
          ))}
        </TextField>
        <Box pt={1.5}>
          <Button
            variant="outlined"
            color="primary"
            onClick={runPreview}
            disabled={!selected.length || Boolean(busy)}
            startIcon={
              busy === 'preview' ? <CircularProgress size={16} /> : undefined
            }
            data-testid="plan-preview"
          >
            Preview
          </Button>
        </Box>
      </Box>
      {general && (
        <Alert
          severity="error"
          data-testid="plan-error"
          style={{ marginTop: 8 }}
        >
          {general}
        </Alert>
      )}
      {cycle && (
        <Alert
          severity="error"
          data-testid="plan-cycle"
          style={{ marginTop: 8 }}
        >
          <AlertTitle>
            Dependency cycle: these services cannot be ordered
          </AlertTitle>
          {cycle}
        </Alert>
      )}
      {preview && (
        <Box mt={2} data-testid="plan-preview-result">
          <Typography variant="h6" component="h3">
            Plan: {preview.waves.length} wave
            {preview.waves.length === 1 ? '' : 's'} to {env}
          </Typography>
          <Typography variant="body2" color="textSecondary" paragraph>
            Each wave is promoted in parallel; the next wave starts only when
            the whole wave has landed. If a service fails, the plan stops and
            that wave rolls back in reverse order.
          </Typography>
          <WaveGraph
            waves={preview.waves}
            edges={preview.graph.edges}
            nodes={previewNodes(preview)}
          />
          <Table size="small" aria-label="plan gates" style={{ marginTop: 16 }}>
            <TableHead>
              <TableRow style={{ whiteSpace: 'nowrap' }}>
                <TableCell>Wave</TableCell>
                <TableCell>Service</TableCell>
                <TableCell>Release</TableCell>
                <TableCell>Gates</TableCell>
                <TableCell>Result</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {preview.waves.flatMap((wave, w) =>
                wave.map(ref => {
                  const p = preview.previews[ref];
                  const ev = p?.evaluation;
                  return (
                    <TableRow key={ref} data-testid={`plan-service-${ref}`}>
                      <TableCell>{w + 1}</TableCell>
                      <TableCell style={{ whiteSpace: 'nowrap' }}>
                        {shortRef(ref)}
                      </TableCell>
                      <TableCell style={{ whiteSpace: 'nowrap' }}>
                        {p?.version ?? '–'}
                        {p?.releaseHash && (
                          <Typography variant="caption" color="textSecondary">
                            {' '}
                            ({shortHash(p.releaseHash)})
                          </Typography>
                        )}
                      </TableCell>
                      <TableCell>
                        {ev ? (
                          <GateChips
                            gates={ev.gates}
                            testId={`plan-gates-${ref}`}
                          />
                        ) : (
                          '–'
                        )}
                      </TableCell>
                      <TableCell>{serviceVerdict(p)}</TableCell>
                    </TableRow>
                  );
                }),
              )}
            </TableBody>
          </Table>
          <Box mt={2} display="flex" alignItems="center" style={{ gap: 16 }}>
            <Button
              variant="contained"
              color="primary"
              onClick={start}
              disabled={Boolean(busy) || blockedRefs.length > 0}
              startIcon={
                busy === 'start' ? <CircularProgress size={16} /> : undefined
              }
              data-testid="plan-start"
            >
              Start coordinated promotion
            </Button>
            {blockedRefs.length > 0 && (
              <Typography variant="body2" color="error">
                Blocked by gates: {blockedRefs.join(', ')}
              </Typography>
            )}
          </Box>
        </Box>
      )}
      {entities.loading && !entities.value && <Progress />}
    </Box>
  );
}
