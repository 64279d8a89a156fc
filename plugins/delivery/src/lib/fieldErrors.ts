import { ResponseError } from '@backstage/errors';

/**
 * Splits a 400's message into messages per form field. The backend names
 * the field in its messages, both for schema errors
 * ("request/body/steps/0 must be <= 100", "request/body must have required
 * property 'version'") and for its own checks ("steps: must end at 100").
 * Whatever names no known field is returned as `general`.
 */
export function fieldErrorsOf<F extends string>(
  error: unknown,
  fields: readonly F[],
): { fields: Partial<Record<F, string>>; general?: string } {
  const message = messageOf(error);
  if (!isInputError(error)) return { fields: {}, general: message };
  const parts = message
    .split(/,\s+(?=request\/|[A-Za-z]+:)|;\s+|\n/)
    .map(p => p.trim())
    .filter(Boolean);
  const result: Partial<Record<F, string>> = {};
  const rest: string[] = [];
  for (const part of parts) {
    const field = firstNamedField(part, fields);
    if (field) {
      const clean = part.replace(/^request\/body\//, '');
      result[field] = result[field] ? `${result[field]}; ${clean}` : clean;
    } else {
      rest.push(part);
    }
  }
  return {
    fields: result,
    general: rest.length ? rest.join('; ') : undefined,
  };
}

/** The field named earliest in the message ("baselineVersion: must differ from version" → baselineVersion). */
function firstNamedField<F extends string>(
  message: string,
  fields: readonly F[],
): F | undefined {
  let best: { field: F; at: number } | undefined;
  for (const field of fields) {
    const match = new RegExp(
      `(^|[/'"\\s.(])${field}(?=$|[/'"\\s.:,)\\[])`,
    ).exec(message);
    if (match && (!best || match.index < best.at)) {
      best = { field, at: match.index };
    }
  }
  return best?.field;
}

function isInputError(error: unknown): boolean {
  if (error instanceof ResponseError) {
    return error.statusCode === 400;
  }
  return (error as { name?: string })?.name === 'InputError';
}

function messageOf(error: unknown): string {
  if (error instanceof ResponseError) {
    return error.body?.error?.message ?? error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The message of a failure: the backend's own message for a ResponseError. */
export function errorMessage(error: unknown): string {
  return messageOf(error);
}
