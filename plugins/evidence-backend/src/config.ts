import { Config } from '@backstage/config';
import { InputLimits, readInputLimits } from './service/inputLimits';
import {
  AUDIT_CATEGORIES,
  DEFAULT_RETENTION_YEARS,
  EVIDENCE_CATEGORIES,
  isValidCategoryName,
} from '@assay/plugin-evidence-common';

export type RetentionMode = 'governance' | 'compliance';

export interface Requirement {
  category: string;
  maxAgeDays: number;
}

export interface EvidenceConfig {
  origin: string;
  signerKey?: string;
  maxArtifactBytes: number;
  categories: string[];
  retention: {
    mode: RetentionMode;
    defaultYears: number;
    rules: Record<string, number>;
    purgeFrequencyMinutes: number;
  };
  requirements: Record<string, Requirement[]>;
  demoSeed: boolean;
  /** caps on one append (`evidence.limits`); defaults when absent */
  limits?: InputLimits;
  audit: {
    frequencyMinutes: number;
    initialDelayMinutes: number;
    batchSize: number;
    maxBatchesPerRun: number;
  };
}

const DEFAULT_REQUIREMENTS: Record<string, Requirement[]> = {
  compliance: [
    { category: 'tests', maxAgeDays: 30 },
    { category: 'coverage', maxAgeDays: 30 },
    { category: 'sast', maxAgeDays: 30 },
    { category: 'sbom', maxAgeDays: 90 },
    { category: 'load-test', maxAgeDays: 90 },
    { category: 'secrets-rotation', maxAgeDays: 90 },
    { category: 'onboarding', maxAgeDays: 3650 },
  ],
  sandbox: [
    { category: 'tests', maxAgeDays: 30 },
    { category: 'onboarding', maxAgeDays: 3650 },
  ],
};

export function readEvidenceConfig(config: Config): EvidenceConfig {
  const c = config.getOptionalConfig('evidence');
  const baseUrl = config.getString('backend.baseUrl');
  const origin =
    c?.getOptionalString('origin') ?? `${new URL(baseUrl).host}/evidence`;

  const extra = c?.getOptionalStringArray('categories') ?? [];
  for (const cat of extra) {
    if (!isValidCategoryName(cat)) {
      throw new Error(
        `evidence.categories: '${cat}' is not a valid category name (lowercase kebab-case, at most 64 characters)`,
      );
    }
  }
  const categories = Array.from(new Set([...EVIDENCE_CATEGORIES, ...extra]));

  const r = c?.getOptionalConfig('retention');
  const mode = (r?.getOptionalString('mode') ?? 'governance') as RetentionMode;
  if (mode !== 'governance' && mode !== 'compliance') {
    throw new Error(
      `evidence.retention.mode must be 'governance' or 'compliance', got '${mode}'`,
    );
  }
  const defaultYears =
    r?.getOptionalNumber('defaultYears') ?? DEFAULT_RETENTION_YEARS;
  const rules: Record<string, number> = {};
  for (const cat of AUDIT_CATEGORIES) rules[cat] = 7;
  const rc = r?.getOptionalConfig('categories');
  for (const key of rc?.keys() ?? []) rules[key] = rc!.getNumber(key);

  const requirements: Record<string, Requirement[]> = {
    ...DEFAULT_REQUIREMENTS,
  };
  const req = c?.getOptionalConfig('requirements');
  for (const m of req?.keys() ?? []) {
    requirements[m] = req!.getConfigArray(m).map(x => ({
      category: x.getString('category'),
      maxAgeDays: x.getNumber('maxAgeDays'),
    }));
  }

  return {
    origin,
    signerKey: c?.getOptionalString('signing.key'),
    maxArtifactBytes:
      c?.getOptionalNumber('artifacts.maxBytes') ?? 10 * 1024 * 1024,
    categories,
    retention: {
      mode,
      defaultYears,
      rules,
      purgeFrequencyMinutes:
        r?.getOptionalNumber('purgeFrequencyMinutes') ?? 60,
    },
    requirements,
    demoSeed: c?.getOptionalBoolean('demo.seed') ?? false,
    limits: readInputLimits(config),
    audit: {
      frequencyMinutes: c?.getOptionalNumber('audit.frequencyMinutes') ?? 15,
      initialDelayMinutes:
        c?.getOptionalNumber('audit.initialDelayMinutes') ?? 2,
      batchSize: c?.getOptionalNumber('audit.batchSize') ?? 2000,
      maxBatchesPerRun: c?.getOptionalNumber('audit.maxBatchesPerRun') ?? 50,
    },
  };
}

export function retentionYears(cfg: EvidenceConfig, category: string): number {
  return cfg.retention.rules[category] ?? cfg.retention.defaultYears;
}

const ISO_UTC =
  /^(\d{4})(-(?:0[13-9]|1[0-2])-\d\dT\d\d:\d\d:\d\d\.\d{3}Z|-02-(?:0[1-9]|1\d|2[0-8])T\d\d:\d\d:\d\d\.\d{3}Z)$/;

export function addYears(iso: string, years: number): string {
  // the common case (a stored toISOString() value, not Feb 29): the year digits
  const m = ISO_UTC.exec(iso);
  if (m && Number.isInteger(years)) {
    const y = Number(m[1]) + years;
    if (y >= 0 && y <= 9999) return `${String(y).padStart(4, '0')}${m[2]}`;
  }
  const d = new Date(iso);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.toISOString();
}
