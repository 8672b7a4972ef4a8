// (d) A nested identity chain in mgmt-us: retail-live-us ← shared-services-hub ← controller identity default,
// each hop an sts:AssumeRole; the chain card draws it link by link with allowedNamespaces.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import {
  e2eTest,
  entityCard,
  openEntity,
  saveScreenshot,
  useBrowser,
} from './helpers.mjs';

describe('identity chain of mgmt-us retail-live-us', () => {
  const page = useBrowser();

  e2eTest(
    'the chain card draws every link, root first, with allowedNamespaces',
    page,
    async p => {
      await openEntity(p, 'mgmt-us.role.retail-live-us');
      const card = entityCard(p, 'Identity chain');
      const chain = card.getByRole('list', { name: 'Identity chain' });
      await chain.waitFor();
      await card.getByLabel('Verdict: Configured').first().waitFor();

      const links = chain.getByRole('listitem');
      await links.nth(2).waitFor();
      const names = await links.evaluateAll(items =>
        items.map(i => i.getAttribute('aria-label')),
      );
      assert.deepEqual(names, [
        'AWSClusterControllerIdentity/default',
        'AWSClusterRoleIdentity/shared-services-hub',
        'AWSClusterRoleIdentity/retail-live-us',
      ]);

      // The root: whose credentials the chain starts from (mgmt-us runs CAPA as the DKP control-plane role).
      const root = await links.nth(0).innerText();
      assert.match(root, /root \(source credentials\)/);
      assert.match(root, /Runs as/);
      assert.match(
        root,
        /arn:aws:iam::999999999999:role\/control-plane\.cluster-api-provider-aws\.sigs\.k8s\.io/,
      );

      const hub = await links.nth(1).innerText();
      assert.match(hub, /hop 1/);
      assert.match(hub, /arn:aws:iam::777777777777:role\//);
      assert.match(hub, /list: shared-services, retail/);
      const leaf = await links.nth(2).innerText();
      assert.match(leaf, /hop 2, used by the cluster/);
      assert.match(leaf, /888888888888/);
      assert.match(leaf, /1 h \(3600s\)/);
      assert.match(leaf, /list: retail/);
      // Two arrows, one sts:AssumeRole each.
      assert.equal(
        await chain.getByText(/^sts:AssumeRole arn:aws:iam::/).count(),
        2,
      );

      // The catalog graph card: the identity depends on the hub identity it chains from and on its account.
      const graph = entityCard(p, 'Relations')
        .locator('svg')
        .filter({ has: p.locator('g') })
        .first();
      for (const node of [
        'shared-services-hub (RoleIdentity)',
        'retail-live-us (888888888888)',
      ]) {
        await graph.locator('text', { hasText: node }).first().waitFor();
      }

      await card.evaluate(e => e.scrollIntoView({ block: 'end' }));
      await saveScreenshot(p, 'identity-chain');
    },
  );
});
