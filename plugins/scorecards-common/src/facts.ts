import { EvidenceEnvelope, HashFn } from '@assay/plugin-evidence-common';
import { envelopeMatches } from './hashing';
import { COMPLIANCE_MODE_ANNOTATION, Facts, FactValue, Mode } from './types';

/** A record as read from the evidence store or an audit pack. @public */
export type EvidenceInput = { envelope: EvidenceEnvelope; hash: string };

/**
 * How many of an entity's newest records are read and link-checked for
 * `evidence.chain.verified` (the same window on replay).
 *
 * @public
 */
export const CHAIN_WINDOW = 200;

/**
 * Categories scorecards never read facts from: their own outputs.
 *
 * @public
 */
export const OUTPUT_CATEGORIES = ['compliance', 'waiver'];

/** The minimal shape of a catalog entity that facts are read from. @public */
export type EntityLike = {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    title?: string;
    tags?: string[];
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
};

/** `kind:namespace/name` in lower case, with defaults. @public */
export function toRef(
  ref: string,
  defaultKind: string,
  defaultNamespace = 'default',
): string {
  let kind = defaultKind;
  let rest = ref;
  const colon = ref.indexOf(':');
  if (colon > 0) {
    kind = ref.slice(0, colon);
    rest = ref.slice(colon + 1);
  }
  const slash = rest.indexOf('/');
  const ns = slash >= 0 ? rest.slice(0, slash) : defaultNamespace;
  const name = slash >= 0 ? rest.slice(slash + 1) : rest;
  return `${kind}:${ns}/${name}`.toLowerCase();
}

/** The entity's ref, `kind:namespace/name`, lower case. @public */
export function entityRefOf(entity: EntityLike): string {
  return `${entity.kind}:${entity.metadata.namespace ?? 'default'}/${
    entity.metadata.name
  }`.toLowerCase();
}

/** Mode from the `assay.dev/compliance-mode` annotation (default sandbox). @public */
export function modeOf(entity: EntityLike): Mode {
  return entity.metadata.annotations?.[COMPLIANCE_MODE_ANNOTATION] ===
    'compliance'
    ? 'compliance'
    : 'sandbox';
}

/**
 * Catalog facts: `entity.kind`, `entity.name`, `entity.namespace`,
 * `entity.title`, `entity.type`, `entity.lifecycle`, `entity.owner`,
 * `entity.system`, `entity.domain` (resolved by the caller from the
 * system), `entity.tags` (comma-joined) and `entity.annotations.<key>`.
 *
 * @public
 */
export function entityFacts(
  entity: EntityLike,
  extra: { domain?: string } = {},
): Facts {
  const facts: Facts = {};
  const put = (k: string, v: FactValue | undefined) => {
    if (v !== undefined && v !== null && v !== '') facts[k] = { value: v };
  };
  const spec = entity.spec ?? {};
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  put('entity.kind', entity.kind.toLowerCase());
  put('entity.name', entity.metadata.name);
  put('entity.namespace', entity.metadata.namespace ?? 'default');
  put('entity.title', entity.metadata.title);
  put('entity.type', str(spec.type));
  put('entity.lifecycle', str(spec.lifecycle));
  const owner = str(spec.owner);
  put('entity.owner', owner ? toRef(owner, 'group') : undefined);
  const system = str(spec.system);
  put('entity.system', system ? toRef(system, 'system') : undefined);
  put(
    'entity.domain',
    extra.domain ??
      (str(spec.domain) ? toRef(str(spec.domain)!, 'domain') : undefined),
  );
  put(
    'entity.tags',
    (entity.metadata.tags ?? []).map(t => t.toLowerCase()).join(','),
  );
  put('entity.mode', modeOf(entity));
  for (const [k, v] of Object.entries(entity.metadata.annotations ?? {})) {
    put(`entity.annotations.${k}`, v);
  }
  return facts;
}

/** Restores catalog facts saved in a result's replay input. @public */
export function factsFromValues(values: Record<string, FactValue>): Facts {
  const facts: Facts = {};
  for (const [k, v] of Object.entries(values)) facts[k] = { value: v };
  return facts;
}

const SUCCESS = ['succeeded', 'success', 'promoted', 'pass', 'passed'];

/** Canary decisions that end a run, and the outcome each means. */
const CANARY_END: Record<string, string> = {
  completed: 'succeeded',
  promoted: 'promoted',
  rollback: 'rolled-back',
  aborted: 'aborted',
};

function canaryOutcome(r: EvidenceInput): string | undefined {
  const s = r.envelope.summary;
  if (typeof s.outcome === 'string' && s.outcome) return s.outcome;
  return typeof s.decision === 'string' ? CANARY_END[s.decision] : undefined;
}

/** The final record of a promotion: it carries an outcome and is no rollback. */
function isFinalPromotion(r: EvidenceInput): boolean {
  const s = r.envelope.summary;
  return (
    typeof s.outcome === 'string' &&
    s.outcome !== '' &&
    (s.kind === undefined || s.kind === null || s.kind === 'promotion')
  );
}

/**
 * Evidence facts from an entity's records (any order; only the newest
 * {@link CHAIN_WINDOW} by seq are used):
 *
 * - `evidence.<category>.<summary key>`, `.producedAt`, `.seq` of the
 *   newest record per category (not `compliance` / `waiver`);
 * - `evidence.load-test.p95RegressionPct`: from the summary if given, else
 *   the change of `p95Ms` against the previous load-test record, else
 *   against `baselineP95Ms`;
 * - `evidence.promotion.successRate`: share of successes among the last
 *   20 promotion records that carry an `outcome` — the final record of a
 *   promotion (`kind: 'promotion'`, or no `kind`); release, gate-decision,
 *   approval and plan-step records carry none, and rollbacks
 *   (`kind: 'rollback'`) are not promotions;
 * - `evidence.canary.outcome`: how the newest finished canary run ended,
 *   from the delivery plugin's decision records (`summary.decision`):
 *   `completed` → `succeeded`, `promoted` → `promoted`, `rollback` →
 *   `rolled-back`, `aborted` → `aborted` (a record with its own
 *   `summary.outcome` keeps it);
 * - `evidence.canary.classification`: the newest canary verdict's
 *   classification (`Pass` / `Marginal` / `Fail`, on `verdict` and
 *   `argo-verdict` records);
 * - `evidence.chain.verified`: every record in the window hashes to its
 *   hash and links to the one before (cites the newest record that is not
 *   a scorecards output — `compliance`, `waiver` — so recording a result
 *   does not change the next one);
 * - `evidence.records`: how many records the entity had up to that record
 *   (its seq).
 *
 * A record whose envelope does not hash to its hash is not used for facts.
 * Every fact cites the hashes it came from. Pure (`hash` only chooses the
 * SHA-256 implementation, e.g. node:crypto in the backend).
 *
 * @public
 */
export function evidenceFacts(
  records: EvidenceInput[],
  options: {
    hash?: HashFn;
    /** Hex SHA-256 of a string's UTF-8 bytes, if faster than `hash` (node:crypto). */
    hashText?: (text: string) => string;
    /**
     * Whether a record is known to match its hash already (a cache of
     * earlier verifications of the same envelope object); others are
     * hashed.
     */
    verified?: (r: EvidenceInput) => boolean;
    onVerified?: (r: EvidenceInput) => void;
    /**
     * Facts object to add the evidence facts to (e.g. the catalog facts),
     * returned; a new object by default.
     */
    into?: Facts;
  } = {},
): Facts {
  const facts: Facts = options.into ?? {};
  const sorted = [...records]
    .sort((a, b) => b.envelope.seq - a.envelope.seq)
    .slice(0, CHAIN_WINDOW);
  if (sorted.length === 0) return facts;
  let chainOk = true;
  const good: EvidenceInput[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i];
    const ok =
      options.verified?.(r) ||
      envelopeMatches(r.envelope, r.hash, options.hash, options.hashText);
    if (ok) options.onVerified?.(r);
    if (ok) good.push(r);
    else chainOk = false;
    const next = sorted[i + 1];
    if (next) {
      if (
        next.envelope.seq !== r.envelope.seq - 1 ||
        r.envelope.previousHash !== next.hash
      ) {
        chainOk = false;
      }
    } else if (r.envelope.seq === 1 && r.envelope.previousHash !== null) {
      chainOk = false;
    }
  }
  // Cite the newest record scorecards read facts from, not the newest
  // record: scorecards' own outputs (a compliance record written after a
  // result) must not change the next result, or every refresh would.
  const head =
    sorted.find(r => !OUTPUT_CATEGORIES.includes(r.envelope.category)) ??
    sorted[0];
  facts['evidence.chain.verified'] = {
    value: chainOk,
    evidence: [head.hash],
  };
  facts['evidence.records'] = {
    value: head.envelope.seq,
    evidence: [head.hash],
  };

  const byCategory = new Map<string, EvidenceInput[]>();
  for (const r of good) {
    if (OUTPUT_CATEGORIES.includes(r.envelope.category)) continue;
    const list = byCategory.get(r.envelope.category) ?? [];
    list.push(r);
    byCategory.set(r.envelope.category, list);
  }
  for (const [category, list] of byCategory) {
    const latest = list[0];
    // the same citation in each fact of the record (fields written out:
    // no object spread per fact)
    const evidence = [latest.hash];
    const at = latest.envelope.producedAt;
    const p = `evidence.${category}`;
    const summary = latest.envelope.summary;
    for (const k of Object.keys(summary)) {
      facts[`${p}.${k}`] = { value: summary[k], evidence, at };
    }
    facts[`${p}.producedAt`] = { value: at, evidence, at };
    facts[`${p}.seq`] = { value: latest.envelope.seq, evidence, at };
  }

  const loads = byCategory.get('load-test') ?? [];
  const regression = 'evidence.load-test.p95RegressionPct';
  if (loads.length && facts[regression] === undefined) {
    const cur = loads[0].envelope.summary.p95Ms;
    const prev = loads[1]?.envelope.summary.p95Ms;
    const base = loads[0].envelope.summary.baselineP95Ms;
    const pct = (a: number, b: number) => Math.round(((a - b) / b) * 1e4) / 100;
    if (typeof cur === 'number' && typeof prev === 'number' && prev > 0) {
      facts[regression] = {
        value: pct(cur, prev),
        evidence: [loads[0].hash, loads[1].hash],
        at: loads[1].envelope.producedAt,
      };
    } else if (
      typeof cur === 'number' &&
      typeof base === 'number' &&
      base > 0
    ) {
      facts[regression] = {
        value: pct(cur, base),
        evidence: [loads[0].hash],
        at: loads[0].envelope.producedAt,
      };
    }
  }

  const canary = byCategory.get('canary') ?? [];
  delete facts['evidence.canary.outcome'];
  delete facts['evidence.canary.classification'];
  const ended = canary.find(r => canaryOutcome(r) !== undefined);
  if (ended) {
    facts['evidence.canary.outcome'] = {
      value: canaryOutcome(ended)!,
      evidence: [ended.hash],
      at: ended.envelope.producedAt,
    };
  }
  const verdict = canary.find(
    r => typeof r.envelope.summary.classification === 'string',
  );
  if (verdict) {
    facts['evidence.canary.classification'] = {
      value: verdict.envelope.summary.classification as string,
      evidence: [verdict.hash],
      at: verdict.envelope.producedAt,
    };
  }

  const promotions = (byCategory.get('promotion') ?? [])
    .filter(isFinalPromotion)
    .slice(0, 20);
  if (promotions.length) {
    const ok = promotions.filter(r =>
      SUCCESS.includes(String(r.envelope.summary.outcome).toLowerCase()),
    ).length;
    facts['evidence.promotion.successRate'] = {
      value: Math.round((ok / promotions.length) * 1000) / 1000,
      evidence: promotions.map(r => r.hash),
      at: promotions[promotions.length - 1].envelope.producedAt,
    };
  }
  return facts;
}
