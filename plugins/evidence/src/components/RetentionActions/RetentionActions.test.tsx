import {
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { evidenceApiRef } from '../../api/EvidenceApi';
import { EvidenceClient } from '../../api/EvidenceClient';
import { EvidenceSummary } from '../../api/types';
import { RetentionActions } from './RetentionActions';

const BASE_URL = 'http://localhost:7007/api/evidence';
// usePermission caches decisions per resource across renders (SWR): every
// test uses an entity of its own
let n = 0;
let ENTITY_REF = 'component:default/service-a';
let entityPath = '';
beforeEach(() => {
  n += 1;
  ENTITY_REF = `component:default/service-${n}`;
  entityPath = `${BASE_URL}/v1/entities/component/default/service-${n}`;
});
const server = setupServer();
const slow = { timeout: 10_000 };
jest.setTimeout(30_000);
registerMswTestHooks(server);

const summary = (over: Partial<EvidenceSummary> = {}): EvidenceSummary =>
  ({
    entityRef: 'component:default/service-a',
    complianceMode: null,
    recordCount: 1,
    head: null,
    categories: [],
    requiredCategories: [],
    missing: [],
    legalHold: null,
    retention: { mode: 'governance', defaultYears: 3, rules: [] },
    ...over,
  } as EvidenceSummary);

async function render(
  permission: (
    name: string,
    resourceRef?: string,
  ) => AuthorizeResult.ALLOW | AuthorizeResult.DENY,
  s: EvidenceSummary = summary(),
  onChanged = jest.fn(),
) {
  const asked: Array<[string, string | undefined]> = [];
  const client = new EvidenceClient({
    discoveryApi: { getBaseUrl: async () => BASE_URL },
    fetchApi: { fetch: (input, init) => fetch(input, init) },
  });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [evidenceApiRef, client],
        [
          permissionApiRef,
          mockApis.permission({
            authorize: req => {
              const r = req as {
                permission: { name: string };
                resourceRef?: string;
              };
              asked.push([r.permission.name, r.resourceRef]);
              return permission(r.permission.name, r.resourceRef);
            },
          }),
        ],
      ]}
    >
      <RetentionActions
        entityRef={ENTITY_REF}
        summary={s}
        onChanged={onChanged}
      />
    </TestApiProvider>,
  );
  return { asked, onChanged };
}

describe('RetentionActions', () => {
  it('shows nothing to a user who may neither manage retention nor purge', async () => {
    const { asked } = await render(() => AuthorizeResult.DENY);
    await waitFor(() => expect(asked.length).toBeGreaterThanOrEqual(2), slow);
    expect(asked).toEqual(
      expect.arrayContaining([
        ['evidence.retention.manage', ENTITY_REF],
        ['evidence.retention.bypass', ENTITY_REF],
      ]),
    );
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('lets an admin set a hold with a reason, and sends it to the backend', async () => {
    let body: unknown;
    server.use(
      http.put(`${entityPath}/legal-hold`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ reason: 'x', setBy: 'u', setAt: 'now' });
      }),
    );
    const { onChanged } = await render(() => AuthorizeResult.ALLOW);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Set legal hold' }, slow),
    );
    const confirm = screen.getByRole('button', { name: 'Set hold' });
    expect(confirm).toBeDisabled(); // a reason is required
    fireEvent.change(screen.getByLabelText('Reason'), {
      target: { value: 'litigation 2026-17' },
    });
    fireEvent.click(confirm);
    await waitFor(() => expect(onChanged).toHaveBeenCalled(), slow);
    expect(body).toEqual({ reason: 'litigation 2026-17' });
  });

  it('offers release instead of set while a hold lasts, and no early purge', async () => {
    await render(
      () => AuthorizeResult.ALLOW,
      summary({
        legalHold: { reason: 'r', setBy: 'u', setAt: '2026-01-01T00:00:00Z' },
      }),
    );
    expect(
      await screen.findByRole('button', { name: 'Release legal hold' }, slow),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Purge early' }),
    ).not.toBeInTheDocument();
  });

  it('shows the early purge only with the bypass permission and in governance mode', async () => {
    await render(name =>
      name === 'evidence.retention.bypass'
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY,
    );
    expect(
      await screen.findByRole('button', { name: 'Purge early' }, slow),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /legal hold/ }),
    ).not.toBeInTheDocument();
  });

  it('shows the backend refusal in the dialog', async () => {
    server.use(
      http.delete(`${entityPath}/legal-hold`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotAllowedError', message: 'not an admin' },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    await render(
      () => AuthorizeResult.ALLOW,
      summary({
        legalHold: { reason: 'r', setBy: 'u', setAt: '2026-01-01T00:00:00Z' },
      }),
    );
    fireEvent.click(
      await screen.findByRole('button', { name: 'Release legal hold' }, slow),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Release hold' }));
    expect(await screen.findByRole('alert', {}, slow)).toHaveTextContent(
      'not an admin',
    );
  });
});
