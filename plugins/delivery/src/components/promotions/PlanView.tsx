import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useRef, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { deliveryApiRef } from '../../api/DeliveryApi';
import { errorMessage } from '../../lib/fieldErrors';
import { PromotionPlan } from '../../api/promotionTypes';
import { formatTime, shortRef } from '../../lib/format';
import { EvidenceHashLink } from '../promotion/EvidenceHashLink';
import { StatusChip } from '../promotion/StatusChip';
import { WaveGraph, WaveNodeInfo } from './WaveGraph';

/** How often a running plan is refreshed. */
export const PLAN_POLL_MS = 2000;

export function planNodes(plan: PromotionPlan): Record<string, WaveNodeInfo> {
  const nodes: Record<string, WaveNodeInfo> = {};
  for (const wave of plan.waves) {
    for (const item of wave.items) {
      nodes[item.entityRef] = {
        status: item.status,
        detail: item.version ?? undefined,
      };
    }
  }
  return nodes;
}

function EntityPromotionLink(props: { entityRef: string }) {
  const entityLink = useRouteRef(entityRouteRef);
  return (
    <Link to={`${entityLink(entityRouteParams(props.entityRef))}/promotion`}>
      {props.entityRef}
    </Link>
  );
}

/** A coordinated promotion, live: its waves with each service's status, refreshed while it runs; abort. */
export function PlanView(props: {
  planId: string;
  pollMs?: number;
  /** Called when the shown plan's status changes (e.g. running → succeeded). */
  onStatusChange?(status: PromotionPlan['status']): void;
}) {
  const { planId } = props;
  const pollMs = props.pollMs ?? PLAN_POLL_MS;
  const api = useApi(deliveryApiRef);
  const plan = useAsyncRetry(() => api.getPlan(planId), [api, planId]);
  const [last, setLast] = useState<PromotionPlan>();
  useEffect(() => {
    if (plan.value) setLast(plan.value);
  }, [plan.value]);
  const value = plan.value ?? (last?.id === planId ? last : undefined);
  const running = value?.status === 'running';
  const status = value?.status;
  const { onStatusChange } = props;
  const seen = useRef<string>();
  useEffect(() => {
    if (!status) return;
    if (seen.current && seen.current !== status) onStatusChange?.(status);
    seen.current = status;
  }, [status, onStatusChange]);
  const { retry } = plan;
  useEffect(() => {
    if (!running) return undefined;
    const timer = setInterval(retry, pollMs);
    return () => clearInterval(timer);
  }, [running, pollMs, retry]);
  const [abortError, setAbortError] = useState<string>();
  const [aborting, setAborting] = useState(false);

  if (!value && plan.loading) return <Progress />;
  if (!value && plan.error) return <ResponseErrorPanel error={plan.error} />;
  if (!value) return null;

  const abort = async () => {
    setAborting(true);
    setAbortError(undefined);
    try {
      setLast(
        await api.abortPlan(planId, {
          reason: 'aborted from the coordinated promotions page',
        }),
      );
      retry();
    } catch (e) {
      setAbortError(errorMessage(e));
    } finally {
      setAborting(false);
    }
  };
  const currentWave = running
    ? value.waves.find(w => w.status === 'running')?.index
    : undefined;
  const waves = [...value.waves].sort((a, b) => a.index - b.index);
  return (
    <Box data-testid="plan-view">
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        style={{ gap: 8 }}
      >
        <Typography variant="h6" component="h3" style={{ margin: 0 }}>
          To {value.environment}
        </Typography>
        <StatusChip status={value.status} data-testid="plan-status" />
        <Typography variant="caption" color="textSecondary">
          started {formatTime(value.createdAt)} by {shortRef(value.requestedBy)}
          {value.finishedAt ? ` · ended ${formatTime(value.finishedAt)}` : ''}
          {running ? ' · refreshing while it runs' : ''}
        </Typography>
        <Box flexGrow={1} />
        {running && (
          <Button
            variant="outlined"
            color="secondary"
            size="small"
            onClick={abort}
            disabled={aborting}
            data-testid="plan-abort"
          >
            Abort
          </Button>
        )}
      </Box>
      {abortError && (
        <Alert severity="error" style={{ marginTop: 8 }}>
          {abortError}
        </Alert>
      )}
      {value.error && (
        <Alert
          severity="error"
          style={{ marginTop: 8 }}
          data-testid="plan-failure"
        >
          {value.error}
        </Alert>
      )}
      <Box mt={2}>
        <WaveGraph
          waves={waves.map(w => w.items.map(i => i.entityRef))}
          edges={value.graph.edges}
          nodes={planNodes(value)}
          currentWave={
            currentWave === undefined
              ? undefined
              : waves.findIndex(w => w.index === currentWave)
          }
        />
      </Box>
      <Table size="small" aria-label="plan services" style={{ marginTop: 16 }}>
        <TableHead>
          <TableRow style={{ whiteSpace: 'nowrap' }}>
            <TableCell>Wave</TableCell>
            <TableCell>Service</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>Detail</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {waves.flatMap((wave, w) =>
            wave.items.map(item => (
              <TableRow
                key={item.entityRef}
                data-testid={`plan-item-${item.entityRef}`}
              >
                <TableCell>
                  {w + 1}{' '}
                  <Typography variant="caption" color="textSecondary">
                    ({wave.status})
                  </Typography>
                </TableCell>
                <TableCell>
                  <EntityPromotionLink entityRef={item.entityRef} />
                </TableCell>
                <TableCell>
                  <StatusChip status={item.status} />
                </TableCell>
                <TableCell>
                  {item.version ?? ''}
                  {item.error && (
                    <Typography variant="caption" color="error" component="div">
                      {item.error}
                    </Typography>
                  )}
                </TableCell>
              </TableRow>
            )),
          )}
        </TableBody>
      </Table>
      {value.steps && value.steps.length > 0 && (
        <>
          <Typography variant="subtitle2" style={{ marginTop: 16 }}>
            Steps (each recorded as evidence)
          </Typography>
          <Table size="small" aria-label="plan steps">
            <TableBody>
              {[...value.steps].reverse().map(step => (
                <TableRow key={step.seq} data-testid="plan-step">
                  <TableCell style={{ whiteSpace: 'nowrap' }}>
                    {formatTime(step.at)}
                  </TableCell>
                  <TableCell>
                    wave {step.wave + 1} · {shortRef(step.entityRef)}
                  </TableCell>
                  <TableCell>{step.text}</TableCell>
                  <TableCell style={{ whiteSpace: 'nowrap' }}>
                    {step.evidenceHash ? (
                      <EvidenceHashLink
                        entityRef={step.entityRef}
                        hash={step.evidenceHash}
                      />
                    ) : (
                      <Typography variant="caption" color="textSecondary">
                        pending
                      </Typography>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
    </Box>
  );
}
