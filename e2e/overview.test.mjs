// (c) The /capa page: management clusters with health, accounts by verdict, and the workload clusters table,
// narrowed by the verdict filter and by the search box (both answered by the backend).
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import {
  BASE_URL,
  e2eTest,
  saveScreenshot,
  scrollToTop,
  useBrowser,
} from './helpers.mjs';

/** The data rows of a section's table (BUI tables: a header row group, then the rows). */
function bodyRows(section) {
  return section.locator('tbody tr');
}

/** Waits until the table's rows are exactly these first-column texts (in any order). */
async function expectClusters(p, section, expected) {
  const want = [...expected].sort();
  let got = [];
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    got = (
      await bodyRows(section).locator('th, td:first-child').allInnerTexts()
    )
      .map(t => t.split('\n')[0].trim())
      .sort();
    if (JSON.stringify(got) === JSON.stringify(want)) return;
    await p.waitForTimeout(250);
  }
  assert.deepEqual(got, want);
}

describe('the /capa overview page', () => {
  const page = useBrowser();

  e2eTest(
    'shows the management clusters and the accounts by verdict',
    page,
    async p => {
      await p.goto(`${BASE_URL}/capa`);
      const mgmt = p.getByRole('region', { name: 'Management clusters' });
      await mgmt.waitFor();
      for (const name of ['mgmt-eu', 'mgmt-us']) {
        const row = bodyRows(mgmt).filter({ hasText: name });
        await row.waitFor();
        assert.match(await row.innerText(), /Reachable/);
      }

      const accounts = p.getByRole('region', { name: 'AWS accounts' });
      await accounts.getByRole('link', { name: 'ml-sandbox' }).waitFor();
      // Counts per verdict: the demo fleet has two accounts CAPA cannot reach (ml-sandbox, and
      // sandbox-2023, which AWS Organizations lists as suspended). dev is reachable
      // (configured) with one cluster problem: experiments-dev's namespace is not admitted by dev-identity.
      const broken = accounts.getByRole('button', { name: /Broken · \d+/ });
      await broken.waitFor();
      assert.match(await broken.innerText(), /Broken · 2/);
      const dev = bodyRows(accounts).filter({
        has: p.getByRole('link', { name: 'dev', exact: true }),
      });
      assert.match(await dev.innerText(), /Configured/);
      await dev.getByRole('link', { name: 'with 1 cluster problem' }).waitFor();
      const total = await bodyRows(accounts).count();
      assert.ok(
        total >= 10,
        `expected the demo fleet's accounts, got ${total} rows`,
      );

      // The verdict buttons filter the accounts.
      await broken.click();
      await accounts.getByText(/Showing 2 of \d+ accounts/).waitFor();
      const shown = await bodyRows(accounts).allInnerTexts();
      assert.equal(shown.length, 2);
      assert.ok(shown.some(r => r.includes('ml-sandbox')));
      assert.ok(shown.every(r => r.includes('Broken')));
      await broken.click();
      await accounts.getByText(/Showing \d+ of/).waitFor({ state: 'detached' });

      await p.evaluate(() => window.scrollTo(0, 0));
      await p.mouse.move(0, 0);
      await saveScreenshot(p, 'overview');
    },
  );

  e2eTest('filters the workload clusters by verdict', page, async p => {
    const section = p.getByRole('region', { name: 'Workload clusters' });
    await bodyRows(section).first().waitFor();
    await section.getByText(/^\d+ - \d+ of 15$/).waitFor(); // 15 clusters in the demo fleet
    assert.equal(await bodyRows(section).count(), 15);

    await section.getByRole('button', { name: /All verdicts/ }).click();
    await p.getByRole('option', { name: 'Broken', exact: true }).click();
    await expectClusters(p, section, [
      'dev-experiments/experiments-dev',
      'ml-sandbox/ml-training-sandbox',
    ]);
    const rows = await bodyRows(section).allInnerTexts();
    assert.ok(rows.every(r => r.includes('Broken')));
    assert.ok(rows.some(r => r.includes('target-trust')));
    assert.ok(rows.some(r => r.includes('namespace-allowed')));

    await scrollToTop(
      section.getByRole('heading', { name: 'Workload clusters' }),
    );
    await p.mouse.move(0, 0);
    await saveScreenshot(p, 'overview-filtered');

    // Back to every verdict.
    await section
      .getByRole('button', { name: /Broken/ })
      .first()
      .click();
    await p.getByRole('option', { name: 'All verdicts' }).click();
    await section.getByText(/^\d+ - \d+ of 15$/).waitFor();
  });

  e2eTest('searches the workload clusters', page, async p => {
    const section = p.getByRole('region', { name: 'Workload clusters' });
    await section.getByRole('searchbox', { name: /Search/ }).fill('retail');
    await expectClusters(p, section, [
      'retail/retail-live-use1',
      'retail/retail-live-usw2',
    ]);
    await section.getByRole('searchbox', { name: /Search/ }).fill('');
    await section.getByText(/^\d+ - \d+ of 15$/).waitFor();
  });
});
