import { screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import type { Check } from '@capa-portal/plugin-capa-common';
import { CheckList, collectChecks } from './CheckList';
import {
  TRUST_POLICY_FIX,
  stagingIdentity,
} from '../../__testUtils__/fixtures';

const failing: Check = stagingIdentity.checks.find(
  c => c.id === 'target-trust',
)!;

describe('collectChecks', () => {
  it('keeps failing and warning checks, failures first, and merges the same finding across subjects', () => {
    const items = collectChecks([
      { subject: 'identity a', checks: stagingIdentity.checks },
      { subject: 'cluster b', checks: [failing] },
    ]);
    expect(items.map(i => [i.check.id, i.check.status, i.subjects])).toEqual([
      ['target-trust', 'fail', ['identity a', 'cluster b']],
      ['session-duration', 'warn', ['identity a']],
    ]);
  });
});

describe('CheckList', () => {
  it('lists each check with its message, evidence and fix snippet', async () => {
    await renderInTestApp(
      <CheckList
        items={collectChecks([
          { subject: 'identity a', checks: stagingIdentity.checks },
        ])}
      />,
    );
    const item = screen.getByTestId('capa-check-target-trust');
    expect(within(item).getByText('Fail')).toBeInTheDocument();
    expect(
      within(item).getByText(/does not allow the management principal/),
    ).toBeInTheDocument();
    expect(
      within(item).getByText(
        'iam/staging.yaml:12 — trustStatements allow only ec2.amazonaws.com',
      ),
    ).toBeInTheDocument();
    expect(within(item).getByText(/Add a trust statement/)).toBeInTheDocument();
    const snippet = within(item).getByTestId('capa-fix-snippet');
    expect(snippet.textContent).toContain('sts:AssumeRole');
    expect(TRUST_POLICY_FIX).toContain('sts:AssumeRole');
    expect(screen.queryByTestId('capa-check-identity-exists')).toBeNull();
  });

  it('says so when nothing fails', async () => {
    await renderInTestApp(<CheckList items={[]} emptyMessage="All good." />);
    expect(screen.getByText('All good.')).toBeInTheDocument();
  });
});
