import { Entity } from '@backstage/catalog-model';
import { registerMswTestHooks } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import { delay, http } from 'msw';
import { setupServer } from 'msw/node';
import {
  BASE_URL,
  errorResponse,
  FakeEntityBackend,
} from '../../__testUtils__/fakeScorecards';
import {
  renderScorecards,
  serviceEntity,
} from '../../__testUtils__/renderScorecards';
import { EntityScorecardCard } from './EntityScorecardCard';

const server = setupServer();
registerMswTestHooks(server);

const render = (entity: Entity = serviceEntity()) =>
  renderScorecards(<EntityScorecardCard />, { entity });

describe('EntityScorecardCard', () => {
  it('shows level, score and the checks that fail', async () => {
    server.use(...new FakeEntityBackend().handlers());
    await render();
    expect(await screen.findByTestId('scorecard-level')).toHaveTextContent(
      'Silver',
    );
    expect(screen.getByTestId('scorecard-score')).toHaveTextContent(
      '82.5 / 100',
    );
    expect(screen.getByText('1 failing check of 5')).toBeInTheDocument();
    const list = screen.getByRole('list', {
      name: 'checks needing attention',
    });
    expect(
      within(list).getByText('No critical or high vulnerabilities'),
    ).toBeInTheDocument();
    expect(
      within(list).getByText('SBOM lists 2 high vulnerabilities (allowed: 0)'),
    ).toBeInTheDocument();
    // passing and unknown checks are not listed on the card
    expect(within(list).queryByText('Owner set')).not.toBeInTheDocument();
    expect(screen.getByText('Open compliance')).toBeInTheDocument();
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

  it('says when the user may not read scorecards', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/entities/:kind/:namespace/:name`, () =>
        errorResponse(403, 'NotAllowedError', 'nope'),
      ),
    );
    await render();
    expect(
      await screen.findByTestId('scorecards-no-permission'),
    ).toHaveTextContent('You do not have permission');
  });

  it('names a server error', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/entities/:kind/:namespace/:name`, () =>
        errorResponse(500, 'Error', 'database is down'),
      ),
    );
    await render();
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load the scorecard: database is down',
    );
  });

  it('explains which entities have scorecards', async () => {
    await render({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'payments-team' },
    });
    expect(
      screen.getByText(/Scorecards are computed for components/),
    ).toBeInTheDocument();
  });
});
