import { z } from 'zod';
import { toHex } from './bytes';
import { canonicalBytes } from './canonical';
import { isValidCategoryName } from './categories';
import { normalizeEntityRef } from './entityRef';
import { HashFn, sha256 } from './hash';

/**
 * What a piece of evidence is about (all optional).
 *
 * @public
 */
export type EvidenceSubject = {
  commit?: string;
  version?: string;
  featureSha?: string;
  runId?: string;
  environment?: string;
};

/**
 * A scalar fact in an envelope's summary.
 *
 * @public
 */
export type EvidenceSummaryValue = string | number | boolean | null;

/**
 * A content-addressed artifact referenced by an envelope.
 *
 * @public
 */
export type EvidenceArtifactRef = {
  name: string;
  /** `sha256:<64 lowercase hex>` of the artifact bytes. */
  digest: string;
  size: number;
  mediaType: string;
};

/**
 * One record of an entity's evidence chain (version 1). Its canonical JSON
 * (RFC 8785) bytes are what is hashed, chained and logged.
 *
 * @public
 */
export type EvidenceEnvelope = {
  v: 1;
  /** Normalized `kind:namespace/name`. */
  entityRef: string;
  /** 1-based position in the entity's chain. */
  seq: number;
  category: string;
  subject?: EvidenceSubject;
  summary: Record<string, EvidenceSummaryValue>;
  /** `sha256:<hex>` of the primary payload, if any. */
  payloadDigest: string | null;
  artifacts: EvidenceArtifactRef[];
  producer: string;
  /** ISO 8601 time the producer created the evidence. */
  producedAt: string;
  /** ISO 8601 time the log recorded it. */
  recordedAt: string;
  /** Hex record hash of seq - 1; null exactly when seq is 1. */
  previousHash: string | null;
};

const digest = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 lowercase hex>');
const isoTime = z.string().datetime({ offset: true });
const count = (min: number) =>
  z.number().int().min(min).max(Number.MAX_SAFE_INTEGER);

/**
 * Zod schema for {@link EvidenceSubject}; unknown keys are rejected.
 *
 * @public
 */
export const evidenceSubjectSchema: z.ZodType<EvidenceSubject> = z
  .object({
    commit: z.string().optional(),
    version: z.string().optional(),
    featureSha: z.string().optional(),
    runId: z.string().optional(),
    environment: z.string().optional(),
  })
  .strict();

/**
 * Zod schema for {@link EvidenceEnvelope}; unknown keys are rejected.
 *
 * @public
 */
export const evidenceEnvelopeSchema: z.ZodType<EvidenceEnvelope> = z
  .object({
    v: z.literal(1),
    entityRef: z
      .string()
      .refine(isNormalizedRef, 'must be a normalized kind:namespace/name ref'),
    seq: count(1),
    category: z
      .string()
      .refine(
        isValidCategoryName,
        'must be lowercase kebab-case, at most 64 characters',
      ),
    subject: evidenceSubjectSchema.optional(),
    summary: z.record(
      z.union([z.string(), z.number().finite(), z.boolean(), z.null()]),
    ),
    payloadDigest: digest.nullable(),
    artifacts: z.array(
      z
        .object({
          name: z.string().min(1),
          digest,
          size: count(0),
          mediaType: z.string().min(1),
        })
        .strict(),
    ),
    producer: z.string().min(1),
    producedAt: isoTime,
    recordedAt: isoTime,
    previousHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex')
      .nullable(),
  })
  .strict()
  .superRefine((env, ctx) => {
    if ((env.seq === 1) !== (env.previousHash === null)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['previousHash'],
        message: 'must be null exactly when seq is 1',
      });
    }
  });

function isNormalizedRef(ref: string): boolean {
  try {
    return normalizeEntityRef(ref) === ref;
  } catch {
    return false;
  }
}

/**
 * The bytes that are hashed and logged: UTF-8 of the envelope's RFC 8785
 * canonical JSON.
 *
 * @public
 */
export function envelopeBytes(env: EvidenceEnvelope): Uint8Array {
  return canonicalBytes(env);
}

/**
 * Hex SHA-256 of canonical envelope bytes.
 *
 * @public
 */
export function recordHashFromBytes(
  bytes: Uint8Array,
  hash: HashFn = sha256,
): string {
  return toHex(hash(bytes));
}

/**
 * The record hash of an envelope: hex SHA-256 of {@link envelopeBytes}.
 *
 * @public
 */
export function recordHash(
  env: EvidenceEnvelope,
  hash: HashFn = sha256,
): string {
  return recordHashFromBytes(envelopeBytes(env), hash);
}
