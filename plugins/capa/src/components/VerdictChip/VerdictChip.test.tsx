import { render, screen } from '@testing-library/react';
import { VerdictChip } from './VerdictChip';

describe('VerdictChip', () => {
  it.each([
    ['trusted', 'Trusted'],
    ['configured', 'Configured'],
    ['degraded', 'Degraded'],
    ['broken', 'Broken'],
    ['unknown', 'Unknown'],
  ])(
    'shows the %s verdict as text and icon, not only colour',
    (verdict, label) => {
      const { container } = render(<VerdictChip verdict={verdict} />);
      expect(screen.getByText(label)).toBeInTheDocument();
      expect(screen.getByLabelText(`Verdict: ${label}`)).toBeInTheDocument();
      expect(container.querySelector('svg')).not.toBeNull();
      expect(
        container.querySelector(`[data-verdict="${verdict}"]`),
      ).not.toBeNull();
    },
  );

  it('explains the verdict in a tooltip title', () => {
    render(<VerdictChip verdict="configured" />);
    expect(screen.getByTitle(/live STS check was not run/)).toBeInTheDocument();
  });

  it('reads an unexpected or missing verdict as Unknown', () => {
    render(<VerdictChip verdict="weird" />);
    expect(screen.getByText('Unknown')).toBeInTheDocument();
  });

  it('shows a count', () => {
    render(<VerdictChip verdict="broken" count={3} />);
    expect(screen.getByText('Broken · 3')).toBeInTheDocument();
  });
});
