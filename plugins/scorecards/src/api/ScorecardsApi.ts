import { createApiRef } from '@backstage/core-plugin-api';
import {
  CheckDefinition,
  Control,
  EntityResult,
  HistoryPoint,
  Overview,
  OverviewFilters,
  OverviewQuery,
  Rollup,
  RollupDimension,
  TrendPoint,
  Waiver,
  WaiverRequest,
  WaiverStatus,
} from './types';

/**
 * Client of the scorecards backend (`/api/scorecards`).
 *
 * @public
 */
export interface ScorecardsApi {
  listChecks(): Promise<CheckDefinition[]>;
  getEntityResult(entityRef: string): Promise<EntityResult>;
  getEntityHistory(
    entityRef: string,
    options?: { days?: number },
  ): Promise<HistoryPoint[]>;
  refreshEntity(entityRef: string): Promise<EntityResult>;
  listEntityWaivers(entityRef: string): Promise<Waiver[]>;
  requestWaiver(entityRef: string, request: WaiverRequest): Promise<Waiver>;
  listWaivers(options?: {
    status?: WaiverStatus;
    entityRef?: string;
  }): Promise<Waiver[]>;
  approveWaiver(id: string, options?: { comment?: string }): Promise<Waiver>;
  rejectWaiver(id: string, options?: { comment?: string }): Promise<Waiver>;
  getOverview(query?: OverviewQuery): Promise<Overview>;
  /** The filtered overview, all pages, as CSV text. */
  exportOverview(filters?: OverviewFilters): Promise<string>;
  getRollups(dimension: RollupDimension): Promise<Rollup[]>;
  getTrends(options?: { days?: number; owner?: string }): Promise<TrendPoint[]>;
  getControls(options?: { framework?: string }): Promise<Control[]>;
  /** The controls view as an audit request list (CSV or JSON text). */
  exportControls(options: {
    framework?: string;
    format: 'csv' | 'json';
  }): Promise<string>;
}

/**
 * The scorecards API.
 *
 * @public
 */
export const scorecardsApiRef = createApiRef<ScorecardsApi>({
  id: 'plugin.scorecards.service',
});
