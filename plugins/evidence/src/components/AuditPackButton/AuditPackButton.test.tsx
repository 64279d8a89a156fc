import { alertApiRef, configApiRef } from '@backstage/core-plugin-api';
import {
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { unzipSync } from 'fflate';
import { setupServer } from 'msw/node';
import { evidenceApiRef } from '../../api/EvidenceApi';
import { EvidenceClient } from '../../api/EvidenceClient';
import {
  BASE_URL,
  demoLog,
  ENTITY_REF,
} from '../../__testUtils__/fakeEvidenceLog';
import { AuditPackButton } from './AuditPackButton';

const server = setupServer();
registerMswTestHooks(server);

const alertApi = { post: jest.fn(), alert$: jest.fn() };
const saved: Blob[] = [];

beforeEach(() => {
  saved.length = 0;
  alertApi.post.mockReset();
  (URL as any).createObjectURL = jest.fn((b: Blob) => {
    saved.push(b);
    return 'blob:test';
  });
  (URL as any).revokeObjectURL = jest.fn();
});

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
        [alertApiRef, alertApi],
        [configApiRef, mockApis.config()],
      ]}
    >
      <AuditPackButton entityRef={ENTITY_REF} />
    </TestApiProvider>,
  );

async function download() {
  fireEvent.click(screen.getByRole('button', { name: /download audit pack/i }));
  await waitFor(() => expect(saved).toHaveLength(1));
  const bytes = new Uint8Array(await saved[0].arrayBuffer());
  return unzipSync(bytes);
}

describe('AuditPackButton', () => {
  it('zips the same files as the CLI export after verifying the bundle', async () => {
    const log = demoLog();
    server.use(...log.handlers());
    await render();
    const files = await download();
    const names = Object.keys(files);
    expect(names).toEqual(
      expect.arrayContaining([
        'bundle.json',
        'checkpoint.txt',
        'public-key.txt',
        'README.md',
        'verify_pack.py',
        `records/1-${log.chain()[0].hash}.json`,
      ]),
    );
    expect(
      new TextDecoder().decode(files[`records/3-${log.chain()[2].hash}.json`]),
    ).toBe(log.chain()[2].canonical);
    expect(alertApi.post).not.toHaveBeenCalled();
  });

  it('still downloads a bundle that does not verify, with a warning', async () => {
    const log = demoLog();
    log.tamper(2, c => c.replace('"tests":412', '"tests":413'));
    server.use(...log.handlers());
    await render();
    await download();
    await waitFor(() =>
      expect(alertApi.post).toHaveBeenCalledWith(
        expect.objectContaining({
          severity: 'warning',
          message: expect.stringContaining('does NOT verify: record #2'),
        }),
      ),
    );
  });

  it('warns when the newest record was removed from the database', async () => {
    const log = demoLog();
    log.deleteNewest();
    server.use(...log.handlers());
    await render();
    await download();
    await waitFor(() =>
      expect(alertApi.post).toHaveBeenCalledWith(
        expect.objectContaining({
          severity: 'warning',
          message: expect.stringMatching(
            /does NOT verify: .*truncated: the signed checkpoint commits to head #6/,
          ),
        }),
      ),
    );
  });
});
