import { registerMswTestHooks } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  BASE_URL,
  controls,
  errorResponse,
  overviewHandlers,
} from '../../__testUtils__/fakeScorecards';
import { renderScorecards } from '../../__testUtils__/renderScorecards';
import { ScorecardsOverviewPage } from './ScorecardsOverviewPage';

const server = setupServer();
registerMswTestHooks(server);

const user = userEvent.setup({ delay: null });

const rowNames = () =>
  screen
    .getAllByTestId('overview-row')
    .map(
      r => within(r).getAllByRole('cell')[0].querySelector('a')!.textContent,
    );

const lastQuery = (seen: URLSearchParams[]) =>
  Object.fromEntries(seen[seen.length - 1]);

async function pick(label: string, option: string) {
  const bar = screen.queryByTestId('overview-filters') ?? document.body;
  await user.click(within(bar).getByRole('button', { name: label }));
  await user.click(await screen.findByRole('option', { name: option }));
}

let saved: Blob[] = [];
beforeEach(() => {
  saved = [];
  (URL as any).createObjectURL = (b: Blob) => {
    saved.push(b);
    return 'blob:test';
  };
  (URL as any).revokeObjectURL = () => {};
  jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
});
afterEach(() => jest.restoreAllMocks());

const render = (path = '/') =>
  renderScorecards(<ScorecardsOverviewPage />, { routeEntries: [path] });

describe('ScorecardsOverviewPage', () => {
  it('shows the first page, levels, levels per team and the trend', async () => {
    const { handlers, seen } = overviewHandlers();
    server.use(...handlers);
    await render();
    expect(await screen.findAllByTestId('overview-row')).toHaveLength(25);
    expect(lastQuery(seen)).toEqual({
      orderBy: 'entityRef',
      order: 'asc',
      offset: '0',
      limit: '25',
    });
    expect(rowNames().slice(0, 2)).toEqual(['svc-01', 'svc-02']);
    const levels = screen.getByTestId('overview-levels');
    expect(levels).toHaveTextContent('60 entities');
    expect(within(levels).getByLabelText('Gold: 15')).toBeInTheDocument();
    const first = screen.getAllByTestId('overview-row')[0];
    expect(first).toHaveTextContent('payments-team');
    expect(first).toHaveTextContent('Gold');
    expect(within(first).getByRole('link')).toHaveAttribute(
      'href',
      '/catalog/default/component/svc-01/compliance',
    );

    const teams = await screen.findByRole('table', { name: 'levels per team' });
    const payments = within(teams).getByRole('row', { name: /payments-team/ });
    // payments-team has the even rows: gold and bronze alternate
    expect(
      within(payments)
        .getAllByRole('cell')
        .map(c => c.textContent),
    ).toEqual(['payments-team', '0', '15', '0', '15', expect.any(String)]);
    expect(
      await screen.findByTestId('platform-trend-summary'),
    ).toHaveTextContent('Average score 44 on 2026-11-29 → 50 on 2026-11-30');
  });

  it('filters by team, level and kind on the server', async () => {
    const { handlers, seen } = overviewHandlers();
    server.use(...handlers);
    await render();
    await screen.findAllByTestId('overview-row');
    await pick('Team', 'payments-team');
    await waitFor(() =>
      expect(screen.getByTestId('overview-levels')).toHaveTextContent(
        '30 entities',
      ),
    );
    expect(lastQuery(seen)).toMatchObject({
      owner: 'group:default/payments-team',
      offset: '0',
    });
    screen
      .getAllByTestId('overview-row')
      .forEach(r => expect(r).toHaveTextContent('payments-team'));

    await pick('Level', 'Gold');
    await waitFor(() =>
      expect(screen.getByTestId('overview-levels')).toHaveTextContent(
        '15 entities',
      ),
    );
    expect(lastQuery(seen)).toMatchObject({
      owner: 'group:default/payments-team',
      level: 'gold',
    });

    await pick('Kind', 'api');
    await waitFor(() =>
      expect(
        screen.getByText('No entities match these filters.'),
      ).toBeVisible(),
    );
    expect(lastQuery(seen)).toMatchObject({ kind: 'api', level: 'gold' });
  });

  it('searches after typing stops', async () => {
    const { handlers, seen } = overviewHandlers();
    server.use(...handlers);
    await render();
    await screen.findAllByTestId('overview-row');
    await user.type(screen.getByLabelText('Search entities'), 'svc-0');
    await waitFor(() =>
      expect(screen.getAllByTestId('overview-row')).toHaveLength(9),
    );
    expect(lastQuery(seen)).toMatchObject({ q: 'svc-0' });
    // one request for the whole word, not one per key
    expect(seen.filter(p => p.get('q')).length).toBe(1);
  });

  it('sorts by a column and flips the order', async () => {
    const { handlers, seen } = overviewHandlers();
    server.use(...handlers);
    await render();
    await screen.findAllByTestId('overview-row');
    await user.click(screen.getByRole('button', { name: 'Score' }));
    await waitFor(() =>
      expect(lastQuery(seen)).toMatchObject({ orderBy: 'score', order: 'asc' }),
    );
    await waitFor(() => expect(rowNames()[0]).toBe('svc-01'));
    await user.click(screen.getByRole('button', { name: 'Score' }));
    await waitFor(() =>
      expect(lastQuery(seen)).toMatchObject({
        orderBy: 'score',
        order: 'desc',
      }),
    );
    // (i * 7) % 101 is largest (99) for i = 43
    await waitFor(() => expect(rowNames()[0]).toBe('svc-44'));
  });

  it('pages on the server', async () => {
    const { handlers, seen } = overviewHandlers();
    server.use(...handlers);
    await render();
    await screen.findAllByTestId('overview-row');
    expect(screen.getByText('1-25 of 60')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(rowNames()[0]).toBe('svc-26'));
    expect(lastQuery(seen)).toMatchObject({ offset: '25', limit: '25' });
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() =>
      expect(screen.getAllByTestId('overview-row')).toHaveLength(10),
    );
    expect(screen.getByText('51-60 of 60')).toBeInTheDocument();
    // a new filter starts again on the first page
    await pick('Team', 'platform-team');
    await waitFor(() =>
      expect(lastQuery(seen)).toMatchObject({
        owner: 'group:default/platform-team',
        offset: '0',
      }),
    );
  });

  it('exports the filtered overview as CSV', async () => {
    const { handlers, exports } = overviewHandlers();
    server.use(...handlers);
    await render('/?owner=group%3Adefault%2Fpayments-team');
    await screen.findAllByTestId('overview-row');
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(Object.fromEntries(exports[0])).toMatchObject({
      owner: 'group:default/payments-team',
    });
    const csv = await saved[0].text();
    expect(csv.split('\n')).toHaveLength(31);
  });

  it('says when nothing has been computed yet', async () => {
    server.use(...overviewHandlers([]).handlers);
    await render();
    expect(
      await screen.findByText('No scorecards computed yet'),
    ).toBeInTheDocument();
  });

  it('shows progress while loading', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/overview`, async () => {
        await delay('infinite');
      }),
    );
    await render();
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('says when the user may not read scorecards', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/overview`, () =>
        errorResponse(403, 'NotAllowedError', 'nope'),
      ),
      ...overviewHandlers().handlers,
    );
    await render();
    expect(
      await screen.findByText('No permission to view scorecards'),
    ).toBeInTheDocument();
  });

  it('names a server error', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/overview`, () =>
        errorResponse(500, 'Error', 'database is down'),
      ),
      ...overviewHandlers().handlers,
    );
    await render();
    expect(
      await screen.findByText(/Could not load the overview: database is down/),
    ).toBeInTheDocument();
  });

  describe('controls', () => {
    it('lists evidenced and not evidenced entities per control and exports them', async () => {
      const requests: URLSearchParams[] = [];
      server.use(
        ...overviewHandlers().handlers,
        http.get(`${BASE_URL}/v1/controls`, ({ request }) => {
          const p = new URL(request.url).searchParams;
          requests.push(p);
          const fw = p.get('framework');
          return HttpResponse.json({
            items: controls().filter(c => !fw || c.framework === fw),
          });
        }),
        http.get(`${BASE_URL}/v1/controls/export`, ({ request }) => {
          const p = new URL(request.url).searchParams;
          return HttpResponse.text(
            `${p.get('format')}:${p.get('framework') ?? 'all'}`,
          );
        }),
      );
      await render('/controls');
      const cc81 = await screen.findByRole('button', {
        name: 'control SOC2:CC8.1',
      });
      expect(cc81).toHaveTextContent('1 evidenced');
      expect(cc81).toHaveTextContent('1 not evidenced');
      await user.click(cc81);
      const evidenced = await screen.findByRole('table', { name: 'Evidenced' });
      expect(evidenced).toHaveTextContent('component:default/service-a');
      expect(evidenced).toHaveTextContent('bbbbbbbbbbbb');
      const missing = screen.getByRole('table', { name: 'Not evidenced' });
      expect(missing).toHaveTextContent('component:default/service-b');
      expect(within(missing).getByTestId('status-fail')).toBeInTheDocument();

      await pick('Framework', 'GDPR');
      await waitFor(() =>
        expect(
          screen.queryByRole('button', { name: 'control SOC2:CC8.1' }),
        ).not.toBeInTheDocument(),
      );
      expect(requests[requests.length - 1].get('framework')).toBe('GDPR');

      await user.click(screen.getByRole('button', { name: 'Export JSON' }));
      await waitFor(() => expect(saved).toHaveLength(1));
      expect(await saved[0].text()).toBe('json:GDPR');
    });

    it('explains an empty controls view', async () => {
      server.use(
        ...overviewHandlers().handlers,
        http.get(`${BASE_URL}/v1/controls`, () =>
          HttpResponse.json({ items: [] }),
        ),
      );
      await render('/controls');
      expect(await screen.findByText('No controls')).toBeInTheDocument();
    });

    it('says when the user may not read controls', async () => {
      server.use(
        http.get(`${BASE_URL}/v1/controls`, () =>
          errorResponse(403, 'NotAllowedError', 'nope'),
        ),
      );
      await render('/controls');
      expect(
        await screen.findByText('No permission to view scorecards'),
      ).toBeInTheDocument();
    });
  });
});
