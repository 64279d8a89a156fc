import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { deliveryApiRef } from '../../api/DeliveryApi';
import { formatDuration, formatRate, shortRef } from '../../lib/format';
import { KpiStrip } from '../promotion/KpiStrip';

/** Promotion success rate and lead time overall and per owning team. */
export function TeamKpis(props: { version: number }) {
  const api = useApi(deliveryApiRef);
  const kpis = useAsync(() => api.getPromotionKpis(), [api, props.version]);
  if (kpis.loading && !kpis.value) return <Progress />;
  if (kpis.error) return <ResponseErrorPanel error={kpis.error} />;
  const value = kpis.value!;
  return (
    <>
      <KpiStrip kpi={value.overall} testId="promotion-kpi-overall" />
      {value.teams.length ? (
        <Table
          size="small"
          aria-label="promotion KPIs per team"
          style={{ marginTop: 16 }}
        >
          <TableHead>
            <TableRow style={{ whiteSpace: 'nowrap' }}>
              <TableCell>Team</TableCell>
              <TableCell align="right">Promotions</TableCell>
              <TableCell align="right">Success rate</TableCell>
              <TableCell align="right">Lead time, median</TableCell>
              <TableCell align="right">Lead time, p90</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {value.teams.map(t => (
              <TableRow key={t.key} data-testid={`team-kpi-${t.key}`}>
                <TableCell>{shortRef(t.key)}</TableCell>
                <TableCell align="right">
                  {t.succeeded} / {t.promotions}
                </TableCell>
                <TableCell align="right">{formatRate(t.successRate)}</TableCell>
                <TableCell align="right">
                  {formatDuration(t.leadTimeSecondsMedian)}
                </TableCell>
                <TableCell align="right">
                  {formatDuration(t.leadTimeSecondsP90)}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : (
        <Typography variant="body2" color="textSecondary">
          No finished promotions per team yet.
        </Typography>
      )}
    </>
  );
}
