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

  it('shows the integrity audit and its findings', async () => {
    const log = demoLog();
    server.use(...log.handlers());
    await render();
    expect(
      await screen.findByText('No integrity problems found.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/The first pass has not run yet/),
    ).toBeInTheDocument();
  });

  it('names what the integrity audit found', async () => {
    const log = demoLog();
    log.audit = {
      ...log.audit,
      cursor: 0,
      passes: 1,
      lastCompletedAt: '2026-11-30T08:00:00.000Z',
      lastCompletedSize: 8,
      findingCount: 1,
      findings: [
        {
          id: 1,
          foundAt: '2026-11-30T08:00:00.000Z',
          kind: 'record-column',
          leafIndex: 3,
          entityRef: 'component:default/service-a',
          message:
            'record at leaf 3: column category is "sast" but its canonical bytes say "tests"',
        },
      ],
    };
    server.use(...log.handlers());
    await render();
    expect(
      await screen.findByText(
        /1 integrity problem found in the stored evidence/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/column category is "sast" but its canonical bytes/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('component:default/service-a, leaf 3'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('evidence-audit')).toHaveAttribute(
      'data-state',
      'findings',
    );
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
