/*
 * The demo catalog, loaded by the real catalog backend on every database the
 * portal supports: SQLite (the embedded default) and PostgreSQL (production).
 *
 * PostgreSQL runs when BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is
 * set (scripts/test.sh and .ci/run start a throwaway cluster and set it).
 */
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { resolve as resolvePath } from 'node:path';
import request from 'supertest';

jest.setTimeout(120_000);

const repoRoot = resolvePath(__dirname, '../../..');

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

if (process.env.CI) {
  it('runs on PostgreSQL in CI', () => {
    // Without this, a CI run without a PostgreSQL cluster would pass silently.
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });
}

async function waitForEntity(
  server: Parameters<typeof request>[0],
  ref: string,
  ready: (entity: Entity) => boolean,
): Promise<Entity> {
  const [kind, name] = ref.split(':');
  const deadline = Date.now() + 90_000;
  for (;;) {
    const res = await request(server).get(
      `/api/catalog/entities/by-name/${kind}/default/${name}`,
    );
    if (res.status === 200 && ready(res.body)) {
      return res.body;
    }
    if (Date.now() > deadline) {
      throw new Error(`${ref} not ready: ${res.status} ${res.text}`);
    }
    await new Promise(r => setTimeout(r, 250));
  }
}

const targetsOf = (entity: Entity, type: string) =>
  (entity.relations ?? [])
    .filter(r => r.type === type)
    .map(r => r.targetRef)
    .sort();

describe.each(databases.eachSupportedId())('demo catalog on %p', id => {
  it('loads the demo organisation and example-service', async () => {
    const knex = await databases.init(id);
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              rules: [
                {
                  allow: ['Component', 'System', 'API', 'Resource', 'Location'],
                },
              ],
              locations: [
                {
                  type: 'file',
                  target: resolvePath(repoRoot, 'catalog/example-service.yaml'),
                },
                {
                  type: 'file',
                  target: resolvePath(repoRoot, 'catalog/org.yaml'),
                  rules: [{ allow: ['User', 'Group'] }],
                },
              ],
            },
          },
        }),
      ],
    });

    const { server } = backend;
    try {
      const serviceB = await waitForEntity(
        server,
        'component:service-b',
        e => targetsOf(e, 'dependsOn').length > 0,
      );
      expect(serviceB.spec).toMatchObject({
        type: 'service',
        lifecycle: 'production',
        owner: 'payments-team',
        system: 'example-service',
      });
      expect(serviceB.metadata.annotations).toMatchObject({
        'assay.dev/evidence-enabled': 'true',
        'assay.dev/compliance-mode': 'sandbox',
        'assay.dev/canary-steps': '10,50,100',
      });
      expect(targetsOf(serviceB, 'dependsOn')).toEqual([
        'component:default/service-a',
        'resource:default/service-mesh',
      ]);
      expect(targetsOf(serviceB, 'consumesApi')).toEqual([
        'api:default/service-a-api',
      ]);

      const serviceA = await waitForEntity(
        server,
        'component:service-a',
        e => targetsOf(e, 'dependencyOf').length > 0,
      );
      expect(serviceA.metadata.annotations).toMatchObject({
        'assay.dev/compliance-mode': 'compliance',
      });
      expect(targetsOf(serviceA, 'providesApi')).toEqual([
        'api:default/service-a-api',
      ]);
      expect(targetsOf(serviceA, 'dependencyOf')).toEqual([
        'component:default/service-b',
      ]);
      expect(targetsOf(serviceA, 'ownedBy')).toEqual([
        'group:default/payments-team',
      ]);

      // The guest sign-in resolves to this user (auth.providers.guest).
      const guest = await waitForEntity(
        server,
        'user:guest',
        e => targetsOf(e, 'memberOf').length > 0,
      );
      expect(targetsOf(guest, 'memberOf')).toEqual([
        'group:default/payments-team',
      ]);

      const kinds = [
        { value: 'API', count: 1 },
        { value: 'Component', count: 2 },
        { value: 'Group', count: 2 },
        { value: 'Resource', count: 2 },
        { value: 'System', count: 1 },
        { value: 'User', count: 5 },
      ];
      // the catalog stitches entities one by one: the counts settle once
      // every entity is processed (a user could still be missing here)
      const deadline = Date.now() + 60_000;
      let byKind = await request(server).get(
        '/api/catalog/entity-facets?facet=kind',
      );
      const settled = () =>
        kinds.every(k =>
          (byKind.body.facets?.kind ?? []).some(
            (f: { value: string; count: number }) =>
              f.value === k.value && f.count === k.count,
          ),
        );
      while (!settled() && Date.now() < deadline) {
        await new Promise(r => setTimeout(r, 250));
        byKind = await request(server).get(
          '/api/catalog/entity-facets?facet=kind',
        );
      }
      expect(byKind.body.facets.kind).toEqual(expect.arrayContaining(kinds));
    } finally {
      await backend.stop();
    }
  });
});
