import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ProducerScope } from './producers';

const entity = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: { owner: 'group:default/payments-team' },
});
const ref = (name: string) => `component:default/${name}`;

function scope() {
  const known = new Map(['a', 'b', 'c'].map(n => [ref(n), entity(n)]));
  const catalog = {
    getEntitiesByRefs: jest.fn(async ({ entityRefs }: any) => ({
      items: entityRefs.map((r: string) => known.get(r) ?? null),
    })),
    getEntityByRef: jest.fn(async (r: string) => known.get(r)),
  };
  const producers = new ProducerScope(
    { producers: [], pluginProducers: { scorecards: ['compliance'] } },
    catalog as any,
    mockServices.auth(),
  );
  return { producers, catalog };
}

describe('ProducerScope.prefetch', () => {
  const plugin = mockCredentials.service('plugin:scorecards');

  it("looks a batch's entities up in one catalog request; each record's check is then a cache hit", async () => {
    const { producers, catalog } = scope();
    await producers.prefetch([ref('a'), ref('b'), ref('a'), ref('ghost')]);
    expect(catalog.getEntitiesByRefs).toHaveBeenCalledTimes(1);
    expect(catalog.getEntitiesByRefs.mock.calls[0][0]).toEqual({
      entityRefs: [ref('a'), ref('b'), ref('ghost')],
    });
    for (const name of ['a', 'b']) {
      await (await producers.forEntity(plugin, ref(name))).check('compliance');
    }
    expect(catalog.getEntityByRef).not.toHaveBeenCalled();

    // an entity the catalog does not have is not cached: its record fails
    // its own check (asked again), naming the field
    await expect(
      (await producers.forEntity(plugin, ref('ghost'))).check('compliance'),
    ).rejects.toThrow(
      /^entityRef: component:default\/ghost is not in the catalog/,
    );
    expect(catalog.getEntityByRef).toHaveBeenCalledTimes(1);

    // known entities are not asked for again; the rest are
    await producers.prefetch([ref('a'), ref('c')]);
    expect(catalog.getEntitiesByRefs).toHaveBeenCalledTimes(2);
    expect(catalog.getEntitiesByRefs.mock.calls[1][0]).toEqual({
      entityRefs: [ref('c')],
    });
    await producers.prefetch([ref('a'), ref('c')]);
    expect(catalog.getEntitiesByRefs).toHaveBeenCalledTimes(2);
  });

  it('still refuses a category the plugin may not write, after a prefetch', async () => {
    const { producers } = scope();
    await producers.prefetch([ref('a')]);
    await expect(
      (await producers.forEntity(plugin, ref('a'))).check('canary'),
    ).rejects.toThrow(
      /^category: 'canary' refused: plugin:scorecards may write only compliance/,
    );
  });
});
