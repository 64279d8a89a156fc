import { EmptyState, ResponseErrorPanel } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import { Typography } from '@material-ui/core';

/** HTTP status of a failed request, if the error carries one. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof ResponseError) return error.statusCode;
  const e = error as { statusCode?: number; response?: { status?: number } };
  return e?.statusCode ?? e?.response?.status;
}

/** The backend's own message for a failed request, else the error's message. */
export function errorMessage(error: Error): string {
  const body = (error as Partial<ResponseError>).body;
  return body?.error?.message || error.message;
}

/**
 * Error state for scorecards requests: a plain "no permission" message for
 * 401/403, "not found" for 404, Backstage's error panel otherwise.
 */
export function ScorecardErrorPanel(props: {
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
        ? 'Sign in to view compliance scorecards.'
        : 'You do not have permission to read compliance scorecards here. Ask the owners or your Backstage administrator for the scorecards read permission.';
    if (dense) {
      return (
        <div role="alert" data-testid="scorecards-no-permission">
          {description}
        </div>
      );
    }
    return (
      <div data-testid="scorecards-no-permission">
        <EmptyState
          missing="info"
          title="No permission to view scorecards"
          description={description}
        />
      </div>
    );
  }
  if (status === 404) {
    const description = `No scorecard for this entity: ${errorMessage(error)}`;
    return dense ? (
      <div role="alert">{description}</div>
    ) : (
      <EmptyState
        missing="data"
        title="No scorecard"
        description={description}
      />
    );
  }
  const text = `${title ?? 'Could not load the scorecard'}: ${errorMessage(
    error,
  )}`;
  if (dense) {
    return (
      <Typography role="alert" variant="body2" color="error">
        {text}
      </Typography>
    );
  }
  return <ResponseErrorPanel error={error} title={text} />;
}
