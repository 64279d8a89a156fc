import { useApi } from '@backstage/core-plugin-api';
import { useCallback, useEffect, useRef, useState } from 'react';
import { evidenceApiRef } from '../api/EvidenceApi';
import { DisplayRecord, withCanonicalEnvelope } from '../lib/records';

export interface RecordFilters {
  categories: string[];
  /** yyyy-mm-dd, local day, inclusive */
  from?: string;
  /** yyyy-mm-dd, local day, inclusive */
  to?: string;
  subject?: string;
}

export const PAGE_SIZE = 100;

interface State {
  /** true once any page (or error) came back for the current entity */
  settled?: boolean;
  items: DisplayRecord[];
  totalCount?: number;
  nextCursor?: string;
  loading: boolean;
  error?: Error;
}

const startOfDay = (d: string) => new Date(`${d}T00:00:00`).toISOString();
const endOfDay = (d: string) => new Date(`${d}T23:59:59.999`).toISOString();

/**
 * Newest-first records matching the filters, a page at a time. Changing the
 * filters starts over; responses for stale filters are dropped.
 */
export function useEvidenceRecords(entityRef: string, filters: RecordFilters) {
  const api = useApi(evidenceApiRef);
  const [state, setState] = useState<State>({ items: [], loading: true });
  const generation = useRef(0);
  const inFlight = useRef(false);
  const key = JSON.stringify(filters);

  const fetchPage = useCallback(
    async (cursor: string | undefined, gen: number) => {
      const f: RecordFilters = JSON.parse(key);
      inFlight.current = true;
      setState(s => ({ ...s, loading: true, error: undefined }));
      try {
        const page = await api.listRecords(entityRef, {
          categories: f.categories,
          since: f.from ? startOfDay(f.from) : undefined,
          until: f.to ? endOfDay(f.to) : undefined,
          subject: f.subject?.trim() || undefined,
          cursor,
          limit: PAGE_SIZE,
          order: 'desc',
        });
        if (gen !== generation.current) return;
        const items = page.items.map(withCanonicalEnvelope);
        setState(s => ({
          items: cursor ? [...s.items, ...items] : items,
          totalCount: page.totalCount,
          nextCursor: page.nextCursor,
          loading: false,
          settled: true,
        }));
      } catch (error) {
        if (gen !== generation.current) return;
        setState(s => ({
          ...s,
          // a failed first page must not leave the previous filter's rows on screen
          items: cursor ? s.items : [],
          loading: false,
          settled: true,
          error: error as Error,
        }));
      } finally {
        if (gen === generation.current) inFlight.current = false;
      }
    },
    [api, entityRef, key],
  );

  useEffect(() => {
    const gen = ++generation.current;
    // keep showing the previous results until the new ones arrive
    setState(s => ({
      ...s,
      loading: true,
      nextCursor: undefined,
      error: undefined,
    }));
    fetchPage(undefined, gen);
  }, [fetchPage]);

  const loadMore = useCallback(() => {
    if (inFlight.current || !state.nextCursor) return;
    fetchPage(state.nextCursor, generation.current);
  }, [fetchPage, state.nextCursor]);

  const retry = useCallback(() => {
    const gen = ++generation.current;
    setState({ items: [], loading: true });
    fetchPage(undefined, gen);
  }, [fetchPage]);

  return {
    ...state,
    hasMore: Boolean(state.nextCursor),
    loadMore,
    retry,
  };
}
