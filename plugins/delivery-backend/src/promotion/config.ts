import { Config } from '@backstage/config';
import {
  DEFAULT_PROMOTION_ENVIRONMENTS,
  PromotionEnvironment,
  PromotionMode,
  PromotionPolicy,
} from '@assay/plugin-delivery-common';

export interface GitOpsConfig {
  repoUrl: string;
  branch: string;
  /** `{{env}}`, `{{name}}`, `{{namespace}}`, `{{kind}}` are substituted. */
  pathTemplate: string;
  authorName: string;
  authorEmail: string;
  /** Email domain for commit authors derived from the actor (`<user>@<domain>`). */
  authorEmailDomain?: string;
}

export interface PromotionConfig {
  provider: 'recorder' | 'gitops';
  environments: PromotionEnvironment[];
  approvalMaxAgeHours: number;
  policy: PromotionPolicy;
  defaultMode: PromotionMode;
  gitops?: GitOpsConfig;
  concurrency: number;
  rollbackEarlierWaves: boolean;
  /** Pinned verifier key of the evidence log (else the log's own, fetched once). */
  evidenceVerifierKey?: string;
  demoSeed: boolean;
}

const ENV_NAME = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

export function readPromotionConfig(root: Config): PromotionConfig {
  const c = root.getOptionalConfig('delivery.promotion');
  const provider = (c?.getOptionalString('provider') ?? 'recorder') as
    | 'recorder'
    | 'gitops';
  if (!['recorder', 'gitops'].includes(provider)) {
    throw new Error(
      `delivery.promotion.provider: recorder or gitops, got ${provider}`,
    );
  }
  const envs = c?.getOptionalConfigArray('environments');
  const environments: PromotionEnvironment[] = envs
    ? envs.map((e, i) => {
        const name = e.getString('name');
        if (!ENV_NAME.test(name)) {
          throw new Error(
            `delivery.promotion.environments[${i}].name: lowercase letters, digits, dashes; got ${name}`,
          );
        }
        const approvals = e.getOptionalNumber('approvals') ?? 0;
        if (!Number.isInteger(approvals) || approvals < 0 || approvals > 10) {
          throw new Error(
            `delivery.promotion.environments[${i}].approvals: an integer 0..10`,
          );
        }
        return {
          name,
          approvalsRequired: approvals,
          canary: e.getOptionalBoolean('canary') ?? false,
          ...(e.getOptionalBoolean('enforceCompliance')
            ? { enforceCompliance: true }
            : {}),
        };
      })
    : DEFAULT_PROMOTION_ENVIRONMENTS;
  if (!environments.length) {
    throw new Error('delivery.promotion.environments: at least one');
  }
  const maxAge = c?.getOptionalNumber('approvalMaxAgeHours') ?? 72;
  if (!(maxAge > 0)) {
    throw new Error(
      'delivery.promotion.approvalMaxAgeHours: a positive number',
    );
  }
  const p = c?.getOptionalConfig('policy');
  const policy: PromotionPolicy = {
    requiredEvidence: p?.getOptionalStringArray('requiredEvidence'),
    maxEvidenceAgeDays: p?.getOptionalNumber('maxEvidenceAgeDays'),
    minCoveragePct: p?.getOptionalNumber('minCoveragePct'),
    blockingSeverities: p?.getOptionalStringArray('blockingSeverities') as any,
    sastBlockingLevels: p?.getOptionalStringArray('sastBlockingLevels') as any,
    maxP95RegressionPct: p?.getOptionalNumber('maxP95RegressionPct'),
    minScorecardLevel: p?.getOptionalString('minScorecardLevel') ?? null,
    approvals: { maxAgeHours: maxAge },
  };
  const g = c?.getOptionalConfig('gitops');
  if (provider === 'gitops' && !g?.getOptionalString('repoUrl')) {
    throw new Error(
      'delivery.promotion.gitops.repoUrl is required with provider gitops',
    );
  }
  const mode = c?.getOptionalString('defaultMode') ?? 'compliance';
  if (mode !== 'sandbox' && mode !== 'compliance') {
    throw new Error(
      `delivery.promotion.defaultMode: sandbox or compliance, got ${mode}`,
    );
  }
  const concurrency = c?.getOptionalNumber('concurrency') ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new Error('delivery.promotion.concurrency: an integer 1..64');
  }
  return {
    provider,
    environments,
    approvalMaxAgeHours: maxAge,
    policy,
    defaultMode: mode,
    gitops: g
      ? {
          repoUrl: g.getString('repoUrl'),
          branch: g.getOptionalString('branch') ?? 'main',
          pathTemplate:
            g.getOptionalString('pathTemplate') ??
            'deploy/{{env}}/{{name}}/kustomization.yaml',
          authorName: g.getOptionalString('authorName') ?? 'Assay',
          authorEmail: g.getOptionalString('authorEmail') ?? 'assay@localhost',
          authorEmailDomain: g.getOptionalString('authorEmailDomain'),
        }
      : undefined,
    concurrency,
    rollbackEarlierWaves:
      c?.getOptionalBoolean('rollbackEarlierWaves') ?? false,
    evidenceVerifierKey: c?.getOptionalString('evidenceVerifierKey'),
    demoSeed: c?.getOptionalBoolean('demoSeed') ?? false,
  };
}
