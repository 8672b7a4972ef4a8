// (e) The capa backend down or failing, as the browser sees it: every request to /api/capa is refused (or answered
// 503) by Playwright's request routing, while the rest of Backstage works. The pages say so in words, offer Retry,
// and come back once the backend answers again.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import {
  BASE_URL,
  e2eTest,
  entityCard,
  openEntity,
  useBrowser,
} from './helpers.mjs';

const CAPA_API = '**/api/capa/**';

describe('the capa backend down', () => {
  const page = useBrowser();

  e2eTest(
    'the /capa page says the backend cannot be reached, and Retry brings the data back',
    page,
    async p => {
      await p.route(CAPA_API, route => route.abort('connectionrefused'));
      try {
        await p.goto(`${BASE_URL}/capa`);
        const alert = p
          .getByRole('alert')
          .filter({ hasText: 'Could not load the CAPA overview' });
        await alert.waitFor();
        assert.match(
          await alert.innerText(),
          /The capa backend could not be reached/,
        );
      } finally {
        await p.unroute(CAPA_API);
      }
      await p
        .getByRole('alert')
        .filter({ hasText: 'Could not load the CAPA overview' })
        .getByRole('button', { name: 'Retry' })
        .click();
      const mgmt = p.getByRole('region', { name: 'Management clusters' });
      await mgmt.locator('tbody tr').filter({ hasText: 'mgmt-eu' }).waitFor();
    },
  );

  e2eTest(
    'an account page keeps working and its trust card names the failure (503)',
    page,
    async p => {
      await p.route(CAPA_API, route =>
        route.fulfill({
          status: 503,
          contentType: 'application/json',
          body: JSON.stringify({
            error: { name: 'ServiceUnavailableError', message: 'draining' },
            response: { statusCode: 503 },
          }),
        }),
      );
      try {
        await openEntity(p, 'aws-444444444444');
        // The catalog part of the page is there...
        await p
          .getByRole('heading', { name: 'ml-sandbox (444444444444)' })
          .waitFor();
        // ...and the capa card says what failed, with Retry.
        const card = entityCard(p, 'CAPA trust');
        const alert = card.getByRole('alert');
        await alert.waitFor();
        const text = await alert.innerText();
        assert.match(
          text,
          /Could not load the trust report of account 444444444444/,
        );
        assert.match(text, /The capa backend failed \(503\): draining/);
        await alert.getByRole('button', { name: 'Retry' }).waitFor();
      } finally {
        await p.unroute(CAPA_API);
      }
    },
  );
});
