import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { canonicalJson } from '@assay/plugin-evidence-common';
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

export function normalizeEntityRef(ref: string, field = 'entityRef'): string {
  try {
    return stringifyEntityRef(parseEntityRef(ref)).toLocaleLowerCase('en-US');
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
export function prepareAppend(
  body: unknown,
  options: {
    config: EvidenceConfig;
    producer: string;
    idempotencyKey?: string;
  },
): PreparedAppend {
  const parsed = appendRequestSchema.safeParse(body);
  if (!parsed.success) throw zodInputError(parsed.error);
  const req = parsed.data;
  const { config } = options;
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
    !/^[\x21-\x7e]{1,128}$/.test(options.idempotencyKey)
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
    if (format) Object.assign(facts, parseArtifact(format, a.name, content));
    const mediaType =
      a.mediaType ??
      (format
        ? ARTIFACT_FORMATS[format].mediaType
        : 'application/octet-stream');
    const digest = digestOf(content);
    blobs.push({ digest, size: content.length, mediaType, content });
    return { name: a.name, digest, size: content.length, mediaType };
  });

  let payloadDigest: string | null = null;
  if (req.payload !== undefined) {
    let text: string;
    try {
      text = canonicalJson(req.payload);
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

  const now = new Date().toISOString();
  const producedAt = req.producedAt
    ? new Date(req.producedAt).toISOString()
    : now;
  return {
    entityRef,
    category: req.category,
    subject: req.subject,
    summary: { ...facts, ...(req.summary ?? {}) },
    payloadDigest,
    artifacts,
    producer: options.producer,
    producedAt,
    idempotencyKey: options.idempotencyKey,
    blobs,
    expiresAt: addYears(now, retentionYears(config, req.category)),
  };
}
