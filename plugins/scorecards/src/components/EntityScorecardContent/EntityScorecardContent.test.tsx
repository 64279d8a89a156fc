import { registerMswTestHooks } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { delay, http } from 'msw';
import { setupServer } from 'msw/node';
import {
  BASE_URL,
  CAROL,
  errorResponse,
  FakeEntityBackend,
  GUEST,
  SERVICE_B,
} from '../../__testUtils__/fakeScorecards';
import {
  renderScorecards,
  serviceEntity,
} from '../../__testUtils__/renderScorecards';
import { EntityScorecardContent } from './EntityScorecardContent';

const server = setupServer();
registerMswTestHooks(server);

const ALL = [
  'scorecards.result.read',
  'scorecards.entity.refresh',
  'scorecards.waiver.request',
  'scorecards.waiver.approve',
];

const user = userEvent.setup({ delay: null });

const render = (
  options: { allow?: string[]; user?: string; name?: string } = {},
) =>
  renderScorecards(<EntityScorecardContent />, {
    // usePermission caches decisions per resource across tests
    entity: serviceEntity(options.name),
    allow: options.allow ?? ALL,
    user: options.user,
  });

const checkRow = (id: string) => screen.getByTestId(`check-${id}`);

describe('EntityScorecardContent', () => {
  it('groups checks by category with status, reason, facts, how to fix and evidence links', async () => {
    server.use(...new FakeEntityBackend().handlers());
    await render();
    expect(await screen.findByTestId('scorecard-level')).toHaveTextContent(
      'Silver',
    );
    expect(screen.getByTestId('scorecard-score')).toHaveTextContent('82.5');
    expect(screen.getByTestId('scorecard-counts')).toHaveTextContent(
      '1 fail · 1 unknown · 3 pass',
    );
    // categories in their fixed order
    expect(
      screen.getAllByTestId(/^category-/).map(e => e.dataset.testid),
    ).toEqual([
      'category-security',
      'category-reliability',
      'category-observability',
      'category-ownership',
    ]);

    const sbom = checkRow('sbom-no-critical');
    expect(within(sbom).getByTestId('status-fail')).toHaveTextContent('Fail');
    expect(within(sbom).getByTestId('check-reason')).toHaveTextContent(
      'Why: SBOM lists 2 high vulnerabilities (allowed: 0)',
    );
    expect(
      within(sbom).getByText('evidence.sbom.vulnerabilities.high: 2'),
    ).toBeInTheDocument();
    expect(
      within(sbom).getByText(
        /Upgrade the affected dependencies and push a new SBOM/,
      ),
    ).toBeInTheDocument();
    expect(within(sbom).getByText('Read more')).toHaveAttribute(
      'href',
      'https://docs.example/sbom',
    );
    expect(
      within(sbom).getByRole('link', {
        name: `evidence record ${'a'.repeat(64)}`,
      }),
    ).toHaveAttribute(
      'href',
      `/catalog/default/component/service-b/evidence?record=${'a'.repeat(64)}`,
    );
    expect(within(sbom).getByText(/Controls: SOC2:CC7.1/)).toBeInTheDocument();

    const dashboard = checkRow('dashboard');
    expect(within(dashboard).getByTestId('status-unknown')).toBeInTheDocument();
    expect(
      within(dashboard).getByText(
        'entity.annotations.grafana/dashboard-selector: missing',
      ),
    ).toBeInTheDocument();

    // passing checks: no "how to fix", no waiver button
    const coverage = checkRow('coverage');
    expect(within(coverage).getByTestId('status-pass')).toBeInTheDocument();
    expect(within(coverage).queryByText(/How to fix/)).not.toBeInTheDocument();
    expect(
      within(coverage).queryByRole('button', { name: 'Request waiver' }),
    ).not.toBeInTheDocument();

    expect(await screen.findByTestId('entity-trend-summary')).toHaveTextContent(
      '2026-11-28: score 60, Bronze → 2026-11-30: score 82.5, Silver',
    );
  });

  it('refreshes on demand and shows the new result', async () => {
    const backend = new FakeEntityBackend();
    server.use(...backend.handlers());
    await render();
    await user.click(await screen.findByRole('button', { name: 'Refresh' }));
    await waitFor(() =>
      expect(screen.getByTestId('scorecard-score')).toHaveTextContent('85'),
    );
    expect(backend.requests.map(r => new URL(r.url).pathname)).toEqual([
      '/api/scorecards/v1/entities/component/default/service-b/refresh',
    ]);
  });

  it('hides refresh and waiver actions without the permissions', async () => {
    const backend = new FakeEntityBackend();
    backend.waivers.push({
      id: 'w1',
      entityRef: SERVICE_B,
      checkId: 'sbom-no-critical',
      reason: 'vendor patch due on 12 December',
      expiresAt: '2026-12-31T23:59:59.000Z',
      status: 'pending',
      requestedBy: CAROL,
      requestedAt: '2026-11-30T08:00:00.000Z',
    });
    server.use(...backend.handlers());
    await render({ allow: ['scorecards.result.read'], name: 'service-c' });
    expect(await screen.findByTestId('waiver-pending')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Refresh' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Request waiver' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Approve waiver' }),
    ).not.toBeInTheDocument();
  });

  it('requests a waiver with a reason and an expiry', async () => {
    const backend = new FakeEntityBackend();
    server.use(...backend.handlers());
    await render();
    const sbom = await screen.findByTestId('check-sbom-no-critical');
    await user.click(
      within(sbom).getByRole('button', { name: 'Request waiver' }),
    );
    const dialog = await screen.findByRole('dialog');
    const submit = within(dialog).getByRole('button', {
      name: 'Request waiver',
    });
    expect(submit).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Reason'), 'too short');
    expect(within(dialog).getByText('At least 10 characters')).toBeVisible();
    expect(submit).toBeDisabled();
    await user.type(
      within(dialog).getByLabelText('Reason'),
      ': vendor patch due on 12 December',
    );
    const expires = within(dialog).getByLabelText('Expires on');
    await user.clear(expires);
    await user.type(expires, '2099-01-15');
    await user.click(submit);

    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(backend.requests[0].body).toEqual({
      checkId: 'sbom-no-critical',
      reason: 'too short: vendor patch due on 12 December',
      expiresAt: '2099-01-15T23:59:59.000Z',
    });
    const pending = await within(sbom).findByTestId('waiver-pending');
    expect(pending).toHaveTextContent(
      'Waiver requested until 2099-01-15 23:59 UTC, waiting for approval',
    );
    expect(pending).toHaveTextContent(
      'You requested this waiver; someone else must approve it.',
    );
    // the requester cannot approve their own waiver
    expect(
      within(pending).queryByRole('button', { name: 'Approve waiver' }),
    ).not.toBeInTheDocument();
    expect(
      within(sbom).queryByRole('button', { name: 'Request waiver' }),
    ).not.toBeInTheDocument();
  });

  it('shows the server refusing a waiver request', async () => {
    const backend = new FakeEntityBackend();
    server.use(
      http.post(`${BASE_URL}/v1/entities/:kind/:namespace/:name/waivers`, () =>
        errorResponse(
          400,
          'InputError',
          'expiresAt: at most 30 days away in compliance mode',
        ),
      ),
      ...backend.handlers(),
    );
    await render();
    const sbom = await screen.findByTestId('check-sbom-no-critical');
    await user.click(
      within(sbom).getByRole('button', { name: 'Request waiver' }),
    );
    const dialog = await screen.findByRole('dialog');
    await user.type(
      within(dialog).getByLabelText('Reason'),
      'vendor patch due on 12 December',
    );
    await user.click(
      within(dialog).getByRole('button', { name: 'Request waiver' }),
    );
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'expiresAt: at most 30 days away in compliance mode',
    );
  });

  it('lets someone else approve a pending waiver and shows who approved it until when', async () => {
    const backend = new FakeEntityBackend();
    backend.waivers.push({
      id: 'w1',
      entityRef: SERVICE_B,
      checkId: 'sbom-no-critical',
      reason: 'vendor patch due on 12 December',
      expiresAt: '2026-12-31T23:59:59.000Z',
      status: 'pending',
      requestedBy: GUEST,
      requestedAt: '2026-11-30T08:00:00.000Z',
    });
    backend.caller = CAROL;
    server.use(...backend.handlers());
    await render({ user: CAROL });
    const sbom = await screen.findByTestId('check-sbom-no-critical');
    const pending = await within(sbom).findByTestId('waiver-pending');
    expect(pending).toHaveTextContent(
      'Requested by guest on 2026-11-30 08:00 UTC: “vendor patch due on 12 December”',
    );
    await user.click(
      within(pending).getByRole('button', { name: 'Approve waiver' }),
    );
    const approved = await within(
      await screen.findByTestId('check-sbom-no-critical'),
    ).findByTestId('waiver-approved');
    expect(approved).toHaveTextContent(
      'Waived until 2026-12-31 23:59 UTC, approved by carol on 2026-11-30 08:05 UTC',
    );
    // the approval recomputed the result
    await waitFor(() =>
      expect(screen.getByTestId('scorecard-level')).toHaveTextContent('Gold'),
    );
    expect(
      within(screen.getByTestId('check-sbom-no-critical')).getByTestId(
        'status-waived',
      ),
    ).toBeInTheDocument();
  });

  it('shows why an approval was refused', async () => {
    const backend = new FakeEntityBackend();
    backend.waivers.push({
      id: 'w1',
      entityRef: SERVICE_B,
      checkId: 'sbom-no-critical',
      reason: 'vendor patch due on 12 December',
      expiresAt: '2026-12-31T23:59:59.000Z',
      status: 'pending',
      requestedBy: GUEST,
      requestedAt: '2026-11-30T08:00:00.000Z',
    });
    // the server sees the requester, whatever the browser believes
    backend.caller = GUEST;
    server.use(...backend.handlers());
    await render({ user: CAROL });
    const pending = await screen.findByTestId('waiver-pending');
    await user.click(
      within(pending).getByRole('button', { name: 'Approve waiver' }),
    );
    expect(await within(pending).findByRole('alert')).toHaveTextContent(
      'the approver must not be the requester',
    );
  });

  it('shows progress while loading', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/entities/:kind/:namespace/:name`, async () => {
        await delay('infinite');
      }),
    );
    await render();
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('says when the user may not read the scorecard', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/entities/:kind/:namespace/:name`, () =>
        errorResponse(403, 'NotAllowedError', 'nope'),
      ),
    );
    await render();
    expect(
      await screen.findByText('No permission to view scorecards'),
    ).toBeInTheDocument();
  });

  it('says when there is no scorecard', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/entities/:kind/:namespace/:name`, () =>
        errorResponse(404, 'NotFoundError', 'no such entity in the catalog'),
      ),
    );
    await render();
    expect(
      await screen.findByText(
        'No scorecard for this entity: no such entity in the catalog',
      ),
    ).toBeInTheDocument();
  });

  it('names a server error', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/entities/:kind/:namespace/:name`, () =>
        errorResponse(500, 'Error', 'database is down'),
      ),
    );
    await render();
    expect(
      await screen.findByText(/Could not load the scorecard: database is down/),
    ).toBeInTheDocument();
  });

  it('says when no checks apply and when there is no history', async () => {
    const backend = new FakeEntityBackend();
    backend.result = { ...backend.result, checks: [], score: 0, level: 'none' };
    backend.historyPoints = [];
    server.use(...backend.handlers());
    await render();
    expect(
      await screen.findByText('No checks apply to this entity.'),
    ).toBeInTheDocument();
    expect(await screen.findByText(/No history yet/)).toBeInTheDocument();
  });
});
