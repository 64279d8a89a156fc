import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import evidencePlugin from '@assay/plugin-evidence-backend';
import { run } from './program';
import { captureContext } from './__testUtils__/fakeEvidenceServer';

jest.setTimeout(60_000);

describe('assay against a started evidence backend', () => {
  it('pushes real artifacts, verifies online, exports a pack that verifies offline', async () => {
    const { server } = await startTestBackend({
      features: [
        evidencePlugin,
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: { name: 'payments' },
              spec: { type: 'service', lifecycle: 'production', owner: 'x' },
            },
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            // the CI token's scope (a subject without an entry gets 403)
            evidence: {
              producers: [
                {
                  subject: 'ci-pipeline',
                  entities: ['component:default/payments'],
                },
              ],
            },
          },
        }),
      ],
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-cli-real-'));
    const junit = path.join(dir, 'junit.xml');
    fs.writeFileSync(
      junit,
      '<testsuites><testsuite name="s" tests="12" failures="1" errors="0" skipped="2"></testsuite></testsuites>',
    );
    const lcov = path.join(dir, 'lcov.info');
    fs.writeFileSync(lcov, 'SF:a.py\nLF:200\nLH:150\nend_of_record\n');
    const env = {
      ASSAY_URL: url,
      ASSAY_TOKEN: mockCredentials.service.token({
        onBehalfOf: mockCredentials.service('external:ci-pipeline'),
        targetPluginId: 'evidence',
      }),
    };

    for (const [category, file] of [
      ['tests', junit],
      ['coverage', lcov],
    ]) {
      const { ctx, out, err } = captureContext(env);
      const code = await run(
        [
          'evidence',
          'push',
          '--entity',
          'component:default/payments',
          '--category',
          category,
          '--file',
          file,
          '--subject',
          'commit=abc123',
        ],
        ctx,
      );
      expect(err).toEqual([]);
      expect(code).toBe(0);
      expect(out.join('\n')).toMatch(/seq/);
    }

    const bad = captureContext(env);
    expect(
      await run(
        [
          'evidence',
          'push',
          '--entity',
          'component:default/payments',
          '--category',
          'no-such-category',
        ],
        bad.ctx,
      ),
    ).toBe(1);
    expect(bad.err.join('\n')).toMatch(
      /category: unknown category 'no-such-category'/,
    );

    const noToken = captureContext({ ASSAY_URL: url });
    expect(
      await run(
        [
          'evidence',
          'push',
          '--entity',
          'component:default/payments',
          '--category',
          'tests',
          '--token',
          'wrong',
        ],
        noToken.ctx,
      ),
    ).toBe(1);

    const verify = captureContext(env);
    expect(
      await run(
        ['evidence', 'verify', '--entity', 'component:default/payments'],
        verify.ctx,
      ),
    ).toBe(0);
    expect(verify.out.join('\n')).toMatch(/2 records/i);

    const zip = path.join(dir, 'pack.zip');
    const exp = captureContext(env);
    expect(
      await run(
        [
          'evidence',
          'export',
          '--entity',
          'component:default/payments',
          '-o',
          zip,
        ],
        exp.ctx,
      ),
    ).toBe(0);
    const offline = captureContext({});
    expect(
      await run(['evidence', 'verify', '--bundle', zip], offline.ctx),
    ).toBe(0);
  });

  it('generates a signing key the backend accepts', async () => {
    const { ctx, out } = captureContext({});
    expect(
      await run(
        ['evidence', 'keygen', '--origin', 'assay.example.com/evidence'],
        ctx,
      ),
    ).toBe(0);
    const signer = out.find(l =>
      l.startsWith('PRIVATE+KEY+assay.example.com/evidence+'),
    )!;
    expect(signer).toBeDefined();
    const { server } = await startTestBackend({
      features: [
        evidencePlugin,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            evidence: {
              origin: 'assay.example.com/evidence',
              signing: { key: signer },
            },
          },
        }),
      ],
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const res = await fetch(`${url}/api/evidence/v1/public-key`, {
      headers: { authorization: mockCredentials.user.header() },
    });
    expect((await res.json()).verifierKey).toBe(
      out.find(l => l.startsWith('assay.example.com/evidence+')),
    );
  });
});
