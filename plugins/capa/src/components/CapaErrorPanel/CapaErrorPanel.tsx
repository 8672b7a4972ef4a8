import type { ReactElement } from 'react';
import { Alert, Button } from '@backstage/ui';
import { ResponseError } from '@backstage/errors';

/** A readable sentence for an error from the capa API, without stack traces. */
export function describeCapaError(error: Error): string {
  if (error instanceof ResponseError || error.name === 'ResponseError') {
    const e = error as ResponseError;
    const status = e.response?.status;
    const message = e.body?.error?.message ?? e.message;
    if (status === 401 || status === 403) {
      return `You are not allowed to read this from the capa backend (${status}): ${message}`;
    }
    if (status === 404) {
      return `The capa backend has no such object (404): ${message}`;
    }
    if (status !== undefined && status >= 500) {
      return `The capa backend failed (${status}): ${message}`;
    }
    return message;
  }
  if (error.name === 'TypeError' || /fetch|network/i.test(error.message)) {
    return `The capa backend could not be reached (${error.message}). Is the backend running with the capa plugin installed?`;
  }
  return error.message;
}

/**
 * An error from the capa API, in words, with a Retry button.
 *
 * @public
 */
export function CapaErrorPanel(props: {
  error: Error;
  title?: string;
  onRetry?: () => void;
}): ReactElement {
  const { error, title = 'Could not load trust data', onRetry } = props;
  return (
    <Alert
      status="danger"
      icon
      role="alert"
      title={title}
      description={describeCapaError(error)}
      customActions={
        onRetry ? (
          <Button size="small" variant="secondary" onPress={onRetry}>
            Retry
          </Button>
        ) : undefined
      }
    />
  );
}
