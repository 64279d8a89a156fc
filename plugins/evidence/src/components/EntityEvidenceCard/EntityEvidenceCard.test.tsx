import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { evidenceApiRef } from '../../api/EvidenceApi';
import { EvidenceClient } from '../../api/EvidenceClient';
import {
  BASE_URL,
  demoLog,
  ENTITY_REF,
  errorResponse,
} from '../../__testUtils__/fakeEvidenceLog';
import { EntityEvidenceCard } from './EntityEvidenceCard';

const server = setupServer();
registerMswTestHooks(server);

const entity = (enabled: boolean): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'service-a',
    annotations: enabled ? { 'assay.dev/evidence-enabled': 'true' } : {},
  },
  spec: { type: 'service' },
});

const render = (e: Entity) =>
  renderInTestApp(
    <TestApiProvider
      apis={[
        [
          evidenceApiRef,
          new EvidenceClient({
            discoveryApi: { getBaseUrl: async () => BASE_URL },
            fetchApi: { fetch: (...args) => fetch(...args) },
          }),
        ],
      ]}
    >
      <EntityProvider entity={e}>
        <EntityEvidenceCard />
      </EntityProvider>
    </TestApiProvider>,
  );

describe('EntityEvidenceCard', () => {
  it('summarizes the latest facts per category, gaps and retention', async () => {
    const log = demoLog();
    server.use(
      ...log.handlers({
        summary: () =>
          log.summary(ENTITY_REF, {
            missing: [
              { category: 'secrets-rotation', reason: 'never', maxAgeDays: 90 },
            ],
          }),
      }),
    );
    await render(entity(true));
    expect(
      await screen.findByText('6 records · compliance mode · head #6'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('412 tests, 0 failed, 3 skipped'),
    ).toBeInTheDocument();
    expect(screen.getByText('coverage 83.1%')).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Missing: secrets-rotation',
    );
    expect(screen.getByTestId('evidence-retention-badge')).toBeInTheDocument();
    expect(screen.getByText('Open evidence and verify')).toBeInTheDocument();
  });

  it('says when the user may not read evidence', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/entities/:kind/:namespace/:name/summary`, () =>
        errorResponse(403, 'NotAllowedError', 'nope'),
      ),
    );
    await render(entity(true));
    expect(
      await screen.findByTestId('evidence-no-permission'),
    ).toHaveTextContent(
      'You do not have permission to read evidence for this entity.',
    );
  });

  it('explains how to enable evidence', async () => {
    await render(entity(false));
    expect(
      screen.getByText(/Evidence is not enabled for this entity/),
    ).toBeInTheDocument();
  });
});
