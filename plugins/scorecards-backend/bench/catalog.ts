import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';

/**
 * The catalog both systems read in the benchmark: catalogServiceMock
 * (InMemoryCatalogClient) with `streamEntities` paging a list grouped by
 * kind. The mock's own `streamEntities` rebuilds the search rows of every
 * entity for every page (O(entities × pages): about a second per 10,000
 * entities), a cost no real catalog has. Pages are handed out as fresh
 * copies (JSON round trip), as a catalog client decodes them from HTTP.
 * `getEntityByRef` is an indexed lookup, as in a real catalog (the mock's
 * builds a map of every entity per call: O(entities) per lookup, which made
 * the evidence backend's entity check of each compliance append cost ~20 ms
 * at 10,000 entities); so is `getEntitiesByRefs` (the evidence backend's
 * one lookup per batch append).
 */
export function benchCatalog(entities: Entity[]) {
  const catalog = catalogServiceMock({ entities });
  const byKind = new Map<string, Entity[]>();
  for (const e of entities) {
    const k = e.kind.toLowerCase();
    byKind.set(k, [...(byKind.get(k) ?? []), e]);
  }
  const byRef = new Map(entities.map(e => [stringifyEntityRef(e), e]));
  catalog.getEntityByRef = async (ref: any) => {
    // as the mock resolves a ref, without building a map per call
    const e = byRef.get(
      stringifyEntityRef(typeof ref === 'string' ? parseEntityRef(ref) : ref),
    );
    return e ? JSON.parse(JSON.stringify(e)) : undefined;
  };
  catalog.getEntitiesByRefs = async (request: any) => ({
    // indexed as getEntityByRef (the evidence backend looks up each batch's
    // entities at once); null for a ref the catalog does not have
    items: request.entityRefs.map((ref: string) => {
      const e = byRef.get(stringifyEntityRef(parseEntityRef(ref)));
      return e ? JSON.parse(JSON.stringify(e)) : null;
    }),
  });
  catalog.streamEntities = async function* streamEntities(request?: any) {
    // filters: one object or an array of alternatives; only `kind` is used
    const filters = [request?.filter ?? {}].flat();
    const kinds = [
      ...new Set(
        filters.flatMap((f: any) =>
          [f.kind ?? [...byKind.keys()]]
            .flat()
            .map(k => String(k).toLowerCase()),
        ),
      ),
    ] as string[];
    const list = kinds.flatMap(k => byKind.get(k) ?? []);
    const size = request?.pageSize ?? 500;
    for (let i = 0; i < list.length; i += size) {
      yield JSON.parse(JSON.stringify(list.slice(i, i + size)));
    }
  };
  return catalog;
}
