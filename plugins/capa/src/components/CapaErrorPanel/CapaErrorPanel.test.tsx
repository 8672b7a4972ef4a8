import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ResponseError } from '@backstage/errors';
import { CapaErrorPanel, describeCapaError } from './CapaErrorPanel';

async function responseError(status: number, message: string) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'Error', message },
        response: { statusCode: status },
      }),
      { status, headers: { 'Content-Type': 'application/json' } },
    ) as any,
  );
}

describe('describeCapaError', () => {
  it('says the backend failed, with the status and its message', async () => {
    expect(describeCapaError(await responseError(503, 'cache down'))).toBe(
      'The capa backend failed (503): cache down',
    );
  });

  it('says the backend could not be reached on network errors', () => {
    expect(describeCapaError(new TypeError('Failed to fetch'))).toMatch(
      /could not be reached/,
    );
  });

  it('explains 403', async () => {
    expect(describeCapaError(await responseError(403, 'denied'))).toMatch(
      /not allowed/,
    );
  });
});

describe('CapaErrorPanel', () => {
  it('shows a readable message and a Retry button that retries', async () => {
    const onRetry = jest.fn();
    render(
      <CapaErrorPanel
        title="Could not load"
        error={new TypeError('Failed to fetch')}
        onRetry={onRetry}
      />,
    );
    expect(screen.getByText('Could not load')).toBeInTheDocument();
    expect(screen.getByText(/could not be reached/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledTimes(1);
  });
});
