import { createHash } from 'node:crypto';
import { mapLimit } from '../src/service/computeResult';
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  FactRetriever,
  techInsightsFactRetrieversExtensionPoint,
} from '@backstage-community/plugin-tech-insights-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EvidenceService,
  evidenceServiceRef,
} from '@assay/plugin-evidence-node';
import {
  CHAIN_WINDOW,
  CheckDefinition,
  entityFacts,
  evidenceFacts,
  Rule,
  toRef,
} from '@assay/plugin-scorecards-common';

function tiType(f: string) {
  if (/linePct|RegressionPct|errorRate|p95Ms|successRate/.test(f))
    return 'float';
  if (/verified|signed/.test(f)) return 'boolean';
  if (
    /\.(tests|failures|errors|skipped|error|warning|note|critical|high|medium|components)$/.test(
      f,
    )
  ) {
    return 'integer';
  }
  return 'string';
}

/** node:crypto SHA-256, as the Assay engine uses. */
const nativeSha256 = (data: Uint8Array) =>
  new Uint8Array(createHash('sha256').update(data).digest());

/** Tech Insights fact names can't contain dots or slashes. */
export const tiName = (fact: string) => fact.replace(/[^A-Za-z0-9]/g, '_');

/**
 * The same facts Assay reads, as one Tech Insights fact retriever written
 * the way TI retrievers are (the catalog entities of its `entityFilter`,
 * then one source read per entity): the entities streamed from the same
 * catalog service, the evidence read through the same `evidenceServiceRef`
 * (a catalog page's newest records in one bulk read, as Assay reads them;
 * else one read per entity, 8 in flight like Assay's default concurrency) with the
 * retriever's own service credentials, and the facts derived with the
 * same code (scorecards-common's entityFacts / evidenceFacts, node:crypto
 * SHA-256, no verification cache) — so both engines evaluate identical
 * inputs.
 */
export function assayFactRetriever(
  factNames: string[],
  onStart: () => void,
): FactRetriever & {
  deps: { catalog: CatalogService; evidence: EvidenceService };
} {
  const schema: Record<string, { type: any; description: string }> = {};
  for (const f of factNames) {
    schema[tiName(f)] = {
      type: tiType(f),
      description: f,
    };
    schema[`${tiName(f)}__present`] = {
      type: 'boolean',
      description: `${f} is present`,
    };
  }
  const deps = {} as { catalog: CatalogService; evidence: EvidenceService };
  return {
    id: 'assay-facts',
    version: '0.0.1',
    entityFilter: [{ kind: 'component' }],
    schema,
    deps,
    async handler(ctx) {
      onStart();
      const credentials = await ctx.auth.getOwnServiceCredentials();
      const domains = new Map<string, string>();
      for await (const page of deps.catalog.streamEntities(
        { filter: { kind: 'system' } },
        { credentials },
      )) {
        for (const s of page) {
          if (typeof s.spec?.domain === 'string')
            domains.set(
              toRef(`system:${s.metadata.name}`, 'system'),
              toRef(s.spec.domain, 'domain'),
            );
        }
      }
      const out = [];
      for await (const page of deps.catalog.streamEntities(
        { filter: ctx.entityFilter as any, pageSize: 1000 },
        { credentials },
      )) {
        const refOf = (e: (typeof page)[number]) =>
          toRef(
            `${e.kind}:${e.metadata.namespace ?? 'default'}/${e.metadata.name}`,
            'component',
          );
        // the same evidence access as Assay: the page's newest records in
        // bulk when the evidence service can, else one read per entity
        const bulk = new Map<string, Array<{ envelope: any; hash: string }>>();
        if (deps.evidence.latestForEntities) {
          const latest = await deps.evidence.latestForEntities(
            page.map(refOf),
            { window: CHAIN_WINDOW, credentials },
          );
          for (const item of latest) bulk.set(item.entityRef, item.records);
        }
        const rows = await mapLimit(page, 8, async e => {
          const ref = refOf(e);
          const items =
            bulk.get(ref) ??
            (
              await deps.evidence.list(ref, {
                order: 'desc',
                limit: CHAIN_WINDOW,
                credentials,
              })
            ).items;
          const system =
            typeof e.spec?.system === 'string'
              ? toRef(e.spec.system, 'system')
              : undefined;
          const facts = {
            ...entityFacts(e, {
              domain: system ? domains.get(system) : undefined,
            }),
            ...evidenceFacts(items, { hash: nativeSha256 }),
          };
          // every fact always present (json-rules-engine throws on undefined
          // facts): missing values are null (fails numeric operators) and
          // existence is its own boolean fact
          const values: Record<string, any> = {};
          for (const f of factNames) {
            const v = facts[f]?.value;
            const t = schema[tiName(f)].type;
            let value: unknown = null;
            if (v !== undefined && v !== null)
              value = t === 'string' ? String(v) : v;
            values[tiName(f)] = value;
            values[`${tiName(f)}__present`] = v !== undefined && v !== null;
          }
          return {
            entity: {
              namespace: e.metadata.namespace ?? 'default',
              kind: e.kind.toLowerCase(),
              name: e.metadata.name,
            },
            facts: values,
          };
        });
        out.push(...rows);
      }
      return out;
    },
  };
}

export function techInsightsRetrieverModule(
  retriever: ReturnType<typeof assayFactRetriever>,
) {
  return createBackendModule({
    pluginId: 'tech-insights',
    moduleId: 'assay-bench-facts',
    register(env) {
      env.registerInit({
        deps: {
          providers: techInsightsFactRetrieversExtensionPoint,
          catalog: catalogServiceRef,
          evidence: evidenceServiceRef,
        },
        async init({ providers, catalog, evidence }) {
          retriever.deps.catalog = catalog;
          retriever.deps.evidence = evidence;
          providers.addFactRetrievers({ 'assay-facts': retriever });
        },
      });
    },
  });
}

/** Our rule as a json-rules-engine condition (missing facts fail). */
function toCondition(rule: Rule): any {
  if ('all' in rule) return { all: rule.all.map(toCondition) };
  if ('any' in rule) return { any: rule.any.map(toCondition) };
  if ('not' in rule) return { not: toCondition(rule.not) };
  const fact = tiName(rule.fact);
  const r = rule as any;
  if ('exists' in r)
    return { fact: `${fact}__present`, operator: 'equal', value: r.exists };
  if ('equals' in r) return { fact, operator: 'equal', value: r.equals };
  if ('notEquals' in r)
    return { fact, operator: 'notEqual', value: r.notEquals };
  if ('in' in r) return { fact, operator: 'in', value: r.in };
  const parts = [];
  if (r.gt !== undefined)
    parts.push({ fact, operator: 'greaterThan', value: r.gt });
  if (r.gte !== undefined)
    parts.push({ fact, operator: 'greaterThanInclusive', value: r.gte });
  if (r.lt !== undefined)
    parts.push({ fact, operator: 'lessThan', value: r.lt });
  if (r.lte !== undefined)
    parts.push({ fact, operator: 'lessThanInclusive', value: r.lte });
  return parts.length === 1 ? parts[0] : { all: parts };
}

/** `techInsights.factChecker.checks` equivalent to our checks. */
export function techInsightsChecksConfig(checks: CheckDefinition[]) {
  const out: Record<string, any> = {};
  for (const c of checks) {
    const cond = toCondition(c.rule);
    out[c.id] = {
      type: 'json-rules-engine',
      name: c.title,
      description: c.title,
      factIds: ['assay-facts'],
      rule: {
        conditions:
          'all' in cond || 'any' in cond || 'not' in cond
            ? cond
            : { all: [cond] },
      },
    };
  }
  return out;
}
