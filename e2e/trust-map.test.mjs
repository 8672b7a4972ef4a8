// The /capa page's fleet trust map on the demo fleet: management clusters -> identities -> accounts, edges
// coloured by verdict. ml-sandbox-identity's target-trust fails (its identity -> account edge is broken),
// dev-identity's namespace-allowed fails (its management cluster -> identity edge is broken), and
// sandbox-2023-identity reaches a suspended account (account-known fails). Clicking a node opens its entity.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import {
  BASE_URL,
  e2eTest,
  saveScreenshot,
  scrollToTop,
  useBrowser,
} from './helpers.mjs';

const edge = (map, id) => map.locator(`[data-edge="${id}"]`);

describe('the fleet trust map on the /capa page', () => {
  const page = useBrowser();

  e2eTest('draws the demo fleet with its broken links', page, async p => {
    await p.goto(`${BASE_URL}/capa`);
    const section = p.getByRole('region', { name: 'Fleet trust map' });
    const map = section.getByRole('group', { name: 'Fleet trust map' });
    await map.waitFor();
    // Every identity of the demo (12) and every account (12) is drawn: no group at this size.
    await map
      .getByRole('link', { name: /^Identity ml-sandbox-identity/ })
      .waitFor();
    assert.equal(await map.locator('[data-node^="i:"]').count(), 12);
    assert.equal(await map.locator('[data-node^="a:"]').count(), 12);
    assert.equal(await map.locator('[data-node^="g:"]').count(), 0);

    const mlTarget = edge(
      map,
      'i:mgmt-eu/AWSClusterRoleIdentity/ml-sandbox-identity>a:444444444444',
    );
    assert.equal(await mlTarget.getAttribute('data-verdict'), 'broken');
    assert.equal(
      await edge(
        map,
        'm:mgmt-eu>i:mgmt-eu/AWSClusterRoleIdentity/ml-sandbox-identity',
      ).getAttribute('data-verdict'),
      'configured',
    );
    assert.equal(
      await edge(
        map,
        'm:mgmt-eu>i:mgmt-eu/AWSClusterRoleIdentity/dev-identity',
      ).getAttribute('data-verdict'),
      'broken',
    );
    assert.equal(
      await edge(
        map,
        'i:mgmt-eu/AWSClusterRoleIdentity/sandbox-2023-identity>a:141414141414',
      ).getAttribute('data-verdict'),
      'broken',
    );

    await scrollToTop(
      section.getByRole('heading', { name: 'Fleet trust map' }),
    );
    await p.mouse.move(0, 0);
    await saveScreenshot(p, 'trust-map');

    // Only what is broken.
    await section.getByRole('button', { name: /Broken · \d+/ }).click();
    await map
      .getByRole('link', { name: /^Identity staging-identity/ })
      .waitFor({ state: 'detached' });
    assert.equal(await map.locator('[data-node^="i:"]').count(), 3);
    await scrollToTop(
      section.getByRole('heading', { name: 'Fleet trust map' }),
    );
    await saveScreenshot(p, 'trust-map-broken');
    await section.getByRole('button', { name: /Broken · \d+/ }).click();
  });

  e2eTest('opens the entity page of a node', page, async p => {
    const map = p
      .getByRole('region', { name: 'Fleet trust map' })
      .getByRole('group', { name: 'Fleet trust map' });
    await map
      .getByRole('link', { name: /^Identity ml-sandbox-identity/ })
      .click();
    await p.waitForURL(
      /\/catalog\/default\/resource\/mgmt-eu\.role\.ml-sandbox-identity/,
    );
    await p.getByRole('navigation', { name: 'Content navigation' }).waitFor();
  });
});
