import { createHash } from 'node:crypto';
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  FactRetriever,
  techInsightsFactRetrieversExtensionPoint,
} from '@backstage-community/plugin-tech-insights-node';
import {
  CheckDefinition,
  entityFacts,
  evidenceFacts,
  Rule,
  toRef,
} from '@assay/plugin-scorecards-common';
import { MemoryEvidenceService } from '../src/__testUtils__/MemoryEvidenceService';

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
 * The same facts Assay reads, as one Tech Insights fact retriever over the
 * same catalog entities and the same evidence (newest record per category,
 * derived facts) — so both engines evaluate identical inputs.
 */
export function assayFactRetriever(
  entities: any[],
  systems: any[],
  evidence: MemoryEvidenceService,
  factNames: string[],
  onStart: () => void,
): FactRetriever {
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
  const domains = new Map(
    systems.map(s => [
      `system:default/${s.metadata.name}`,
      toRef(s.spec.domain, 'domain'),
    ]),
  );
  return {
    id: 'assay-facts',
    version: '0.0.1',
    entityFilter: [{ kind: 'component' }],
    schema,
    async handler() {
      onStart();
      const out = [];
      for (const e of entities) {
        const ref = `component:default/${e.metadata.name}`;
        const { items } = await evidence.list(ref, {
          order: 'desc',
          limit: 200,
          credentials: undefined as any,
        });
        const facts = {
          ...entityFacts(e, {
            domain: domains.get(`system:default/${e.spec.system}`),
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
        out.push({
          entity: {
            namespace: 'default',
            kind: 'component',
            name: e.metadata.name,
          },
          facts: values,
        });
      }
      return out;
    },
  };
}

export function techInsightsRetrieverModule(retriever: FactRetriever) {
  return createBackendModule({
    pluginId: 'tech-insights',
    moduleId: 'assay-bench-facts',
    register(env) {
      env.registerInit({
        deps: { providers: techInsightsFactRetrieversExtensionPoint },
        async init({ providers }) {
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
