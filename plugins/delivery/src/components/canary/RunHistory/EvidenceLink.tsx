import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import Tooltip from '@material-ui/core/Tooltip';
import { shortHash } from '../../../lib/format';

/**
 * A link to a `canary` evidence record in the entity's Evidence tab
 * (`…/evidence?record=<hash>`), where the record, its hash chain and its
 * inclusion proof can be checked.
 */
export function EvidenceLink(props: { entityRef: string; hash: string }) {
  const entityLink = useRouteRef(entityRouteRef);
  const { entityRef, hash } = props;
  const to = `${entityLink(
    entityRouteParams(entityRef),
  )}/evidence?record=${encodeURIComponent(hash)}`;
  return (
    <Tooltip title={`canary evidence record ${hash}`}>
      <Link to={to} data-testid="canary-evidence-link">
        evidence {shortHash(hash)}
      </Link>
    </Tooltip>
  );
}
