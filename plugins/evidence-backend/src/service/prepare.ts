import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  canonicalJsonOfData,
  evidenceEnvelopeSchema,
  isRecognizedCanonicalEnvelope,
  normalizeEntityRef as normalizeRef,
} from '@assay/plugin-evidence-common';
import { z } from 'zod';
import { addYears, EvidenceConfig, retentionYears } from '../config';
import {
  ARTIFACT_FORMATS,
  detectFormat,
  Facts,
  parseArtifact,
} from '../parsers';
import { nativeSha256 } from '../store/nodeHash';
import type { BlobInput, PreparedAppend } from '../store/types';
import { fastAppendRequest } from './fastAppendRequest';
import { assertIJson, DEFAULT_INPUT_LIMITS, isMediaType } from './inputLimits';

const str = (max: number) => z.string().min(1).max(max);
const fact = z.union([
  z.string().max(1024),
  z.number().finite(),
  z.boolean(),
  z.null(),
]);

export const appendRequestSchema = z
  .object({
    entityRef: str(255),
    category: str(64),
    subject: z
      .object({
        commit: str(256).optional(),
        version: str(256).optional(),
        featureSha: str(256).optional(),
        runId: str(256).optional(),
        environment: str(256).optional(),
      })
      .strict()
      .optional(),
    summary: z.record(fact).optional(),
    payload: z.unknown().optional(),
    producedAt: z.string().datetime({ offset: true }).optional(),
    artifacts: z
      .array(
        z
          .object({
            name: str(255),
            mediaType: str(255).optional(),
            format: str(32).optional(),
            contentBase64: z.string(),
          })
          .strict(),
      )
      .max(32)
      .optional(),
  })
  .strict();

export type AppendRequestBody = z.infer<typeof appendRequestSchema>;

/** Turns a zod error into an InputError that names the offending field. */
export function zodInputError(error: z.ZodError): InputError {
  const msg = error.issues
    .map(i => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
  return new InputError(msg);
}

/** appendRequestSchema by zod, or an InputError naming the field. */
function parseAppendRequest(body: unknown): AppendRequestBody {
  const parsed = appendRequestSchema.safeParse(body);
  if (!parsed.success) throw zodInputError(parsed.error);
  return parsed.data;
}

/** kind and namespace lower-cased, name kept: the form every verifier expects. */
export function normalizeEntityRef(ref: string, field = 'entityRef'): string {
  try {
    return normalizeRef(ref);
  } catch (e) {
    throw new InputError(
      `${field}: '${ref}' is not a valid entity ref (kind:namespace/name)`,
    );
  }
}

export function producerOf(credentials: BackstageCredentials): string {
  const p = credentials.principal as any;
  if (p.type === 'user') return p.userEntityRef;
  if (p.type === 'service') return `service:${p.subject}`;
  return 'anonymous';
}

const STRICT_BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const digestOf = (b: Buffer) =>
  `sha256:${Buffer.from(nativeSha256(b)).toString('hex')}`;

/** Validates and parses an append request; nothing is stored if this throws. */
/** An idempotency key: 1-128 printable ASCII characters without spaces. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

export function prepareAppend(
  body: unknown,
  options: {
    config: EvidenceConfig;
    producer: string;
    idempotencyKey?: string;
  },
): PreparedAppend {
  assertIJson(body); // before zod: it would drop __proto__ keys silently
  // the hand-written check for the common case (zod costs ~50 µs a record);
  // zod for anything else, and for the message naming the field
  const req = fastAppendRequest(body) ?? parseAppendRequest(body);
  const { config } = options;
  const limits = config.limits ?? DEFAULT_INPUT_LIMITS;
  if ((req.artifacts?.length ?? 0) > limits.maxArtifacts) {
    throw new InputError(
      `artifacts: at most ${limits.maxArtifacts} artifacts per record (evidence.limits.maxArtifacts), got ${req.artifacts?.length}`,
    );
  }
  if (Object.keys(req.summary ?? {}).length > limits.maxSummaryKeys) {
    throw new InputError(
      `summary: at most ${
        limits.maxSummaryKeys
      } keys (evidence.limits.maxSummaryKeys), got ${
        Object.keys(req.summary ?? {}).length
      }`,
    );
  }
  const longKey = Object.keys(req.summary ?? {}).find(k => k.length > 128);
  if (longKey !== undefined) {
    throw new InputError(
      `summary: key '${longKey.slice(0, 32)}…' is longer than 128 characters`,
    );
  }
  (req.artifacts ?? []).forEach((a, i) => {
    if (a.mediaType !== undefined && !isMediaType(a.mediaType)) {
      throw new InputError(
        `artifacts.${i}.mediaType: not a media type (RFC 6838 type/subtype, optional parameters, no control characters)`,
      );
    }
  });
  const entityRef = normalizeEntityRef(req.entityRef);
  if (!config.categories.includes(req.category)) {
    throw new InputError(
      `category: unknown category '${
        req.category
      }', expected one of ${config.categories.join(
        ', ',
      )} (add more in evidence.categories)`,
    );
  }
  if (
    options.idempotencyKey !== undefined &&
    !IDEMPOTENCY_KEY.test(options.idempotencyKey)
  ) {
    throw new InputError(
      'Idempotency-Key header: 1-128 printable ASCII characters without spaces',
    );
  }

  const blobs: BlobInput[] = [];
  const facts: Facts = {};
  const artifacts = (req.artifacts ?? []).map((a, i) => {
    const field = `artifacts.${i}.contentBase64`;
    if (!STRICT_BASE64.test(a.contentBase64)) {
      throw new InputError(`${field}: not valid base64`);
    }
    const content = Buffer.from(a.contentBase64, 'base64');
    if (content.length > config.maxArtifactBytes) {
      throw new InputError(
        `${field}: artifact '${a.name}' is ${content.length} bytes, over the limit of ${config.maxArtifactBytes} bytes (evidence.artifacts.maxBytes)`,
      );
    }
    const format = detectFormat(a.name, a.mediaType, a.format);
    if (format) {
      const found = parseArtifact(format, a.name, content);
      const clash = Object.keys(found).find(k => k in facts);
      if (clash) {
        throw new InputError(
          `artifacts.${i}: '${a.name}' yields the fact '${clash}' that an earlier artifact of this record already set; push one report of each kind per record`,
        );
      }
      Object.assign(facts, found);
    }
    const mediaType =
      a.mediaType ??
      (format
        ? ARTIFACT_FORMATS[format].mediaType
        : 'application/octet-stream');
    const digest = digestOf(content);
    blobs.push({ digest, size: content.length, mediaType, content });
    // (keys in canonical order, as the envelope's: see the draft below)
    return { digest, mediaType, name: a.name, size: content.length };
  });

  let payloadDigest: string | null = null;
  if (req.payload !== undefined) {
    let text: string;
    try {
      text = canonicalJsonOfData(req.payload);
    } catch (e) {
      throw new InputError(`payload: ${(e as Error).message}`);
    }
    const content = Buffer.from(text, 'utf8');
    if (content.length > config.maxArtifactBytes) {
      throw new InputError(
        `payload: ${content.length} bytes, over the limit of ${config.maxArtifactBytes} bytes`,
      );
    }
    payloadDigest = digestOf(content);
    blobs.push({
      digest: payloadDigest,
      size: content.length,
      mediaType: 'application/json',
      content,
    });
  }

  const overridden = Object.keys(req.summary ?? {}).find(k => k in facts);
  if (overridden) {
    throw new InputError(
      `summary.${overridden}: this fact is parsed from the attached artifact and cannot be set by hand`,
    );
  }
  const summary = { ...(req.summary ?? {}), ...facts };
  const now = new Date().toISOString();
  // zod's datetime pattern does not range-check the offset (`+99:99`)
  const producedTime =
    req.producedAt === undefined ? undefined : Date.parse(req.producedAt);
  if (producedTime !== undefined && !Number.isFinite(producedTime)) {
    throw new InputError(`producedAt: '${req.producedAt}' is not a valid time`);
  }
  const producedAt =
    producedTime === undefined ? now : new Date(producedTime).toISOString();
  // The envelope this will become must be valid and canonicalizable, or every
  // verifier would call the entity's chain broken forever (records are WORM).
  // (fields in canonical (RFC 8785) order: canonicalJsonOfData copies nothing
  // when the summary's keys are in order too)
  const draft = {
    artifacts,
    category: req.category,
    entityRef,
    payloadDigest,
    previousHash: null,
    producedAt,
    producer: options.producer,
    recordedAt: now,
    seq: 1,
    ...(req.subject && Object.keys(req.subject).length
      ? { subject: req.subject }
      : {}),
    summary,
    v: 1,
  };
  let canonicalDraft: string | undefined;
  let canonicalError: unknown;
  try {
    canonicalDraft = canonicalJsonOfData(draft);
  } catch (e) {
    canonicalError = e;
  }
  // The strict recognizer accepts only the canonical text of an envelope that
  // passes evidenceEnvelopeSchema; anything else (or nothing to recognize)
  // gets the full zod check, which names the field.
  if (
    canonicalDraft === undefined ||
    !isRecognizedCanonicalEnvelope(canonicalDraft)
  ) {
    const valid = evidenceEnvelopeSchema.safeParse(draft);
    if (!valid.success) throw zodInputError(valid.error);
  }
  if (canonicalDraft === undefined) {
    throw new InputError(`summary: ${(canonicalError as Error).message}`);
  }
  const envelopeBytes = Buffer.byteLength(canonicalDraft, 'utf8');
  if (envelopeBytes > limits.maxEnvelopeBytes) {
    throw new InputError(
      `summary: the record's envelope would be ${envelopeBytes} bytes, over the limit of ${limits.maxEnvelopeBytes} (evidence.limits.maxEnvelopeBytes); attach large data as an artifact or payload`,
    );
  }
  if (Object.keys(summary).length > limits.maxSummaryKeys) {
    throw new InputError(
      `summary: with the facts parsed from artifacts the record would have ${
        Object.keys(summary).length
      } keys, over evidence.limits.maxSummaryKeys (${limits.maxSummaryKeys})`,
    );
  }
  return {
    entityRef,
    category: req.category,
    subject: req.subject,
    summary,
    payloadDigest,
    artifacts,
    producer: options.producer,
    producedAt,
    idempotencyKey: options.idempotencyKey,
    blobs,
    expiresAt: addYears(now, retentionYears(config, req.category)),
  };
}
