import { Entity } from '@backstage/catalog-model';
import { identityApiRef } from '@backstage/core-plugin-api';
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
import {
  BASE_URL,
  CAROL,
  ENTITY_URL,
  errorBody,
  GUEST,
  HASHES,
  overview,
  promotion,
  promotionHandlers,
} from '../../../__testUtils__/fakePromotion';
import { EntityPromotionContent } from './EntityPromotionContent';

const server = setupServer();
registerMswTestHooks(server);

// A slow, shared machine: rendering MUI in jsdom takes seconds.
jest.setTimeout(60_000);

const entity = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'service-a', namespace: 'default', annotations },
  spec: { type: 'service' },
});
const promoted = entity({ 'assay.dev/environments': 'dev,staging,prod' });

function render(
  options: {
    entity?: Entity;
    /** permission names that are allowed; every other one is denied */
    allow?: string[];
    user?: string;
  } = {},
) {
  const permissionRequests: Array<{ name: string; resourceRef?: string }> = [];
  return {
    permissionRequests,
    rendered: renderInTestApp(
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
                  return !options.allow ||
                    options.allow.includes(req.permission.name)
                    ? AuthorizeResult.ALLOW
                    : AuthorizeResult.DENY;
                },
              }),
            ],
            [
              identityApiRef,
              mockApis.identity({ userEntityRef: options.user ?? GUEST }),
            ],
          ]}
        >
          <EntityProvider entity={options.entity ?? promoted}>
            <EntityPromotionContent />
          </EntityProvider>
        </TestApiProvider>
      </SWRConfig>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    ),
  };
}

describe('EntityPromotionContent', () => {
  it('asks for the annotation when the entity is not promoted with Assay', async () => {
    await render({ entity: entity({}) }).rendered;
    expect(await screen.findByText('Missing Annotation')).toBeInTheDocument();
    expect(
      screen.getAllByText(/assay\.dev\/environments/).length,
    ).toBeGreaterThan(0);
  });

  it('shows progress while loading', async () => {
    server.use(
      http.get(ENTITY_URL, async () => {
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );
    await render().rendered;
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });

  it('says so when the user may not read promotions, and shows other errors', async () => {
    server.use(
      http.get(ENTITY_URL, () =>
        errorBody(403, 'NotAllowedError', 'not allowed'),
      ),
    );
    await render().rendered;
    expect(
      await screen.findByText("You may not see this entity's promotions"),
    ).toBeInTheDocument();
  });

  it('shows a backend failure', async () => {
    server.use(
      http.get(ENTITY_URL, () =>
        errorBody(500, 'Error', 'evidence store unreachable'),
      ),
    );
    await render().rendered;
    expect(
      await screen.findByText('evidence store unreachable', { selector: 'p' }),
    ).toBeInTheDocument();
  });

  it('shows each environment with its release, who deployed it, evidence links, next-step gates and KPIs', async () => {
    server.use(...promotionHandlers());
    const { rendered, permissionRequests } = render();
    await rendered;

    const dev = await screen.findByTestId('promotion-deployed-dev');
    expect(dev).toHaveTextContent('1.3.0');
    // deployedBy and the promotion's evidence come from the promotion that put it there
    await waitFor(() => expect(dev).toHaveTextContent('by guest'));
    const devLinks = within(dev).getAllByTestId('promotion-evidence-link');
    expect(devLinks.map(a => a.getAttribute('href'))).toEqual([
      `/catalog/default/component/service-a/evidence?record=${HASHES.r130}`,
      `/catalog/default/component/service-a/evidence?record=${HASHES.promoDev}`,
    ]);
    expect(screen.getByTestId('promotion-deployed-staging')).toHaveTextContent(
      /1\.2\.0.*by alice/,
    );
    expect(screen.getByTestId('promotion-deployed-prod')).toHaveTextContent(
      'Nothing deployed yet',
    );

    // staging's next step: 1.3.0 from dev, its gates as chips
    const next = screen.getByTestId('promotion-next-staging');
    expect(next).toHaveTextContent('Next: 1.3.0 from dev');
    const chips = await within(next).findByTestId('gate-chips-staging');
    expect(within(chips).getByTestId('gate-chip-coverage')).toHaveAttribute(
      'data-status',
      'pass',
    );
    // a missing approval is pending, not a failure, before the request
    expect(within(chips).getByTestId('gate-chip-approvals')).toHaveAttribute(
      'data-status',
      'pending',
    );
    expect(next).toHaveTextContent('Needs 1 approval');
    // dev already runs the newest release: no next step there
    expect(screen.queryByTestId('promotion-next-dev')).not.toBeInTheDocument();

    expect(screen.getByTestId('promotion-mode')).toHaveTextContent(
      'compliance mode',
    );
    expect(
      await screen.findByTestId('promotion-kpi-success'),
    ).toHaveTextContent('87.5%');
    expect(screen.getByTestId('promotion-kpi-lead-median')).toHaveTextContent(
      '1 h 2 min',
    );
    expect(screen.getByTestId('promotion-kpi-count')).toHaveTextContent(
      '7 / 8',
    );
    expect(permissionRequests).toContainEqual({
      name: 'delivery.promotion.promote',
      resourceRef: 'component:default/service-a',
    });
  });

  it('renders the gate preview in the promote dialog, then promotes; the result awaits approval', async () => {
    const posted: unknown[] = [];
    server.use(
      http.get(ENTITY_URL, () =>
        HttpResponse.json(
          overview({ active: posted.length ? promotion() : null }),
        ),
      ),
      ...promotionHandlers(),
      http.post(`${ENTITY_URL}/promotions`, async ({ request }) => {
        posted.push(await request.json());
        return HttpResponse.json(promotion(), { status: 201 });
      }),
    );
    await render().rendered;
    await userEvent.click(
      await screen.findByTestId('promotion-promote-staging'),
    );

    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByRole('heading', { name: 'Promote to staging' }),
    ).toBeInTheDocument();
    const coverage = await within(dialog).findByTestId('gate-row-coverage');
    expect(coverage).toHaveTextContent('line coverage ≥ 70%');
    expect(coverage).toHaveTextContent('line coverage 82.5%');
    expect(
      within(coverage).getByTestId('promotion-evidence-link'),
    ).toHaveAttribute(
      'href',
      `/catalog/default/component/service-a/evidence?record=${HASHES.coverage}`,
    );
    expect(within(dialog).getByTestId('promote-approvals')).toHaveTextContent(
      '1 approval needed before it is deployed, from people other than you',
    );
    expect(dialog).toHaveTextContent('Gates pass; approvals pending');

    await userEvent.click(within(dialog).getByTestId('promote-confirm'));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(posted).toEqual([
      { environment: 'staging', releaseHash: HASHES.r130 },
    ]);
    expect(await screen.findByTestId('promotion-outcome')).toHaveTextContent(
      'Promotion of 1.3.0 to staging is awaiting approval (0 of 1)',
    );
  });

  it('shows sandbox failures as warnings that do not block', async () => {
    server.use(
      ...promotionHandlers({
        overview: overview({ mode: 'sandbox' }),
        previewMode: 'sandbox',
        previewCoverage: 55,
      }),
    );
    await render().rendered;
    await userEvent.click(
      await screen.findByTestId('promotion-promote-staging'),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByTestId('gate-sandbox-warning'),
    ).toHaveTextContent('Sandbox mode: 1 gate did not pass');
    expect(within(dialog).getByTestId('gate-row-coverage')).toHaveAttribute(
      'data-status',
      'warn',
    );
    expect(within(dialog).getByTestId('promote-confirm')).toBeEnabled();
  });

  it('blocks confirming when a gate fails in compliance mode, saying which', async () => {
    server.use(...promotionHandlers({ previewCoverage: 41 }));
    await render().rendered;
    await userEvent.click(
      await screen.findByTestId('promotion-promote-staging'),
    );
    const dialog = await screen.findByRole('dialog');
    expect(await within(dialog).findByTestId('gate-blocked')).toHaveTextContent(
      'Compliance mode: Coverage fails and blocks this promotion.',
    );
    expect(within(dialog).getByTestId('promote-confirm')).toBeDisabled();
  });

  it('puts a 400 on the field it names and a 409 above the form', async () => {
    let answer = 400;
    server.use(
      ...promotionHandlers(),
      http.post(`${ENTITY_URL}/promotions`, () =>
        answer === 400
          ? errorBody(
              400,
              'InputError',
              'releaseHash: no release with this hash for component:default/service-a',
            )
          : errorBody(
              409,
              'ConflictError',
              'a promotion to staging is already active',
            ),
      ),
    );
    await render().rendered;
    await userEvent.click(
      await screen.findByTestId('promotion-promote-staging'),
    );
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByTestId('gate-row-coverage');
    await userEvent.click(within(dialog).getByTestId('promote-confirm'));
    expect(
      await within(dialog).findByText(
        'releaseHash: no release with this hash for component:default/service-a',
      ),
    ).toHaveClass('Mui-error');
    answer = 409;
    await userEvent.click(within(dialog).getByTestId('promote-confirm'));
    expect(
      await within(dialog).findByTestId('promote-error'),
    ).toHaveTextContent('a promotion to staging is already active');
  });

  it('offers Approve to another user and shows the server’s reason when it refuses', async () => {
    server.use(
      ...promotionHandlers({ overview: overview({ active: promotion() }) }),
      http.post(`${BASE_URL}/v1/promotion/promotions/:id/approvals`, () =>
        errorBody(
          403,
          'NotAllowedError',
          'you produced this release; a different person must approve it',
        ),
      ),
    );
    await render({ user: CAROL }).rendered;
    const active = await screen.findByTestId('promotion-active');
    expect(active).toHaveTextContent('Promoting 1.3.0');
    expect(screen.getByTestId('promotion-approvals-count')).toHaveTextContent(
      '0 of 1 approval',
    );
    await userEvent.click(
      await within(active).findByTestId('promotion-approve'),
    );
    expect(
      await screen.findByTestId('promotion-approve-error'),
    ).toHaveTextContent(
      'you produced this release; a different person must approve it',
    );
  });

  it('approves as another user and refreshes', async () => {
    let approved = false;
    // msw: the first matching handler answers
    server.use(
      http.get(ENTITY_URL, () =>
        HttpResponse.json(
          approved ? overview() : overview({ active: promotion() }),
        ),
      ),
      ...promotionHandlers(),
      http.post(`${BASE_URL}/v1/promotion/promotions/:id/approvals`, () => {
        approved = true;
        return HttpResponse.json(promotion({ status: 'succeeded' }), {
          status: 201,
        });
      }),
    );
    await render({ user: CAROL }).rendered;
    await userEvent.click(await screen.findByTestId('promotion-approve'));
    await waitFor(() =>
      expect(screen.queryByTestId('promotion-active')).not.toBeInTheDocument(),
    );
  });

  it('tells the requester that someone else must approve, without a button, and lets them withdraw it', async () => {
    let cancelled = false;
    server.use(
      http.get(ENTITY_URL, () =>
        HttpResponse.json(
          cancelled ? overview() : overview({ active: promotion() }),
        ),
      ),
      http.post(`${BASE_URL}/v1/promotion/promotions/:id/cancel`, () => {
        cancelled = true;
        return HttpResponse.json(promotion({ status: 'cancelled' }));
      }),
      ...promotionHandlers(),
    );
    await render({ user: GUEST }).rendered;
    expect(
      await screen.findByTestId('promotion-own-request'),
    ).toHaveTextContent(
      'You requested this promotion; someone else must approve it.',
    );
    expect(screen.queryByTestId('promotion-approve')).not.toBeInTheDocument();
    await userEvent.click(screen.getByTestId('promotion-withdraw'));
    await waitFor(() =>
      expect(screen.queryByTestId('promotion-active')).not.toBeInTheDocument(),
    );
    expect(cancelled).toBe(true);
  });

  it('hides promote, approve and rollback from users without those permissions', async () => {
    server.use(
      ...promotionHandlers({ overview: overview({ active: promotion() }) }),
    );
    await render({ user: CAROL, allow: ['delivery.promotion.read'] }).rendered;
    await screen.findByTestId('promotion-active');
    await screen.findByTestId('promotion-next-prod');
    expect(screen.queryByTestId('promotion-approve')).not.toBeInTheDocument();
    expect(screen.queryByTestId(/^promotion-promote-/)).not.toBeInTheDocument();
    expect(
      screen.queryByTestId(/^promotion-rollback-/),
    ).not.toBeInTheDocument();
  });

  it('rolls back to a previous release after showing its gates', async () => {
    const posted: unknown[] = [];
    server.use(
      ...promotionHandlers(),
      http.post(`${ENTITY_URL}/rollback`, async ({ request }) => {
        posted.push(await request.json());
        return HttpResponse.json(
          promotion({
            kind: 'rollback',
            environment: 'dev',
            version: '1.2.0',
            status: 'succeeded',
          }),
          { status: 201 },
        );
      }),
    );
    await render().rendered;
    await userEvent.click(await screen.findByTestId('promotion-rollback-dev'));
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByRole('heading', { name: 'Roll back dev' }),
    ).toBeInTheDocument();
    await within(dialog).findByTestId('gate-preview');
    await userEvent.click(within(dialog).getByTestId('promote-confirm'));
    await waitFor(() =>
      expect(posted).toEqual([
        { environment: 'dev', releaseHash: HASHES.r120 },
      ]),
    );
    expect(await screen.findByTestId('promotion-outcome')).toHaveTextContent(
      'Rollback of dev to 1.2.0: succeeded.',
    );
  });

  it('verifies a release and pages through the history', async () => {
    server.use(
      ...promotionHandlers({
        history: [
          [promotion({ id: 'a', version: '1.3.0', status: 'succeeded' })],
          [promotion({ id: 'b', version: '1.1.0', status: 'blocked' })],
        ],
      }),
      http.get(`${ENTITY_URL}/releases/:hash/verify`, () =>
        HttpResponse.json({
          ok: false,
          checks: [
            { category: 'tests', hash: HASHES.tests, ok: true },
            {
              category: 'sbom',
              hash: HASHES.sbom,
              ok: false,
              reason: 'not included under the current checkpoint',
            },
          ],
        }),
      ),
    );
    await render().rendered;
    const row = await screen.findByTestId('release-verify-1.3.0');
    await userEvent.click(
      within(row).getByRole('button', { name: 'Verify release' }),
    );
    expect(
      await within(row).findByTestId('release-verify-result'),
    ).toHaveTextContent('1 of 2 records failed');
    expect(row).toHaveTextContent(
      'sbom: not included under the current checkpoint',
    );

    const history = await screen.findByRole('table', {
      name: 'promotion history',
    });
    expect(
      within(history).getAllByTestId('promotion-history-row'),
    ).toHaveLength(1);
    expect(history).toHaveTextContent('1.3.0');
    await userEvent.click(screen.getByTestId('promotion-history-older'));
    await waitFor(() => expect(history).toHaveTextContent('1.1.0'));
    expect(history).toHaveTextContent('Blocked');
    expect(screen.getByTestId('promotion-history-older')).toBeDisabled();
    await userEvent.click(screen.getByTestId('promotion-history-newer'));
    await waitFor(() => expect(history).toHaveTextContent('1.3.0'));
  });
});
