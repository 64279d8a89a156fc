import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Progress } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Box, Typography } from '@material-ui/core';
import { isEvidenceAvailable } from '../../lib/entity';
import { formatCount } from '../../lib/format';
import { useEvidenceSummary } from '../../hooks/useEvidenceSummary';
import { EvidenceErrorPanel } from '../EvidenceErrorPanel';
import { LatestByCategory } from '../LatestByCategory';
import { RetentionBadges } from '../RetentionBadges';

function CardBody(props: { entityRef: string }) {
  const { value, loading, error } = useEvidenceSummary(props.entityRef);
  if (loading) return <Progress />;
  if (error) return <EvidenceErrorPanel error={error} dense />;
  const s = value!;
  return (
    <>
      <Box mb={1}>
        <Typography variant="body2" color="textSecondary">
          {formatCount(s.recordCount)} record{s.recordCount === 1 ? '' : 's'}
          {s.complianceMode ? ` · ${s.complianceMode} mode` : ''}
          {s.head ? ` · head #${s.head.seq}` : ''}
        </Typography>
      </Box>
      {s.missing.length > 0 && (
        <Box mb={1}>
          <Typography variant="body2" color="error" role="alert">
            Missing:{' '}
            {s.missing
              .map(
                m =>
                  `${m.category}${
                    m.reason === 'never' ? '' : ` (${m.reason})`
                  }`,
              )
              .join(', ')}
          </Typography>
        </Box>
      )}
      <Box mb={1}>
        <RetentionBadges summary={s} />
      </Box>
      <LatestByCategory categories={s.categories} />
    </>
  );
}

/**
 * Compact evidence summary for an entity's overview: latest facts per
 * category, gaps, retention and legal hold. Verification happens on the tab.
 *
 * @public
 */
export function EntityEvidenceCard(props: {
  /** link to the Evidence tab, relative to the entity page (default `evidence`) */
  tabPath?: string;
}) {
  const { entity } = useEntity();
  const available = isEvidenceAvailable(entity);
  const entityRef = stringifyEntityRef(entity);
  return (
    <InfoCard
      title="Evidence"
      deepLink={
        available
          ? {
              title: 'Open evidence and verify',
              link: props.tabPath ?? 'evidence',
            }
          : undefined
      }
    >
      {available ? (
        <CardBody entityRef={entityRef} />
      ) : (
        <Typography variant="body2" color="textSecondary">
          Evidence is not enabled for this entity (annotation{' '}
          <code>assay.dev/evidence-enabled: "true"</code>).
        </Typography>
      )}
    </InfoCard>
  );
}
