import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import CircularProgress from '@material-ui/core/CircularProgress';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ArrowIcon from '@material-ui/icons/ArrowForward';
import Alert from '@material-ui/lab/Alert';
import { Fragment, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { deliveryApiRef } from '../../api/DeliveryApi';
import { errorMessage } from '../../lib/fieldErrors';
import {
  GateEvaluation,
  Promotion,
  PromotionEnvironment,
  PromotionOverview,
  Release,
} from '../../api/promotionTypes';
import { formatTime, shortRef } from '../../lib/format';
import {
  promotionApprovePermission,
  promotionPromotePermission,
  promotionRollbackPermission,
} from '../../lib/permissions';
import { EvidenceHashLink } from './EvidenceHashLink';
import { GateChips, isBlocked } from './Gates';
import { StatusChip } from './StatusChip';

const useStyles = makeStyles(theme => ({
  row: {
    display: 'flex',
    alignItems: 'stretch',
    gap: theme.spacing(1),
    overflowX: 'auto',
  },
  column: {
    flex: '1 1 0',
    minWidth: 260,
    padding: theme.spacing(2),
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1.5),
  },
  arrow: {
    display: 'flex',
    alignItems: 'center',
    color: theme.palette.text.secondary,
  },
  section: {
    borderTop: `1px solid ${theme.palette.divider}`,
    paddingTop: theme.spacing(1),
  },
  links: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1) },
}));

/** The release each environment is promoted from: the newest release into the first, the previous environment's into the others. */
export function candidateFor(
  overview: PromotionOverview,
  index: number,
): Release | undefined {
  if (index === 0) return overview.releases[0];
  const from = overview.environments[index - 1].deployed;
  if (!from) return undefined;
  return (
    overview.releases.find(r => r.hash === from.releaseHash) ?? {
      hash: from.releaseHash,
      entityRef: overview.entityRef,
      version: from.version,
      producer: '',
      createdAt: '',
      evidence: [],
      artifacts: [],
    }
  );
}

export type OpenDialog = (
  mode: 'promote' | 'rollback',
  environment: string,
  releaseHash?: string,
) => void;

/** The requester may withdraw a promotion that awaits approval. */
function WithdrawButton(props: {
  entityRef: string;
  promotion: Promotion;
  onDone(): void;
}) {
  const api = useApi(deliveryApiRef);
  const { allowed } = usePermission({
    permission: promotionPromotePermission,
    resourceRef: props.entityRef,
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  if (!allowed) return null;
  const withdraw = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.cancelPromotion(props.promotion.id, {
        reason: 'withdrawn by the requester',
      });
      props.onDone();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box mt={0.5}>
      <Button
        size="small"
        onClick={withdraw}
        disabled={busy}
        data-testid="promotion-withdraw"
      >
        Withdraw
      </Button>
      {error && (
        <Typography variant="caption" color="error" component="div">
          {error}
        </Typography>
      )}
    </Box>
  );
}

function ApproveButton(props: {
  entityRef: string;
  promotion: Promotion;
  userRef?: string;
  onDone(): void;
}) {
  const { entityRef, promotion, userRef, onDone } = props;
  const api = useApi(deliveryApiRef);
  const { allowed } = usePermission({
    permission: promotionApprovePermission,
    resourceRef: entityRef,
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  if (userRef && userRef === promotion.requestedBy) {
    return (
      <>
        <Typography
          variant="caption"
          color="textSecondary"
          component="div"
          data-testid="promotion-own-request"
        >
          You requested this promotion; someone else must approve it.
        </Typography>
        <WithdrawButton
          entityRef={entityRef}
          promotion={promotion}
          onDone={onDone}
        />
      </>
    );
  }
  if (!allowed) return null;
  const approve = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.approvePromotion(promotion.id);
      onDone();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box>
      <Button
        variant="contained"
        color="primary"
        size="small"
        onClick={approve}
        disabled={busy}
        startIcon={busy ? <CircularProgress size={14} /> : undefined}
        data-testid="promotion-approve"
      >
        Approve {promotion.version}
      </Button>
      {error && (
        <Alert
          severity="error"
          style={{ marginTop: 8 }}
          data-testid="promotion-approve-error"
        >
          {error}
        </Alert>
      )}
    </Box>
  );
}

function ActivePromotion(props: {
  entityRef: string;
  promotion: Promotion;
  userRef?: string;
  onChanged(): void;
}) {
  const { promotion, entityRef } = props;
  const valid = promotion.approvals.length;
  return (
    <Box data-testid="promotion-active">
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <Typography variant="subtitle2">
          {promotion.kind === 'rollback' ? 'Rollback to' : 'Promoting'}{' '}
          {promotion.version}
        </Typography>
        <StatusChip
          status={promotion.status}
          data-testid="promotion-active-status"
        />
      </Box>
      <Typography variant="caption" color="textSecondary" component="div">
        requested {formatTime(promotion.requestedAt)} by{' '}
        {shortRef(promotion.requestedBy)}
      </Typography>
      {promotion.status === 'awaiting-approval' && (
        <>
          <Typography
            variant="body2"
            data-testid="promotion-approvals-count"
            style={{ margin: '4px 0' }}
          >
            {valid} of {promotion.approvalsRequired} approval
            {promotion.approvalsRequired === 1 ? '' : 's'}
            {valid
              ? ` (${promotion.approvals
                  .map(a => shortRef(a.approver))
                  .join(', ')})`
              : ''}
          </Typography>
          <ApproveButton
            entityRef={entityRef}
            promotion={promotion}
            userRef={props.userRef}
            onDone={props.onChanged}
          />
        </>
      )}
    </Box>
  );
}

function nextStepVerdict(evaluation: GateEvaluation, approvals: number) {
  if (isBlocked(evaluation)) return 'Blocked by gates';
  if (approvals > 0) {
    return `Needs ${approvals} approval${approvals === 1 ? '' : 's'}`;
  }
  return 'Ready';
}

/** The gates of the next step into this environment (a dry-run), as chips. */
function NextStep(props: {
  entityRef: string;
  environment: string;
  from?: string;
  release: Release;
  version: number;
  onPromote(): void;
}) {
  const { entityRef, environment, release } = props;
  const api = useApi(deliveryApiRef);
  const { allowed: mayPromote } = usePermission({
    permission: promotionPromotePermission,
    resourceRef: entityRef,
  });
  const preview = useAsync(
    () =>
      api.previewPromotion(entityRef, {
        environment,
        releaseHash: release.hash,
      }),
    [api, entityRef, environment, release.hash, props.version],
  );
  return (
    <Box data-testid={`promotion-next-${environment}`}>
      <Typography variant="subtitle2">
        Next: {release.version}
        {props.from ? ` from ${props.from}` : ' (newest release)'}
      </Typography>
      {preview.loading && !preview.value && (
        <Typography variant="caption" color="textSecondary">
          evaluating gates…
        </Typography>
      )}
      {preview.error && (
        <Typography variant="caption" color="error">
          gates unavailable: {errorMessage(preview.error)}
        </Typography>
      )}
      {preview.value && (
        <>
          <GateChips
            gates={preview.value.evaluation.gates}
            testId={`gate-chips-${environment}`}
          />
          <Typography variant="caption" color="textSecondary" component="div">
            {nextStepVerdict(
              preview.value.evaluation,
              preview.value.approvalsRequired,
            )}
          </Typography>
        </>
      )}
      {mayPromote && (
        <Button
          variant="outlined"
          color="primary"
          size="small"
          style={{ marginTop: 8 }}
          onClick={props.onPromote}
          data-testid={`promotion-promote-${environment}`}
        >
          Promote to {environment}
        </Button>
      )}
    </Box>
  );
}

function RollbackButton(props: {
  entityRef: string;
  environment: string;
  onClick(): void;
}) {
  const { allowed } = usePermission({
    permission: promotionRollbackPermission,
    resourceRef: props.entityRef,
  });
  if (!allowed) return null;
  return (
    <Button
      size="small"
      variant="text"
      color="secondary"
      onClick={props.onClick}
      data-testid={`promotion-rollback-${props.environment}`}
    >
      Roll back
    </Button>
  );
}

/**
 * What runs in the environment: version, when, by whom, the release record
 * and the evidence record of the promotion that put it there (read from
 * that promotion when the overview does not carry them).
 */
function DeployedInfo(props: {
  entityRef: string;
  environment: PromotionEnvironment;
}) {
  const classes = useStyles();
  const api = useApi(deliveryApiRef);
  const { entityRef, environment: env } = props;
  const deployed = env.deployed;
  const promotionId = deployed?.promotionId;
  const needsPromotion =
    Boolean(promotionId) && (!deployed?.deployedBy || !deployed?.evidenceHash);
  const promotion = useAsync(
    async () =>
      needsPromotion && promotionId
        ? api.getPromotion(promotionId).catch(() => undefined)
        : undefined,
    [api, promotionId, needsPromotion],
  );
  if (!deployed) {
    return (
      <Box data-testid={`promotion-deployed-${env.name}`}>
        <Typography variant="body2" color="textSecondary">
          Nothing deployed yet
        </Typography>
      </Box>
    );
  }
  const by = deployed.deployedBy ?? promotion.value?.requestedBy;
  const hashes = promotion.value?.evidenceHashes ?? [];
  const evidenceHash =
    deployed.evidenceHash ?? (hashes.length ? hashes[hashes.length - 1] : null);
  const approvers = promotion.value?.approvals.map(a => shortRef(a.approver));
  return (
    <Box data-testid={`promotion-deployed-${env.name}`}>
      <Typography variant="h5" component="p" style={{ margin: 0 }}>
        {deployed.version}
      </Typography>
      <Typography variant="caption" color="textSecondary" component="div">
        deployed {formatTime(deployed.deployedAt)}
        {by ? ` by ${shortRef(by)}` : ''}
        {approvers?.length ? `, approved by ${approvers.join(', ')}` : ''}
      </Typography>
      <Box className={classes.links}>
        <EvidenceHashLink
          entityRef={entityRef}
          hash={deployed.releaseHash}
          label="release"
        />
        {evidenceHash && (
          <EvidenceHashLink
            entityRef={entityRef}
            hash={evidenceHash}
            label="promotion"
          />
        )}
      </Box>
    </Box>
  );
}

function EnvironmentColumn(props: {
  overview: PromotionOverview;
  index: number;
  userRef?: string;
  version: number;
  onChanged(): void;
  openDialog: OpenDialog;
}) {
  const classes = useStyles();
  const { overview, index, openDialog } = props;
  const env: PromotionEnvironment = overview.environments[index];
  const entityRef = overview.entityRef;
  const candidate = candidateFor(overview, index);
  const showNext =
    candidate &&
    candidate.hash !== env.deployed?.releaseHash &&
    !(
      env.active && ['running', 'awaiting-approval'].includes(env.active.status)
    );
  const previous = overview.releases.filter(
    r => r.hash !== env.deployed?.releaseHash,
  );
  return (
    <Paper
      variant="outlined"
      className={classes.column}
      data-testid={`promotion-env-${env.name}`}
    >
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <Typography variant="h6" component="h3" style={{ margin: 0 }}>
          {env.name}
        </Typography>
        {env.approvalsRequired > 0 && (
          <Chip
            size="small"
            variant="outlined"
            label={`${env.approvalsRequired} approval${
              env.approvalsRequired === 1 ? '' : 's'
            }`}
          />
        )}
        {env.canary && <Chip size="small" variant="outlined" label="canary" />}
      </Box>
      <DeployedInfo entityRef={entityRef} environment={env} />
      {env.active && (
        <Box className={classes.section}>
          <ActivePromotion
            entityRef={entityRef}
            promotion={env.active}
            userRef={props.userRef}
            onChanged={props.onChanged}
          />
        </Box>
      )}
      {showNext && candidate && (
        <Box className={classes.section}>
          <NextStep
            entityRef={entityRef}
            environment={env.name}
            from={index > 0 ? overview.environments[index - 1].name : undefined}
            release={candidate}
            version={props.version}
            onPromote={() => openDialog('promote', env.name, candidate.hash)}
          />
        </Box>
      )}
      {env.deployed && previous.length > 0 && (
        <Box className={classes.section}>
          <RollbackButton
            entityRef={entityRef}
            environment={env.name}
            onClick={() => openDialog('rollback', env.name, previous[0].hash)}
          />
        </Box>
      )}
    </Paper>
  );
}

/** The entity's environments left to right, each with what is deployed, what is under way and the next step's gates. */
export function EnvironmentColumns(props: {
  overview: PromotionOverview;
  userRef?: string;
  version: number;
  onChanged(): void;
  openDialog: OpenDialog;
}) {
  const classes = useStyles();
  return (
    <Box className={classes.row} data-testid="promotion-environments">
      {props.overview.environments.map((env, i) => (
        <Fragment key={env.name}>
          {i > 0 && (
            <Box className={classes.arrow} aria-hidden>
              <ArrowIcon />
            </Box>
          )}
          <EnvironmentColumn {...props} index={i} />
        </Fragment>
      ))}
    </Box>
  );
}
