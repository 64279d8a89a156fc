import { EvidenceConfig } from '../config';
import type { PreparedAppend } from './types';

export const testConfig: EvidenceConfig = {
  origin: 'test.assay.dev/evidence',
  maxArtifactBytes: 1024 * 1024,
  categories: [
    'tests',
    'coverage',
    'sbom',
    'sast',
    'load-test',
    'onboarding',
    'release',
    'compliance',
  ],
  retention: {
    mode: 'governance',
    defaultYears: 3,
    rules: { compliance: 7 },
    purgeFrequencyMinutes: 60,
  },
  requirements: {
    compliance: [
      { category: 'tests', maxAgeDays: 30 },
      { category: 'sbom', maxAgeDays: 90 },
    ],
  },
  demoSeed: false,
  audit: {
    frequencyMinutes: 15,
    initialDelayMinutes: 2,
    batchSize: 2000,
    maxBatchesPerRun: 50,
  },
};

export function prepared(
  entityRef: string,
  i: number,
  extra: Partial<PreparedAppend> = {},
): PreparedAppend {
  return {
    entityRef,
    category: 'tests',
    summary: { tests: 10 + i, failures: 0 },
    payloadDigest: null,
    artifacts: [],
    producer: 'user:default/tester',
    producedAt: '2026-11-24T08:00:00.000Z',
    blobs: [],
    expiresAt: '2029-11-24T08:00:00.000Z',
    ...extra,
  };
}
