import { configApiRef } from '@backstage/core-plugin-api';
import {
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { evidenceApiRef } from '../../api/EvidenceApi';
import { EvidenceClient } from '../../api/EvidenceClient';
import {
  BASE_URL,
  demoLog,
  FakeEvidenceLog,
} from '../../__testUtils__/fakeEvidenceLog';
import { EvidenceLogPage } from './EvidenceLogPage';

const server = setupServer();
registerMswTestHooks(server);

const render = () =>
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
        [configApiRef, mockApis.config()],
      ]}
    >
      <EvidenceLogPage />
    </TestApiProvider>,
  );

beforeEach(() => localStorage.clear());

describe('EvidenceLogPage', () => {
  it('shows the signed checkpoint, verified in the browser', async () => {
    const log = demoLog();
    server.use(...log.handlers());
    await render();
    expect(
      await screen.findByText(/Checkpoint signature verified in your browser/),
    ).toBeInTheDocument();
    expect(screen.getByText(log.verifierKey)).toBeInTheDocument();
    expect(
      screen.getByText(/First visit from this browser/),
    ).toBeInTheDocument();
  });

  it('rejects a checkpoint signed by another key', async () => {
    const log = demoLog();
    log.noteOverride = new FakeEvidenceLog().checkpointNote(0);
    server.use(...log.handlers());
    await render();
    expect(
      await screen.findByText(/signature does not verify/),
    ).toBeInTheDocument();
  });
});
