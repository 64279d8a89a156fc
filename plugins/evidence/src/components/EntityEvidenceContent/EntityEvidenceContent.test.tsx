import { Entity } from '@backstage/catalog-model';
import { configApiRef } from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { evidenceApiRef } from '../../api/EvidenceApi';
import { EvidenceClient } from '../../api/EvidenceClient';
import {
  BASE_URL,
  demoLog,
  ENTITY_REF,
  errorResponse,
  FakeEvidenceLog,
} from '../../__testUtils__/fakeEvidenceLog';
import { EntityEvidenceContent } from './EntityEvidenceContent';

const server = setupServer();
registerMswTestHooks(server);

const entity = (
  annotations: Record<string, string> = {
    'assay.dev/evidence-enabled': 'true',
  },
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'service-a', namespace: 'default', annotations },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
});

const requests: URL[] = [];

async function renderContent(e: Entity = entity(), path = '/') {
  const client = new EvidenceClient({
    discoveryApi: { getBaseUrl: async () => BASE_URL },
    fetchApi: {
      fetch: (input, init) => {
        requests.push(new URL(String(input)));
        return fetch(input, init);
      },
    },
  });
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [evidenceApiRef, client],
        [configApiRef, mockApis.config()],
      ]}
    >
      <EntityProvider entity={e}>
        <EntityEvidenceContent />
      </EntityProvider>
    </TestApiProvider>,
    { routeEntries: [path] },
  );
}

// real verification in jsdom on a loaded 2-core machine can exceed 5 s
jest.setTimeout(30_000);

const banner = () => screen.getByTestId('evidence-integrity-banner');

beforeEach(() => {
  localStorage.clear();
  requests.length = 0;
});

describe('EntityEvidenceContent', () => {
  it('verifies a real chain in the browser and shows the records with their facts', async () => {
    server.use(...demoLog().handlers());
    await renderContent();

    await waitFor(() =>
      expect(banner()).toHaveAttribute('data-state', 'verified'),
    );
    expect(banner()).toHaveTextContent('Verified in your browser');
    expect(banner()).toHaveTextContent('6 records: every hash recomputed');
    expect(banner()).toHaveTextContent(
      'Record #6 is leaf 7 of the signed log checkpoint "assay.test/evidence" (tree size 8)',
    );

    const table = await screen.findByRole('table', {
      name: 'evidence records',
    });
    expect(
      within(table).getByText('412 tests, 0 failed, 3 skipped'),
    ).toBeInTheDocument();
    expect(within(table).getByText('coverage 83.1%')).toBeInTheDocument();
    expect(
      within(table).getByText('SBOM: 0 critical, 2 high · 48 components'),
    ).toBeInTheDocument();
    expect(
      within(table).getByText('SAST: 0 errors, 2 warnings, 3 notes'),
    ).toBeInTheDocument();
    expect(
      within(table).getByText('p95 182.4 ms, 0.12% errors'),
    ).toBeInTheDocument();
    expect(screen.getByText('Showing 6 of 6 records')).toBeInTheDocument();

    expect(screen.getByTestId('evidence-retention-badge')).toHaveTextContent(
      'Retention: governance, 3 years',
    );
    expect(screen.getByText('Nothing missing')).toBeInTheDocument();
    // the verified checkpoint is remembered for the entity, for the
    // consistency check next time
    expect(
      localStorage.getItem(
        'assay.evidence.checkpoint:entity:component:default/service-a',
      ),
    ).toContain('"treeSize":8');
  });

  it('checks consistency with the checkpoint remembered from the previous visit', async () => {
    const log = demoLog();
    server.use(...log.handlers());
    const first = await renderContent();
    await waitFor(() =>
      expect(banner()).toHaveAttribute('data-state', 'verified'),
    );
    first.unmount();

    log.append(ENTITY_REF, {
      category: 'release',
      summary: { version: '1.4.3' },
    });
    await renderContent();
    await waitFor(() =>
      expect(banner()).toHaveAttribute('data-state', 'verified'),
    );
    expect(banner()).toHaveTextContent('(tree size 8 → 9)');
    // the consistency proof from the remembered size comes with the
    // returning visit's one request (…/increment), verified in the browser
    expect(
      requests.some(
        u =>
          u.pathname.endsWith('/increment') &&
          u.searchParams.get('treeSize') === '8',
      ),
    ).toBe(true);
  });

  it('names the first bad record when a stored record was tampered with', async () => {
    const log = demoLog();
    const bad = log.tamper(3, c =>
      c.replace('"linePct":83.1', '"linePct":99.9'),
    );
    server.use(...log.handlers());
    await renderContent();

    await waitFor(() =>
      expect(banner()).toHaveAttribute('data-state', 'broken'),
    );
    expect(banner()).toHaveTextContent(
      'Integrity check failed: the hash chain is broken',
    );
    expect(banner()).toHaveTextContent(
      `First bad record: #3 ${bad.hash.slice(0, 16)}`,
    );
    expect(banner()).toHaveTextContent('hash mismatch: stored');
    expect(banner()).toHaveTextContent('2 records before it verified');

    // the row is marked, and the banner opens it
    expect(
      await screen.findByLabelText('failed verification'),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Open record #3' }));
    const drawer = await screen.findByRole('presentation');
    expect(await within(drawer).findByText('Record #3')).toBeInTheDocument();
    expect(
      within(drawer).getByText(/mismatch: canonical bytes hash to/),
    ).toBeInTheDocument();
  });

  it('names a truncation when the newest record was deleted', async () => {
    const log = demoLog();
    const removed = log.deleteNewest();
    server.use(...log.handlers());
    await renderContent();

    await waitFor(() =>
      expect(banner()).toHaveAttribute('data-state', 'broken'),
    );
    expect(banner()).toHaveTextContent(
      "Integrity check failed: the entity's newest records were removed (truncated)",
    );
    expect(banner()).toHaveTextContent(
      `First bad record: #6 ${removed.hash.slice(0, 16)}`,
    );
    expect(banner()).toHaveTextContent(
      'truncated: the signed checkpoint commits to head #6',
    );
    // a removed record cannot be opened
    expect(
      screen.queryByRole('button', { name: 'Open record #6' }),
    ).not.toBeInTheDocument();
  });

  it('opens the record a link names with ?record=<hash>', async () => {
    const log = demoLog();
    server.use(...log.handlers());
    const linked = log.chain()[2];
    await renderContent(entity(), `/?record=${linked.hash}`);
    const drawer = await screen.findByRole('presentation');
    expect(await within(drawer).findByText('Record #3')).toBeInTheDocument();
  });

  it('opens a record with its canonical envelope, proof and previous record', async () => {
    const log = demoLog();
    server.use(...log.handlers());
    await renderContent();
    await waitFor(() =>
      expect(banner()).toHaveAttribute('data-state', 'verified'),
    );

    fireEvent.click(await screen.findByTestId('evidence-row-3'));
    const drawer = await screen.findByRole('presentation');
    expect(within(drawer).getByText('Record #3')).toBeInTheDocument();
    expect(within(drawer).getByTestId('evidence-canonical')).toHaveTextContent(
      '"linePct": 83.1',
    );
    expect(
      within(drawer).getByText('SHA-256 of the canonical bytes matches'),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(within(drawer).getByTestId('evidence-inclusion')).toHaveAttribute(
        'data-state',
        'included',
      ),
    );
    expect(within(drawer).getByTestId('evidence-inclusion')).toHaveTextContent(
      'Included: leaf 4 of 8',
    );

    const previous = log.chain()[1];
    fireEvent.click(
      within(drawer).getByRole('button', {
        name: `#2 · ${previous.hash.slice(0, 16)}`,
      }),
    );
    expect(await within(drawer).findByText('Record #2')).toBeInTheDocument();
    expect(within(drawer).getByTestId('evidence-canonical')).toHaveTextContent(
      '"tests": 412',
    );
    fireEvent.click(
      within(drawer).getByRole('button', { name: 'back to the newer record' }),
    );
    expect(await within(drawer).findByText('Record #3')).toBeInTheDocument();
  });

  it('shows the facts the hash covers, not a different envelope the server sends alongside', async () => {
    const log = demoLog();
    const r = log.chain()[2];
    r.envelope = { ...r.envelope, summary: { linePct: 12.3 } };
    server.use(...log.handlers());
    await renderContent();
    await waitFor(() =>
      expect(banner()).toHaveAttribute('data-state', 'verified'),
    );
    const table = screen.getByRole('table', { name: 'evidence records' });
    expect(within(table).getByText('coverage 83.1%')).toBeInTheDocument();
    expect(within(table).queryByText('coverage 12.3%')).not.toBeInTheDocument();
  });

  it('shows a record whose canonical bytes are not JSON as unreadable, never with the fields the server sends alongside', async () => {
    const log = demoLog();
    const r = log.chain()[2]; // coverage 83.1%, as the server's envelope still says
    r.canonical = `${r.canonical.slice(0, 40)}…garbled`;
    log.leaves[r.leafIndex] = r.canonical;
    server.use(...log.handlers());
    await renderContent();
    await waitFor(() =>
      expect(banner()).toHaveAttribute('data-state', 'broken'),
    );
    expect(banner()).toHaveTextContent('canonical bytes are not valid JSON');

    const table = screen.getByRole('table', { name: 'evidence records' });
    const row = within(table).getByTestId('evidence-row-unreadable');
    expect(row).toHaveTextContent('unreadable canonical bytes');
    expect(
      within(row).getByLabelText('failed verification'),
    ).toBeInTheDocument();
    expect(within(table).queryByText(/coverage/)).not.toBeInTheDocument();
    expect(within(table).queryByText('run-0412')).toBeNull();
    expect(within(table).getAllByRole('row')).toHaveLength(7); // header + 6

    fireEvent.click(row);
    const drawer = await screen.findByRole('presentation');
    expect(
      await within(drawer).findByTestId('evidence-unreadable'),
    ).toHaveTextContent('Unreadable canonical bytes');
    expect(within(drawer).queryByText('Record #3')).toBeNull();
    expect(within(drawer).queryByText(/83\.1/)).toBeNull();
    expect(within(drawer).getByTestId('evidence-canonical')).toHaveTextContent(
      '…garbled',
    );
  });

  it('shows purged payloads as tombstones', async () => {
    server.use(...demoLog().handlers());
    await renderContent();
    fireEvent.click(await screen.findByTestId('evidence-row-4'));
    const drawer = await screen.findByRole('presentation');
    expect(within(drawer).getByTestId('evidence-tombstone')).toHaveTextContent(
      'Payload purged: its 3-year governance retention ended',
    );
    expect(screen.getByTestId('evidence-row-4')).toHaveTextContent('purged');
  });

  it('filters by category on the server', async () => {
    server.use(...demoLog().handlers());
    await renderContent();
    await screen.findByRole('table', { name: 'evidence records' });
    const chips = screen.getByRole('group', { name: 'filter by category' });
    fireEvent.click(within(chips).getByText('sbom · 1'));
    expect(
      await screen.findByText('Showing 1 of 1 records'),
    ).toBeInTheDocument();
    const table = screen.getByRole('table', { name: 'evidence records' });
    expect(within(table).queryByText('coverage 83.1%')).not.toBeInTheDocument();
    expect(
      within(table).getByText(/SBOM: 0 critical, 2 high/),
    ).toBeInTheDocument();
    expect(
      requests.some(
        u =>
          u.searchParams.get('category') === 'sbom' &&
          u.searchParams.get('order') === 'desc',
      ),
    ).toBe(true);
  });

  it('virtualizes long lists and loads more with the cursor', async () => {
    const log = new FakeEvidenceLog();
    for (let i = 1; i <= 250; i++) {
      log.append(ENTITY_REF, {
        category: 'tests',
        summary: { tests: i, failures: 0 },
      });
    }
    server.use(...log.handlers());
    await renderContent();
    expect(
      await screen.findByText('Showing 100 of 250 records'),
    ).toBeInTheDocument();
    const rows = within(
      screen.getByRole('table', { name: 'evidence records' }),
    ).getAllByRole('row');
    expect(rows.length).toBeLessThan(40); // header + visible window + overscan
    expect(screen.getByTestId('evidence-row-250')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(
      await screen.findByText('Showing 200 of 250 records'),
    ).toBeInTheDocument();
    expect(requests.some(u => u.searchParams.get('cursor') === '151')).toBe(
      true,
    );
    await waitFor(() =>
      expect(banner()).toHaveAttribute('data-state', 'verified'),
    );
  });

  it('shows an empty state and the gaps when nothing was recorded', async () => {
    const log = new FakeEvidenceLog();
    log.append('component:default/other', { category: 'tests', summary: {} });
    server.use(
      ...log.handlers({
        summary: () =>
          log.summary(ENTITY_REF, {
            missing: [
              { category: 'tests', reason: 'never', maxAgeDays: 30 },
              {
                category: 'sast',
                reason: 'stale',
                lastRecordedAt: '2024-01-01T00:00:00Z',
                maxAgeDays: 30,
              },
            ],
            legalHold: {
              reason: 'litigation 2025-17',
              setBy: 'user:default/legal',
              setAt: '2025-03-01T00:00:00Z',
            },
          }),
      }),
    );
    await renderContent();
    expect(
      await screen.findByText('No evidence recorded yet'),
    ).toBeInTheDocument();
    const gaps = screen.getByRole('list', { name: 'missing evidence' });
    expect(within(gaps).getByText('tests missing')).toBeInTheDocument();
    expect(
      within(gaps).getByText(
        'Never recorded — required at least every 30 days',
      ),
    ).toBeInTheDocument();
    expect(within(gaps).getByText('sast stale')).toBeInTheDocument();
    expect(screen.getByTestId('evidence-legal-hold-badge')).toHaveTextContent(
      'Legal hold',
    );
    await waitFor(() =>
      expect(banner()).toHaveAttribute('data-state', 'verified'),
    );
    expect(banner()).toHaveTextContent('No records yet.');
  });

  it('shows an error panel when the backend fails', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/entities/:kind/:namespace/:name/summary`, () =>
        errorResponse(500, 'Error', 'database is on fire'),
      ),
      ...demoLog().handlers(),
    );
    await renderContent();
    expect(
      await screen.findByText('Error: Could not load evidence'),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/database is on fire/).length).toBeGreaterThan(
      0,
    );
  });

  it('says so plainly when the user may not read evidence (403)', async () => {
    const denied = () =>
      errorResponse(
        403,
        'NotAllowedError',
        'You are not allowed to read evidence of component:default/service-a',
      );
    server.use(
      http.get(
        `${BASE_URL}/v1/entities/:kind/:namespace/:name/summary`,
        denied,
      ),
      http.get(
        `${BASE_URL}/v1/entities/:kind/:namespace/:name/records`,
        denied,
      ),
      ...demoLog().handlers(),
    );
    await renderContent();
    expect(
      await screen.findByText('No permission to view evidence'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('evidence-no-permission')).toHaveTextContent(
      'evidence read permission',
    );
    expect(
      screen.queryByTestId('evidence-integrity-banner'),
    ).not.toBeInTheDocument();
  });

  it('reports a verification that could not run without calling the evidence broken', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/checkpoint`, () =>
        errorResponse(503, 'ServiceUnavailableError', 'log is starting'),
      ),
      ...demoLog().handlers(),
    );
    await renderContent();
    await waitFor(() =>
      expect(banner()).toHaveAttribute('data-state', 'error'),
    );
    expect(banner()).toHaveTextContent('Could not verify the evidence');
    expect(banner()).toHaveTextContent('log is starting');
  });

  it('asks for the annotation when evidence is not enabled', async () => {
    await renderContent(entity({}));
    expect(screen.getByText(/Missing Annotation/i)).toBeInTheDocument();
    expect(
      screen.getAllByText(/assay.dev\/evidence-enabled/).length,
    ).toBeGreaterThan(0);
  });
});
