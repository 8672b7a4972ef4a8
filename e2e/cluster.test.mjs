// (b) A workload cluster: checkout-staging (EKS, mgmt-eu, namespace staging, account 222222222222). The
// cluster card shows its phase, region and identity; the catalog graph card its relations.
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

/** The value of a `<dt>label</dt><dd>value</dd>` row of a card. */
async function field(card, label) {
  const dd = card.locator(`dt:text-is("${label}") + dd`);
  await dd.waitFor();
  return (await dd.innerText()).trim();
}

describe('cluster checkout-staging in mgmt-eu', () => {
  const page = useBrowser();

  e2eTest(
    'the cluster card shows phase, region, account and identity',
    page,
    async p => {
      await openEntity(p, 'checkout-staging.staging.mgmt-eu');
      await p
        .getByRole('heading', { name: 'checkout-staging', level: 2 })
        .waitFor();

      const card = entityCard(p, 'CAPA cluster');
      await card.getByLabel('Verdict: Configured').first().waitFor();
      await card.getByText('staging/checkout-staging').waitFor();
      assert.equal(await field(card, 'Phase'), 'Provisioned');
      assert.equal(await field(card, 'Region'), 'eu-west-1');
      assert.equal(await field(card, 'Flavour'), 'EKS');
      assert.equal(await field(card, 'AWS account'), '222222222222');
      assert.equal(await field(card, 'Management cluster'), 'mgmt-eu');
      assert.match(
        await field(card, 'Identity'),
        /^AWSClusterRoleIdentity\/staging-identity/,
      );
      assert.match(
        await field(card, 'Identity chain'),
        /AWSClusterControllerIdentity\/default → AWSClusterRoleIdentity\/staging-identity/,
      );
      // Conditions, with their status named for screen readers too.
      const conditions = card.getByRole('table', { name: 'Conditions' });
      await conditions
        .getByText('Available', { exact: true })
        .first()
        .waitFor();
      await card
        .getByRole('img', { name: 'Available: True', exact: true })
        .waitFor();
    },
  );

  e2eTest(
    'the catalog graph card shows the identity, account and management cluster',
    page,
    async p => {
      const graph = entityCard(p, 'Relations');
      await graph.waitFor();
      const svg = graph
        .locator('svg')
        .filter({ has: p.locator('g') })
        .first();
      for (const node of [
        'checkout-staging',
        'staging-identity (RoleIdentity)',
        'staging (222222222222)',
        'mgmt-eu',
      ]) {
        await svg.locator('text', { hasText: node }).first().waitFor();
      }
      const labels = await svg.locator('text').allTextContents();
      assert.ok(
        labels.some(l => /dependsOn/.test(l)),
        `expected dependsOn edges, got: ${labels.join(', ')}`,
      );

      await scrollToTop(graph);
      await saveScreenshot(p, 'cluster');
    },
  );
});
