import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { DependencyCycleError, planWaves } from '@assay/plugin-delivery-common';
import { normalizeEntityRef } from '@assay/plugin-evidence-common';
import { PlanGraph } from './types';

/** At most this many services in one plan. */
export const MAX_PLAN_ENTITIES = 200;

/** Normalizes and de-duplicates the requested refs; 400 naming the field. */
export function normalizeRefs(refs: unknown): string[] {
  if (!Array.isArray(refs) || refs.length === 0) {
    throw new InputError('entityRefs: a non-empty array of entity refs');
  }
  if (refs.length > MAX_PLAN_ENTITIES) {
    throw new InputError(
      `entityRefs: at most ${MAX_PLAN_ENTITIES} services per plan, got ${refs.length}`,
    );
  }
  const out: string[] = [];
  refs.forEach((r, i) => {
    let ref: string;
    try {
      ref = normalizeEntityRef(r as string);
    } catch (e) {
      throw new InputError(`entityRefs[${i}]: ${(e as Error).message}`);
    }
    if (!out.includes(ref)) out.push(ref);
  });
  return out;
}

const refKey = (ref: string) => ref.toLocaleLowerCase('en-US');

/**
 * The dependency graph of the chosen services: an edge `[a, b]` for every
 * catalog `dependsOn` relation (or `spec.dependsOn` entry) of a pointing at
 * another chosen service b. Dependencies on services outside the plan are
 * not followed (they are not promoted by it).
 */
export async function dependencyGraph(
  entityRefs: string[],
  catalog: CatalogService,
  credentials: BackstageCredentials,
): Promise<PlanGraph> {
  const { items } = await catalog.getEntitiesByRefs(
    { entityRefs },
    { credentials },
  );
  const missing = entityRefs.filter((_, i) => !items[i]);
  if (missing.length) {
    throw new InputError(
      `entityRefs: not in the catalog: ${missing.join(', ')}`,
    );
  }
  const chosen = new Map(entityRefs.map(r => [refKey(r), r]));
  const edges: Array<[string, string]> = [];
  const seen = new Set<string>();
  const add = (from: string, target: string) => {
    let to: string | undefined;
    try {
      to = chosen.get(refKey(normalizeEntityRef(target)));
    } catch {
      return; // not a valid ref: not a dependency we can order by
    }
    const key = `${from}\u0000${to}`;
    if (!to || seen.has(key)) return;
    seen.add(key);
    edges.push([from, to]);
  };
  items.forEach((entity, i) => {
    const from = entityRefs[i];
    for (const rel of entity?.relations ?? []) {
      if (rel.type === 'dependsOn') add(from, rel.targetRef);
    }
    const namespace = entity?.metadata.namespace ?? 'default';
    const spec = entity?.spec as { dependsOn?: unknown } | undefined;
    if (Array.isArray(spec?.dependsOn)) {
      for (const d of spec!.dependsOn) {
        if (typeof d !== 'string') continue;
        const colon = d.indexOf(':');
        if (colon < 0) continue; // dependsOn refs name their kind
        add(
          from,
          d.includes('/')
            ? d
            : `${d.slice(0, colon)}:${namespace}/${d.slice(colon + 1)}`,
        );
      }
    }
  });
  return { nodes: entityRefs, edges };
}

/** Waves of a graph; a cycle → 400 whose message names it. */
export function wavesOf(graph: PlanGraph): string[][] {
  try {
    return planWaves(graph).waves;
  } catch (e) {
    if (e instanceof DependencyCycleError) {
      throw new InputError(
        `entityRefs: the services depend on each other in a cycle, so no order can promote them: ${e.message}`,
      );
    }
    throw e;
  }
}
