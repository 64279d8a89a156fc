import type {
  Promotion,
  PromotionEnvironment,
  PromotionKpi,
  PromotionMode,
} from './types';

/** Entity annotation naming the environments in order, e.g. `dev,staging,prod`. @public */
export const ENVIRONMENTS_ANNOTATION = 'assay.dev/environments';
/** Entity annotation choosing the mode: `sandbox` or `compliance`. @public */
export const COMPLIANCE_MODE_ANNOTATION = 'assay.dev/compliance-mode';

/** The default promotion path (config `delivery.promotion.environments`). @public */
export const DEFAULT_PROMOTION_ENVIRONMENTS: PromotionEnvironment[] = [
  { name: 'dev', approvalsRequired: 0, canary: false },
  { name: 'staging', approvalsRequired: 1, canary: false },
  { name: 'prod', approvalsRequired: 2, canary: true, enforceCompliance: true },
];

/** Thrown for a malformed `assay.dev/environments` annotation. @public */
export class EnvironmentsAnnotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentsAnnotationError';
  }
}

const ENV_NAME = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

/**
 * The entity's environments: the annotation (comma, space or arrow
 * separated names, in promotion order) overrides names and order; settings
 * of a name come from the configured environments, and an unknown name gets
 * the strictest configured settings (most approvals, compliance enforced if
 * any environment enforces it): an owner cannot rename prod to escape its
 * rules. Without the annotation: the configured environments.
 * @public
 */
export function environmentsOf(
  annotations: Record<string, string> | undefined,
  configured: PromotionEnvironment[] = DEFAULT_PROMOTION_ENVIRONMENTS,
): PromotionEnvironment[] {
  const raw = annotations?.[ENVIRONMENTS_ANNOTATION];
  if (raw === undefined || raw.trim() === '') return configured;
  const names = raw
    .split(/\s*(?:,|→|->|\s)\s*/)
    .map(s => s.trim())
    .filter(Boolean);
  if (!names.length || names.length > 12) {
    throw new EnvironmentsAnnotationError(
      `${ENVIRONMENTS_ANNOTATION}: 1 to 12 environment names, got ${JSON.stringify(
        raw,
      )}`,
    );
  }
  const strictest: PromotionEnvironment = {
    name: '',
    approvalsRequired: Math.max(0, ...configured.map(e => e.approvalsRequired)),
    canary: configured.some(e => e.canary),
    enforceCompliance: configured.some(e => e.enforceCompliance),
  };
  const seen = new Set<string>();
  return names.map(name => {
    if (!ENV_NAME.test(name)) {
      throw new EnvironmentsAnnotationError(
        `${ENVIRONMENTS_ANNOTATION}: '${name}' is not an environment name (lowercase letters, digits, dashes)`,
      );
    }
    if (seen.has(name)) {
      throw new EnvironmentsAnnotationError(
        `${ENVIRONMENTS_ANNOTATION}: '${name}' is listed twice`,
      );
    }
    seen.add(name);
    const known = configured.find(e => e.name === name) ?? strictest;
    return {
      name,
      approvalsRequired: known.approvalsRequired,
      canary: known.canary,
      ...(known.enforceCompliance ? { enforceCompliance: true } : {}),
    };
  });
}

/** The entity's mode from `assay.dev/compliance-mode` (else the default). @public */
export function promotionModeOf(
  annotations: Record<string, string> | undefined,
  fallback: PromotionMode = 'compliance',
): PromotionMode {
  const v = annotations?.[COMPLIANCE_MODE_ANNOTATION]?.trim().toLowerCase();
  return v === 'sandbox' || v === 'compliance' ? v : fallback;
}

/** Statuses that end a promotion and count for the KPIs. @public */
export const FINAL_OUTCOMES = [
  'succeeded',
  'failed',
  'blocked',
  'rolled-back',
] as const;

function quantile(sorted: number[], q: number): number | null {
  if (!sorted.length) return null;
  // nearest rank
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

/**
 * KPIs of finished promotions (kind `promotion`; cancelled ones are not
 * counted): success rate and the median / p90 lead time (release cut →
 * landed) of the succeeded ones. Pure.
 * @public
 */
export function promotionKpi(
  key: string,
  promotions: Array<
    Pick<Promotion, 'kind' | 'status'> & { leadTimeSeconds?: number | null }
  >,
): PromotionKpi {
  const finished = promotions.filter(
    p =>
      p.kind === 'promotion' &&
      (FINAL_OUTCOMES as readonly string[]).includes(p.status),
  );
  const ok = finished.filter(p => p.status === 'succeeded');
  const lead = ok
    .map(p => p.leadTimeSeconds)
    .filter((s): s is number => typeof s === 'number' && Number.isFinite(s))
    .sort((a, b) => a - b);
  return {
    key,
    promotions: finished.length,
    succeeded: ok.length,
    successRate: finished.length
      ? Math.round((ok.length / finished.length) * 1000) / 1000
      : null,
    leadTimeSecondsMedian: quantile(lead, 0.5),
    leadTimeSecondsP90: quantile(lead, 0.9),
  };
}
