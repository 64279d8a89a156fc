import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { generateSignerKey } from '@assay/plugin-evidence-common';
import { evidencePlugin } from '../plugin';
import { DatabaseEvidenceStore } from '../store/DatabaseEvidenceStore';
import { testConfig } from '../store/testUtils';
import { EvidenceLog } from './EvidenceLog';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('checkpoint signing key in production', () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  async function logWith(signerKey?: string) {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseEvidenceStore.create({
      database: mockServices.database({ knex }),
    });
    return {
      knex,
      log: new EvidenceLog(
        store,
        { ...testConfig, signerKey },
        mockServices.logger.mock(),
      ),
    };
  }

  it('refuses to start without a configured key, and generates none', async () => {
    process.env.NODE_ENV = 'production';
    const { knex, log } = await logWith(undefined);
    await expect(log.init()).rejects.toThrow(
      /NODE_ENV=production.*set ASSAY_EVIDENCE_SIGNING_KEY \(config evidence\.signing\.key\)/,
    );
    expect(await knex('evidence_signing_keys').count({ n: '*' })).toEqual([
      { n: 0 },
    ]);
  });

  it('starts in production with a configured key', async () => {
    process.env.NODE_ENV = 'production';
    const key = generateSignerKey(testConfig.origin);
    const { log } = await logWith(key);
    await log.init();
    expect(log.verifierKey).toMatch(/^test\.assay\.dev\/evidence\+/);
  });

  it('outside production, generates a development key into the database', async () => {
    process.env.NODE_ENV = 'development';
    const { knex, log } = await logWith(undefined);
    await log.init();
    expect(await knex('evidence_signing_keys').count({ n: '*' })).toEqual([
      { n: 1 },
    ]);
  });

  it('the backend does not start in production without the key', async () => {
    process.env.NODE_ENV = 'production';
    await expect(
      startTestBackend({
        features: [
          evidencePlugin,
          catalogServiceMock.factory({ entities: [] }),
          mockServices.rootConfig.factory({
            data: {
              backend: { baseUrl: 'http://localhost:7007' },
              evidence: { origin: 'test.assay.dev/evidence' },
            },
          }),
        ],
      }),
    ).rejects.toThrow(/ASSAY_EVIDENCE_SIGNING_KEY/);
  });
});
