// The /capa page's onboarding gaps: the demo's AWS Organization (examples/demo-fleet/aws-organization.yaml) has
// three ACTIVE accounts no identity targets, and mgmt-eu's sandbox-2023-identity targets 141414141414, which
// Organizations lists as SUSPENDED. The Onboard button opens the onboarding template prefilled with the account.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import {
  BASE_URL,
  e2eTest,
  saveScreenshot,
  scrollToTop,
  useBrowser,
} from './helpers.mjs';

const NOT_ONBOARDED = ['payments-sandbox', 'search-staging', 'security-audit'];

/** The first-cell texts of a table's rows (the account or identity names). */
async function names(region) {
  return (
    await region
      .locator('tbody tr')
      .locator('th, td:first-child')
      .allInnerTexts()
  )
    .map(t => t.split('\n')[0].trim())
    .sort();
}

async function expectNames(p, region, expected) {
  const deadline = Date.now() + 30_000;
  let got = [];
  while (Date.now() < deadline) {
    got = await names(region);
    if (JSON.stringify(got) === JSON.stringify(expected)) return;
    await p.waitForTimeout(250);
  }
  assert.deepEqual(got, expected);
}

describe('onboarding gaps on the /capa page', () => {
  const page = useBrowser();

  e2eTest(
    'lists the accounts not onboarded and the identity to a suspended account, filtered by OU',
    page,
    async p => {
      await p.goto(`${BASE_URL}/capa`);
      const gaps = p.getByRole('region', { name: 'Onboarding gaps' });
      const accounts = gaps.getByRole('region', {
        name: 'Accounts not onboarded',
      });
      await accounts.getByText('payments-sandbox', { exact: true }).waitFor();
      await expectNames(p, accounts, NOT_ONBOARDED);
      const identities = gaps.getByRole('region', {
        name: 'Identities to unknown or suspended accounts',
      });
      await expectNames(p, identities, ['sandbox-2023-identity']);
      assert.match(
        await identities.locator('tbody tr').first().innerText(),
        /SUSPENDED in Organizations/,
      );
      await gaps
        .getByText(
          /Reconciled with AWS Organizations \(15 accounts, from aws-organization\.yaml\)/,
        )
        .waitFor();

      await scrollToTop(gaps.getByRole('heading', { name: 'Onboarding gaps' }));
      await p.mouse.move(0, 0);
      await saveScreenshot(p, 'onboarding-gaps');

      // Only the workload OUs' sandbox.
      await gaps.getByRole('button', { name: /All OUs/ }).click();
      await p
        .getByRole('option', { name: 'Root/Workloads/Sandbox', exact: true })
        .click();
      await expectNames(p, accounts, ['payments-sandbox']);
      // The suspended account is in Root/Suspended: its identity is filtered out (the table's empty state).
      await identities
        .getByText('Every identity targets a known, active account.')
        .waitFor();

      await gaps
        .getByRole('button', { name: /Root\/Workloads\/Sandbox/ })
        .click();
      await p.getByRole('option', { name: 'All OUs' }).click();
      await expectNames(p, accounts, NOT_ONBOARDED);
    },
  );

  e2eTest(
    'opens the onboarding template prefilled with the account',
    page,
    async p => {
      const accounts = p
        .getByRole('region', { name: 'Onboarding gaps' })
        .getByRole('region', { name: 'Accounts not onboarded' });
      await accounts
        .getByRole('link', { name: 'Onboard search-staging' })
        .click();
      await p.waitForURL(
        /\/create\/templates\/default\/capa-onboard-aws-account\?formData=/,
      );
      const accountId = p.getByRole('textbox', { name: /AWS account id/ });
      await accountId.waitFor();
      assert.equal(await accountId.inputValue(), '161616161616');
      assert.equal(
        await p.getByRole('textbox', { name: /Short name/ }).inputValue(),
        'search-staging',
      );
      await p.mouse.move(0, 0);
      await saveScreenshot(p, 'onboarding-template-prefilled');
    },
  );
});
