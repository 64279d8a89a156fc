import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { evidencePlugin } from './plugin';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'integer query parameters on %p',
  id => {
    it('are range-checked: 400 naming the parameter, never a database error', async () => {
      const knex = await databases.init(id);
      const { server } = await startTestBackend({
        features: [
          evidencePlugin,
          catalogServiceMock.factory({ entities: [] }),
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: { backend: { baseUrl: 'http://localhost:7007' } },
          }),
        ],
      });
      const huge = '100000000000000000000'; // 1e20
      const list = '/api/evidence/v1/entities/component/default/a/records';
      for (const [path, field] of [
        [`${list}?cursor=${huge}`, 'cursor'],
        [`${list}?cursor=2147483648`, 'cursor'],
        [`${list}?cursor=1e20`, 'cursor'],
        [`${list}?limit=1e20`, 'limit'],
        [
          `/api/evidence/v1/proofs/inclusion?leafIndex=${huge}&treeSize=1`,
          'leafIndex',
        ],
        [
          `/api/evidence/v1/proofs/inclusion?leafIndex=0&treeSize=${huge}`,
          'treeSize',
        ],
        [`/api/evidence/v1/proofs/consistency?from=1&to=${huge}`, 'to'],
        ['/api/evidence/v1/proofs/consistency?from=-1&to=2', 'from'],
      ]) {
        const r = await request(server).get(path);
        expect([path, r.status]).toEqual([path, 400]);
        expect(r.body.error.message).toMatch(new RegExp(`^${field}: `));
      }
      // the largest safe value is accepted as input (and simply finds nothing)
      await request(server)
        .get(`${list}?cursor=2147483647`)
        .expect(200, /"items":\[\]/);
    });
  },
);
