import { Entity } from '@backstage/catalog-model';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { deliveryApiRef } from '../../api/DeliveryApi';
import { DeliveryClient } from '../../api/DeliveryClient';
import {
  BASE_URL,
  errorBody,
  kpis,
  plan,
  planPreview,
  SERVICE_A,
  SERVICE_B,
} from '../../__testUtils__/fakePromotion';
import { PromotionsPage } from './PromotionsPage';

const server = setupServer();
registerMswTestHooks(server);

jest.setTimeout(60_000);

const PLANS = `${BASE_URL}/v1/promotion/plans`;

const component = (
  name: string,
  annotations: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', owner: 'payments-team' },
});

const entities = [
  component('service-a', { 'assay.dev/evidence-enabled': 'true' }),
  component('service-b', { 'assay.dev/evidence-enabled': 'true' }),
  component('website', {}),
];

function render() {
  return renderInTestApp(
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
          catalogApiRef,
          {
            getEntities: async (request: { filter?: { kind?: string } }) => {
              expect(request.filter).toEqual({ kind: 'component' });
              return { items: entities };
            },
          } as any,
        ],
      ]}
    >
      <PromotionsPage pollMs={200} />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

function baseHandlers(listed = [plan({ status: 'succeeded' })]) {
  return [
    http.get(PLANS, () =>
      HttpResponse.json({ items: listed, nextCursor: null }),
    ),
    http.get(`${BASE_URL}/v1/promotion/kpis`, () => HttpResponse.json(kpis)),
  ];
}

async function choose(names: string[], environment = 'dev') {
  const input = await screen.findByLabelText('Services');
  for (const name of names) {
    await userEvent.click(input);
    await userEvent.click(await screen.findByRole('option', { name }));
  }
  expect(
    screen.queryByRole('option', { name: 'website' }),
  ).not.toBeInTheDocument();
  await userEvent.click(screen.getByLabelText('Target environment'));
  await userEvent.click(
    await screen.findByRole('option', { name: environment }),
  );
}

describe('PromotionsPage', () => {
  it('previews the waves (dependencies first, edges drawn) with each service’s gates', async () => {
    const bodies: unknown[] = [];
    server.use(
      ...baseHandlers(),
      http.post(`${PLANS}/preview`, async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(planPreview);
      }),
    );
    await render();
    await choose(['service-b', 'service-a'], 'staging');
    await userEvent.click(screen.getByTestId('plan-preview'));

    const graph = await screen.findByTestId('wave-graph');
    expect(bodies).toEqual([
      { entityRefs: [SERVICE_B, SERVICE_A], environment: 'staging' },
    ]);
    expect(within(graph).getByText('Wave 1')).toBeInTheDocument();
    expect(within(graph).getByText('Wave 2')).toBeInTheDocument();
    expect(screen.getByTestId(`wave-node-${SERVICE_A}`)).toHaveAttribute(
      'data-wave',
      '0',
    );
    expect(screen.getByTestId(`wave-node-${SERVICE_B}`)).toHaveAttribute(
      'data-wave',
      '1',
    );
    // service-b depends on service-a: one arrow from a to b
    const edges = within(graph).getAllByTestId('wave-edge');
    expect(edges).toHaveLength(1);
    expect(edges[0]).toHaveAttribute('data-from', SERVICE_A);
    expect(edges[0]).toHaveAttribute('data-to', SERVICE_B);
    expect(graph.querySelector('svg')).toHaveAttribute(
      'aria-label',
      'Waves: wave 1: service-a; wave 2: service-b',
    );
    // the sandbox service's failing coverage is a warning, summarised per service
    expect(screen.getByTestId(`wave-node-${SERVICE_B}`)).toHaveTextContent(
      '2.1.0 · 2 pass · 1 warning',
    );
    expect(screen.getByTestId(`plan-service-${SERVICE_B}`)).toHaveTextContent(
      'allowed with warnings (sandbox)',
    );
    expect(
      within(screen.getByTestId(`plan-gates-${SERVICE_A}`)).getByTestId(
        'gate-chip-coverage',
      ),
    ).toHaveAttribute('data-status', 'pass');
    expect(screen.getByTestId('plan-start')).toBeEnabled();
  });

  it('names the cycle when the services depend on each other', async () => {
    server.use(
      ...baseHandlers(),
      http.post(`${PLANS}/preview`, () =>
        errorBody(
          400,
          'InputError',
          'dependency cycle: component:default/service-a → component:default/service-b → component:default/service-a',
        ),
      ),
    );
    await render();
    await choose(['service-a', 'service-b']);
    await userEvent.click(screen.getByTestId('plan-preview'));
    const alert = await screen.findByTestId('plan-cycle');
    expect(alert).toHaveTextContent(
      'Dependency cycle: these services cannot be ordered',
    );
    expect(alert).toHaveTextContent(
      'component:default/service-a → component:default/service-b → component:default/service-a',
    );
    expect(screen.queryByTestId('wave-graph')).not.toBeInTheDocument();
    expect(screen.queryByTestId('plan-start')).not.toBeInTheDocument();
  });

  it('puts a 400 on the field it names', async () => {
    server.use(
      ...baseHandlers(),
      http.post(`${PLANS}/preview`, () =>
        errorBody(
          400,
          'InputError',
          'environment: no environment qa for component:default/service-a',
        ),
      ),
    );
    await render();
    await choose(['service-a']);
    await userEvent.click(screen.getByTestId('plan-preview'));
    expect(
      await screen.findByText(
        'environment: no environment qa for component:default/service-a',
      ),
    ).toHaveClass('Mui-error');
  });

  it('starts the plan and follows it live until it ends; abort while it runs', async () => {
    let polls = 0;
    let aborted = false;
    server.use(
      ...baseHandlers([]),
      http.post(`${PLANS}/preview`, () => HttpResponse.json(planPreview)),
      http.post(PLANS, () => HttpResponse.json(plan(), { status: 201 })),
      http.get(`${PLANS}/:id`, () => {
        polls += 1;
        if (aborted) {
          return HttpResponse.json(
            plan({ status: 'aborted', error: 'aborted by guest' }),
          );
        }
        return HttpResponse.json(plan());
      }),
      http.post(`${PLANS}/:id/abort`, () => {
        aborted = true;
        return HttpResponse.json(
          plan({ status: 'aborted', error: 'aborted by guest' }),
        );
      }),
    );
    await render();
    expect(
      await screen.findByText('No coordinated promotions yet.'),
    ).toBeInTheDocument();
    await choose(['service-a', 'service-b']);
    await userEvent.click(screen.getByTestId('plan-preview'));
    await userEvent.click(await screen.findByTestId('plan-start'));

    const view = await screen.findByTestId('plan-view');
    expect(within(view).getByTestId('plan-status')).toHaveTextContent(
      'Running',
    );
    expect(within(view).getByTestId(`wave-node-${SERVICE_A}`)).toHaveAttribute(
      'data-status',
      'succeeded',
    );
    expect(within(view).getByTestId(`wave-node-${SERVICE_B}`)).toHaveAttribute(
      'data-status',
      'running',
    );
    // it polls while running
    await waitFor(() => expect(polls).toBeGreaterThan(2));

    await userEvent.click(within(view).getByTestId('plan-abort'));
    await waitFor(() =>
      expect(within(view).getByTestId('plan-status')).toHaveTextContent(
        'Aborted',
      ),
    );
    expect(within(view).getByTestId('plan-failure')).toHaveTextContent(
      'aborted by guest',
    );
    expect(within(view).queryByTestId('plan-abort')).not.toBeInTheDocument();
    // the re-read the abort triggers (or a poll already sent) may still land
    // after 'Aborted' shows; after that, no more polls (3+ would fit in 700 ms)
    await new Promise(r => setTimeout(r, 300));
    const settled = polls;
    await new Promise(r => setTimeout(r, 700));
    expect(polls).toBe(settled);
  });

  it('lists recent plans and KPIs per team', async () => {
    server.use(
      ...baseHandlers([plan({ status: 'succeeded' })]),
      http.get(`${PLANS}/:id`, () =>
        HttpResponse.json(plan({ status: 'succeeded' })),
      ),
    );
    await render();
    const row = await screen.findByTestId('plan-row-plan-1');
    expect(row).toHaveTextContent('service-a, service-b');
    expect(row).toHaveTextContent('Succeeded');
    expect(
      await screen.findByTestId('team-kpi-group:default/payments-team'),
    ).toHaveTextContent('payments-team7 / 887.5%1 h 2 min25 h');
    expect(
      screen.getByTestId('promotion-kpi-overall-success'),
    ).toHaveTextContent('87.5%');
    await userEvent.click(row);
    expect(await screen.findByTestId('plan-view')).toBeInTheDocument();
  });

  it('shows an error when plans cannot be listed', async () => {
    server.use(
      http.get(PLANS, () => errorBody(500, 'Error', 'plans table missing')),
      http.get(`${BASE_URL}/v1/promotion/kpis`, () => HttpResponse.json(kpis)),
    );
    await render();
    expect(
      await screen.findByText('plans table missing', { selector: 'p' }),
    ).toBeInTheDocument();
  });
});
