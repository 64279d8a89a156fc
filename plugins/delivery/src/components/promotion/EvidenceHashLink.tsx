import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import Tooltip from '@material-ui/core/Tooltip';
import { shortHash } from '../../lib/format';

/**
 * A link to one evidence record in the entity's Evidence tab
 * (`…/evidence?record=<hash>`), where the record, its hash chain and its
 * inclusion proof can be checked.
 */
export function EvidenceHashLink(props: {
  entityRef: string;
  hash: string;
  /** what the record is, e.g. "release", "sbom", "promotion" */
  label?: string;
}) {
  const entityLink = useRouteRef(entityRouteRef);
  const { entityRef, hash, label } = props;
  const to = `${entityLink(
    entityRouteParams(entityRef),
  )}/evidence?record=${encodeURIComponent(hash)}`;
  return (
    <Tooltip title={`${label ?? 'evidence'} record ${hash}`}>
      <Link
        to={to}
        data-testid="promotion-evidence-link"
        data-hash={hash}
        style={{ whiteSpace: 'nowrap' }}
      >
        {label ? `${label} ` : ''}
        {shortHash(hash)}
      </Link>
    </Tooltip>
  );
}
