import {
  AuditorService,
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { normalizeEntityRef } from '@assay/plugin-evidence-common';
import type { Request as ExpressRequest } from 'express';

// Any route's request (typed OpenAPI routers narrow params and query).
type Request = ExpressRequest<any, any, any, any, any>;

/*
 * Shared by the canary, promotion and plan routers.
 */

/** The acting principal as recorded in evidence: a user ref or a service subject. */
export function actorOf(auth: AuthService, c: BackstageCredentials): string {
  if (auth.isPrincipal(c, 'user')) return c.principal.userEntityRef;
  if (auth.isPrincipal(c, 'service')) return c.principal.subject;
  return 'unknown';
}

/** The entity ref of a `/{kind}/{namespace}/{name}` route, normalized; 400 naming `path`. */
export function entityRefOf(req: Request): string {
  try {
    return normalizeEntityRef(
      `${req.params.kind}:${req.params.namespace}/${req.params.name}`,
    );
  } catch (e) {
    throw new InputError(`path: ${(e as Error).message}`);
  }
}

/** Runs `fn` inside an auditor event (success, or fail with the error). */
export async function audited<T>(
  auditor: AuditorService,
  req: Request,
  eventId: string,
  meta: Record<string, any>,
  fn: () => Promise<T>,
): Promise<T> {
  const event = await auditor.createEvent({
    eventId,
    request: req,
    severityLevel: 'medium',
    meta,
  });
  try {
    const r = await fn();
    await event.success();
    return r;
  } catch (error) {
    await event.fail({ error: error as Error });
    throw error;
  }
}
