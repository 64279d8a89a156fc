import { Chip } from '@material-ui/core';
import CheckIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import HelpIcon from '@material-ui/icons/Help';
import ShieldIcon from '@material-ui/icons/VerifiedUser';
import WarningIcon from '@material-ui/icons/Warning';
import { CheckStatus } from '../../api/types';
import { STATUS_LABELS } from '../../lib/format';

const COLORS: Record<CheckStatus, string> = {
  pass: '#2e7d32',
  fail: '#c62828',
  warn: '#e65100',
  unknown: '#616161',
  waived: '#1565c0',
};

const ICONS: Record<CheckStatus, typeof CheckIcon> = {
  pass: CheckIcon,
  fail: ErrorIcon,
  warn: WarningIcon,
  unknown: HelpIcon,
  waived: ShieldIcon,
};

/** A check status (pass / fail / warn / unknown / waived) in words and colour. */
export function StatusChip(props: { status: CheckStatus }) {
  const { status } = props;
  const Icon = ICONS[status];
  return (
    <Chip
      size="small"
      variant="outlined"
      icon={<Icon style={{ color: COLORS[status] }} />}
      label={STATUS_LABELS[status]}
      data-testid={`status-${status}`}
      style={{
        borderColor: COLORS[status],
        color: COLORS[status],
        fontWeight: 600,
      }}
    />
  );
}
