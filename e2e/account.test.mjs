// (a) The broken account of the demo fleet: ml-sandbox (444444444444) fails `target-trust` because its trust
// policy names a retired management account; the card shows the failing check and its fix, the Trust tab
// the full check table.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import {
  e2eTest,
  entityCard,
  openEntity,
  saveScreenshot,
  scrollToTop,
  useBrowser,
} from './helpers.mjs';

describe('broken account ml-sandbox (444444444444)', () => {
  const page = useBrowser();

  e2eTest(
    'the trust card shows the verdict, the failing target-trust check and its fix',
    page,
    async p => {
      await openEntity(p, 'aws-444444444444');
      await p
        .getByRole('heading', { name: 'ml-sandbox (444444444444)' })
        .waitFor();

      const card = entityCard(p, 'CAPA trust');
      await card.getByLabel('Verdict: Broken').first().waitFor();

      // Who targets the account: mgmt-eu's ml-sandbox-identity.
      const targetedBy = card.getByRole('region', { name: 'Targeted by' });
      await targetedBy.getByText('mgmt-eu', { exact: true }).waitFor();
      await targetedBy
        .getByText('AWSClusterRoleIdentity/ml-sandbox-identity')
        .waitFor();

      // The failing check, its message and evidence, and the fix: the trust statement to add.
      const check = card.getByTestId('capa-check-target-trust');
      await check.waitFor();
      await check.getByText('Fail', { exact: true }).waitFor();
      await check
        .getByText(/does not allow arn:aws:iam::111111111111:role/)
        .waitFor();
      await check.getByLabel('Evidence').waitFor();
      assert.match(
        await check.getByLabel('Evidence').innerText(),
        /iam\/ml-sandbox\.yaml/,
      );
      await check.getByText(/^Fix:/).waitFor();
      // The snippet is highlighted by a lazily loaded component: wait for its text.
      const snippet = check
        .getByTestId('capa-fix-snippet')
        .filter({ hasText: 'trustStatements' });
      await snippet.waitFor();
      const fix = await snippet.innerText();
      assert.match(fix, /trustStatements/);
      assert.match(
        fix,
        /arn:aws:iam::111111111111:role\/controllers\.cluster-api-provider-aws\.sigs\.k8s\.io/,
      );

      await scrollToTop(card);
      await saveScreenshot(p, 'account-broken');
    },
  );

  e2eTest(
    'the Trust tab lists every check, failing ones first',
    page,
    async p => {
      await p
        .getByRole('navigation', { name: 'Content navigation' })
        .getByRole('link', { name: 'Trust', exact: true })
        .click();
      await p.waitForURL(
        /\/catalog\/default\/resource\/aws-444444444444\/trust$/,
      );

      await p.getByText(/^Checks \(\d+\)$/).waitFor();
      const title = await p.getByText(/^Checks \(\d+\)$/).innerText();
      const total = Number(title.match(/\d+/)[0]);
      assert.ok(total >= 5, `expected several checks, got "${title}"`);

      // Summary: the verdict of the account.
      await p.getByLabel('Verdict: Broken').first().waitFor();
      await p.getByText('account ml-sandbox (444444444444)').waitFor();

      // The first rows are the failing target-trust checks (sorted fail, warn, skip, pass).
      const rows = p.locator('tbody tr').filter({ hasText: /\S/ });
      await rows.first().waitFor();
      const first = await rows.first().innerText();
      assert.match(first, /Fail/);
      assert.match(first, /target-trust/);
      assert.match(first, /Fix:/);
      const passing = await rows.filter({ hasText: 'Pass' }).count();
      assert.ok(passing > 0, 'expected passing checks in the table too');

      // The table's filter narrows the rows.
      await p.getByPlaceholder('Filter').fill('target-trust');
      await p.waitForFunction(() =>
        [...document.querySelectorAll('tbody tr')].every(tr =>
          tr.innerText.includes('target-trust'),
        ),
      );
      await p.getByPlaceholder('Filter').fill('');
      await rows.filter({ hasText: 'Pass' }).first().waitFor();

      await p.getByPlaceholder('Filter').blur();
      await p.mouse.move(0, 0);
      await p.evaluate(() => window.scrollTo(0, 0));
      await saveScreenshot(p, 'account-trust-tab');
    },
  );

  e2eTest(
    'Verify now says when live verification is off (the demo has no aws: config)',
    page,
    async p => {
      await p.getByRole('button', { name: 'Verify now' }).click();
      const notice = p.getByRole('status').filter({
        hasText: 'Live verification was incomplete',
      });
      await notice.waitFor();
      assert.match(
        await notice.innerText(),
        /Live verification is off .*static evidence only/,
      );
      // The report is still there, with its verdict.
      await p.getByLabel('Verdict: Broken').first().waitFor();
    },
  );
});
