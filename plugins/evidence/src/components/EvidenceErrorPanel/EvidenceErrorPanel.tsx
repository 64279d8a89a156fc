import { EmptyState, ResponseErrorPanel } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';

/** HTTP status of a failed evidence request, if the error carries one. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof ResponseError) return error.statusCode;
  const e = error as { statusCode?: number; response?: { status?: number } };
  return e?.statusCode ?? e?.response?.status;
}

export const isPermissionError = (error: unknown) => {
  const status = statusOf(error);
  return status === 401 || status === 403;
};

/**
 * Error state for evidence requests: a plain "no permission" message for
 * 401/403 (not a stack trace), Backstage's error panel otherwise.
 */
export function EvidenceErrorPanel(props: {
  error: Error;
  title?: string;
  /** compact text for cards */
  dense?: boolean;
}) {
  const { error, title, dense } = props;
  const status = statusOf(error);
  if (status === 401 || status === 403) {
    const description =
      status === 401
        ? 'Sign in to view evidence for this entity.'
        : 'You do not have permission to read evidence for this entity. Ask its owners or your Backstage administrator for the evidence read permission.';
    if (dense) {
      return (
        <div role="alert" data-testid="evidence-no-permission">
          {description}
        </div>
      );
    }
    return (
      <div data-testid="evidence-no-permission">
        <EmptyState
          missing="info"
          title="No permission to view evidence"
          description={description}
        />
      </div>
    );
  }
  return (
    <ResponseErrorPanel
      error={error}
      title={title ?? 'Could not load evidence'}
    />
  );
}

/** The backend's own message for a failed request, else the error's message. */
export function errorMessage(error: Error): string {
  const body = (error as Partial<ResponseError>).body;
  return body?.error?.message || error.message;
}
