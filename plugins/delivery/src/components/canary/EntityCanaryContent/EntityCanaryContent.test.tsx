import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { SWRConfig } from 'swr';
import { deliveryApiRef } from '../../../api/DeliveryApi';
import { DeliveryClient } from '../../../api/DeliveryClient';
import { CanaryRunDetail } from '../../../api/types';
import {
  BASE_URL,
  CONFIG_URL,
  deliveryHandlers,
  errorBody,
  rolledBackRun,
  RUNS_URL,
  runningRun,
} from '../../../__testUtils__/fakeDelivery';
import { CanaryView } from '../CanaryView';
import { EntityCanaryContent } from './EntityCanaryContent';

const server = setupServer();
registerMswTestHooks(server);

// A slow, shared machine: rendering MUI + recharts takes seconds in jsdom.
jest.setTimeout(30_000);

const entity = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'service-a', annotations },
  spec: { type: 'service' },
});

const withSteps = entity({ 'assay.dev/canary-steps': '10,50,100' });

function render(
  options: {
    entity?: Entity;
    authorize?: (name: string) => AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    pollMs?: number;
  } = {},
) {
  const authorize = options.authorize ?? (() => AuthorizeResult.ALLOW);
  const permissionRequests: Array<{ name: string; resourceRef?: string }> = [];
  // usePermission caches answers in SWR's global cache: one cache per test.
  const ui = (
    <SWRConfig value={{ provider: () => new Map() }}>
      <TestApiProvider
        apis={[
          [
            deliveryApiRef,
            new DeliveryClient({
              discoveryApi: { getBaseUrl: async () => BASE_URL },
              fetchApi: { fetch: (...args) => fetch(...args) },
            }),
          ],
          [
            permissionApiRef,
            mockApis.permission({
              authorize: req => {
                permissionRequests.push({
                  name: req.permission.name,
                  resourceRef: (req as { resourceRef?: string }).resourceRef,
                });
                return authorize(req.permission.name);
              },
            }),
          ],
        ]}
      >
        <EntityProvider entity={options.entity ?? withSteps}>
          {options.pollMs ? (
            <CanaryView
              entityRef="component:default/service-a"
              pollMs={options.pollMs}
            />
          ) : (
            <EntityCanaryContent />
          )}
        </EntityProvider>
      </TestApiProvider>
    </SWRConfig>
  );
  return {
    permissionRequests,
    rendered: renderInTestApp(ui, {
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    }),
  };
}

describe('EntityCanaryContent', () => {
  it('asks for the annotation when the entity takes no part in canaries', async () => {
    await render({ entity: entity({}) }).rendered;
    expect(await screen.findByText('Missing Annotation')).toBeInTheDocument();
    expect(
      screen.getAllByText(/assay\.dev\/canary-steps/).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByTestId('canary-start')).not.toBeInTheDocument();
  });

  it('shows progress while loading', async () => {
    server.use(
      http.get(CONFIG_URL, async () => {
        await delay('infinite');
        return HttpResponse.json({});
      }),
      http.get(RUNS_URL, async () => {
        await delay('infinite');
        return HttpResponse.json({ items: [] });
      }),
    );
    await render().rendered;
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });

  it('invites an owner to start the first canary', async () => {
    server.use(...deliveryHandlers({ runs: [] }));
    const { rendered, permissionRequests } = render();
    await rendered;
    expect(
      await screen.findByText('No canary yet — start one'),
    ).toBeInTheDocument();
    expect(await screen.findByTestId('canary-start')).toBeEnabled();
    expect(permissionRequests).toContainEqual({
      name: 'delivery.canary.start',
      resourceRef: 'component:default/service-a',
    });
  });

  it('shows the backend error', async () => {
    server.use(
      http.get(CONFIG_URL, () =>
        errorBody(500, 'Error', 'database is on fire'),
      ),
      http.get(RUNS_URL, () => HttpResponse.json({ items: [] })),
    );
    await render().rendered;
    expect(
      await screen.findByText('database is on fire', { selector: 'p' }),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('canary-start')).not.toBeInTheDocument();
  });

  it('says so when the user may not read the canary runs', async () => {
    server.use(
      http.get(CONFIG_URL, () =>
        errorBody(403, 'NotAllowedError', 'not allowed'),
      ),
      http.get(RUNS_URL, () =>
        errorBody(403, 'NotAllowedError', 'not allowed'),
      ),
    );
    await render().rendered;
    expect(
      await screen.findByText("You may not see this entity's canary runs"),
    ).toBeInTheDocument();
  });

  it('explains a rollback: metric, measured values, the rule, and links each decision to its evidence', async () => {
    server.use(...deliveryHandlers({ runs: [rolledBackRun()] }));
    await render().rendered;

    const why = await screen.findByTestId('canary-why');
    expect(why).toHaveTextContent(
      'Rolled back: all traffic is back on the stable version',
    );
    expect(why).toHaveTextContent(
      'At step 2 (50% canary), metric p95_latency_ms was classified High.',
    );
    expect(screen.getByTestId('canary-why-values')).toHaveTextContent(
      'Canary: n 30, mean 242.1 ms, p50 241 ms, max 251 ms. Baseline: n 30, mean 181 ms, p50 181 ms, max 186 ms. Estimated difference 61.8 ms, [55.1, 68.3].',
    );
    expect(screen.getByTestId('canary-why-rule')).toHaveTextContent(
      'Rule: p95 latency may be at most 1.10 × the baseline p95 (199.1 ms); the canary measured 242.1 ms',
    );

    // the stepper marks the step that failed
    expect(screen.getByTestId('canary-step-0')).toHaveAttribute(
      'data-state',
      'passed',
    );
    expect(screen.getByTestId('canary-step-1')).toHaveAttribute(
      'data-state',
      'failed',
    );
    expect(screen.getByTestId('canary-step-1')).toHaveTextContent(
      'failed here · 3 analyses',
    );
    expect(screen.getByTestId('canary-step-2')).toHaveAttribute(
      'data-state',
      'skipped',
    );

    // the latest verdict per metric, with numbers and the rule in words
    const p95 = screen.getByTestId('canary-verdict-p95_latency_ms');
    expect(p95).toHaveTextContent('High');
    expect(p95).toHaveTextContent('61.8 [55.1, 68.3]');
    expect(p95).toHaveTextContent('canary 242.1 ms (n 30)');
    expect(p95).toHaveTextContent('baseline 181 ms (n 30)');
    expect(p95).toHaveTextContent(
      'High: canary p95 latency 242 ms vs baseline 181 ms; the rule is "p95 ≤ 1.10 × baseline p95"',
    );
    expect(screen.getByTestId('canary-verdict-cpu_seconds')).toHaveTextContent(
      'observe only (never decides)',
    );
    // threshold metrics (Argo style) with value, baseline and limit
    const errors = screen.getByTestId('canary-verdict-error_rate');
    expect(errors).toHaveTextContent('Successful');
    expect(errors).toHaveTextContent('canary 0.21 %');
    expect(errors).toHaveTextContent('limit 0.5 %');
    expect(errors).toHaveTextContent('Successful: error rate 0.21% ≤ 0.5%');
    expect(screen.getByTestId('canary-verdicts')).toHaveTextContent(
      'Fail: score 0 < marginal 75 (p95_latency_ms High)',
    );

    // charts per metric
    expect(screen.getByTestId('canary-chart-p95_latency_ms')).toHaveTextContent(
      'Latest analysis: canary mean 241.7 ms vs baseline mean 181 ms',
    );

    // traffic is back on stable
    expect(
      within(screen.getByTestId('canary-split-requested')).getByRole('img'),
    ).toHaveAttribute('aria-label', 'Requested: canary 0%, stable 100%');

    // each decision links to its canary evidence record in the Evidence tab
    const links = screen.getAllByTestId('canary-evidence-link');
    expect(links.map(l => l.getAttribute('href'))).toEqual([
      `/catalog/default/component/service-a/evidence?record=${'b7'.repeat(32)}`,
      `/catalog/default/component/service-a/evidence?record=${'a0'.repeat(32)}`,
    ]);

    // a finished run offers no actions
    expect(screen.queryByTestId('canary-actions')).not.toBeInTheDocument();
  });

  it('shows pause, abort and promote of an active run to users with the permission, on the entity', async () => {
    server.use(...deliveryHandlers({ runs: [runningRun()] }));
    const { rendered, permissionRequests } = render();
    await rendered;
    expect(await screen.findByTestId('canary-action-pause')).toBeVisible();
    expect(screen.getByTestId('canary-action-abort')).toBeVisible();
    expect(screen.getByTestId('canary-action-promote')).toBeVisible();
    expect(
      screen.queryByTestId('canary-action-resume'),
    ).not.toBeInTheDocument();
    // one run at a time: starting another waits for this one
    expect(screen.getByTestId('canary-start')).toBeDisabled();
    for (const name of [
      'delivery.canary.pause',
      'delivery.canary.abort',
      'delivery.canary.promote',
    ]) {
      expect(permissionRequests).toContainEqual({
        name,
        resourceRef: 'component:default/service-a',
      });
    }
    expect(
      within(screen.getByTestId('canary-split-observed')).getByRole('img'),
    ).toHaveAttribute('aria-label', 'Observed: canary 9.7%, stable 90.3%');
  });

  it('hides every action from users without the permission', async () => {
    server.use(...deliveryHandlers({ runs: [runningRun()] }));
    await render({
      authorize: name =>
        name === 'delivery.canary.read'
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
    }).rendered;
    expect(await screen.findByTestId('canary-status')).toHaveTextContent(
      'Running',
    );
    await waitFor(() =>
      expect(screen.queryByTestId('canary-start')).not.toBeInTheDocument(),
    );
    for (const a of ['pause', 'resume', 'abort', 'promote']) {
      expect(
        screen.queryByTestId(`canary-action-${a}`),
      ).not.toBeInTheDocument();
    }
  });

  it('hides the start button in the empty state from users without the permission', async () => {
    server.use(...deliveryHandlers({ runs: [] }));
    await render({ authorize: () => AuthorizeResult.DENY }).rendered;
    expect(
      await screen.findByText('No canary yet — start one'),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('canary-start')).not.toBeInTheDocument();
  });

  it('pauses a run after confirmation and sends the reason', async () => {
    const runs = [runningRun()];
    let body: unknown;
    server.use(
      http.post(`${RUNS_URL}/run-live/pause`, async ({ request }) => {
        body = await request.json();
        runs[0].status = 'paused';
        runs[0].reason = 'paused by guest';
        return HttpResponse.json(runs[0]);
      }),
      ...deliveryHandlers({ runs }),
    );
    await render().rendered;
    await userEvent.click(await screen.findByTestId('canary-action-pause'));
    await userEvent.type(
      screen.getByLabelText('Reason (recorded as evidence)'),
      'checking a dashboard',
    );
    await userEvent.click(screen.getByTestId('canary-action-confirm'));
    expect(await screen.findByTestId('canary-action-resume')).toBeVisible();
    expect(body).toEqual({ reason: 'checking a dashboard' });
    expect(screen.getByTestId('canary-status')).toHaveTextContent('Paused');
  });

  it('refreshes by itself while the run is active', async () => {
    const runs: CanaryRunDetail[] = [runningRun()];
    server.use(...deliveryHandlers({ runs }));
    await render({ pollMs: 50 }).rendered;
    expect(await screen.findByTestId('canary-status')).toHaveTextContent(
      'Running',
    );
    runs[0] = {
      ...runs[0],
      steps: runs[0].steps.map(s => ({ ...s, status: 'passed' })),
      status: 'succeeded',
      currentStep: 2,
      requestedWeight: 100,
      observedWeight: 100,
      reason: 'all steps passed',
    };
    await waitFor(() =>
      expect(screen.getByTestId('canary-status')).toHaveTextContent(
        'Succeeded',
      ),
    );
    expect(screen.getByTestId('canary-why')).toHaveTextContent(
      'Succeeded: 1.5.0 serves 100% of traffic',
    );
    expect(screen.getByTestId('canary-step-2')).toHaveAttribute(
      'data-state',
      'passed',
    );
    // the split measured at 10% is shown as such, not as the split at 100%
    expect(
      within(screen.getByTestId('canary-split-requested')).getByRole('img'),
    ).toHaveAttribute('aria-label', 'Requested: canary 100%, stable 0%');
    expect(screen.getByTestId('canary-split-observed-note')).toHaveTextContent(
      'observed at the last analysis, while 10% was requested',
    );
  });
});

describe('Start canary dialog', () => {
  it('shows the backend 400s on the fields they name, and nothing starts', async () => {
    const runs: CanaryRunDetail[] = [];
    const bodies: unknown[] = [];
    server.use(
      ...deliveryHandlers({
        runs,
        onStart: body => {
          bodies.push(body);
          return errorBody(
            400,
            'InputError',
            'request/body/version must NOT have fewer than 1 characters, request/body/steps/1 must be <= 100',
          );
        },
      }),
    );
    await render().rendered;
    await userEvent.click(await screen.findByTestId('canary-start'));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(
      within(dialog).getByLabelText('Steps (% canary traffic)'),
      '10,150',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Start' }),
    );

    expect(
      await within(dialog).findByText(
        'version must NOT have fewer than 1 characters',
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText('steps/1 must be <= 100'),
    ).toBeInTheDocument();
    expect(
      within(dialog)
        .getByLabelText(/^Version/)
        .getAttribute('aria-invalid'),
    ).toBe('true');
    expect(
      within(dialog)
        .getByLabelText('Steps (% canary traffic)')
        .getAttribute('aria-invalid'),
    ).toBe('true');
    expect(
      within(dialog)
        .getByLabelText('Baseline version')
        .getAttribute('aria-invalid'),
    ).toBe('false');
    expect(bodies).toEqual([
      { version: '', steps: [10, 150], simulation: 'healthy' },
    ]);
    expect(runs).toHaveLength(0);
  });

  it('shows a message naming no field above the form (409: a run is active)', async () => {
    server.use(
      ...deliveryHandlers({
        runs: [],
        onStart: () =>
          errorBody(
            409,
            'ConflictError',
            'a canary run is already active for component:default/service-a',
          ),
      }),
    );
    await render().rendered;
    await userEvent.click(await screen.findByTestId('canary-start'));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText(/^Version/), '2.0.0');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Start' }),
    );
    expect(
      await within(dialog).findByTestId('start-canary-error'),
    ).toHaveTextContent('a canary run is already active');
  });

  it('rejects steps that are not numbers before asking the backend', async () => {
    const bodies: unknown[] = [];
    server.use(
      ...deliveryHandlers({
        runs: [],
        onStart: body => {
          bodies.push(body);
          return undefined;
        },
      }),
    );
    await render().rendered;
    await userEvent.click(await screen.findByTestId('canary-start'));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText(/^Version/), '2.0.0');
    await userEvent.type(
      within(dialog).getByLabelText('Steps (% canary traffic)'),
      '10,half,100',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Start' }),
    );
    expect(
      await within(dialog).findByText(/steps: "half" is not a number/),
    ).toBeInTheDocument();
    expect(bodies).toEqual([]);
  });

  it('starts a degrading simulated canary and shows it', async () => {
    const runs: CanaryRunDetail[] = [];
    const bodies: unknown[] = [];
    server.use(
      ...deliveryHandlers({
        runs,
        onStart: body => {
          bodies.push(body);
          return {
            ...runningRun(),
            version: body.version,
            simulation: 'degrading',
          };
        },
      }),
    );
    await render().rendered;
    await userEvent.click(await screen.findByTestId('canary-start'));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText(/^Version/), '2.0.0');
    await userEvent.click(within(dialog).getByLabelText('Degrading'));
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Start' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(await screen.findByTestId('canary-status')).toHaveTextContent(
      'Running',
    );
    expect(screen.getByRole('heading', { name: '2.0.0' })).toBeInTheDocument();
    expect(bodies).toEqual([{ version: '2.0.0', simulation: 'degrading' }]);
  });
});
