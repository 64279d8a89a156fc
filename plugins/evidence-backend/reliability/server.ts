/* eslint-disable no-console */
/**
 * One evidence backend PROCESS for `yarn test:reliability`: the real plugin
 * (router, log, store, worker) on the PostgreSQL database given as argv[2],
 * with Backstage's mock auth and an in-memory catalog of the test entities.
 * Prints `PORT <n>` once it listens.
 */
import Knex from 'knex';
import type { AddressInfo } from 'node:net';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { evidencePlugin } from '../src/plugin';
import { ENTITIES } from './entities';

async function main() {
  const [connection, signingKey] = process.argv.slice(2);
  const knex = Knex({ client: 'pg', connection, pool: { min: 1, max: 8 } });
  const { server } = await startTestBackend({
    features: [
      evidencePlugin,
      catalogServiceMock.factory({
        entities: ENTITIES.map(ref => ({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: ref.split('/')[1], namespace: 'default' },
          spec: { owner: 'user:default/mock', type: 'service' },
        })),
      }),
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          backend: { baseUrl: 'http://localhost:7007' },
          evidence: {
            origin: 'reliability.assay.dev/evidence',
            signing: { key: signingKey },
          },
        },
      }),
    ],
  });
  console.log(`PORT ${(server.address() as AddressInfo).port}`);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
