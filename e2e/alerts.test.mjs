// (i) Alerts on trust regressions (issue #16 part 2): a second backend of the portal reads a copy of the demo fleet
// (.portal/e2e/alerts-fleet) and refreshes it every 5 s, with `capa.notifications.tiers: [management]`. The
// browser's guest is a platform-team member (examples/org.yaml), and platform-team owns platform-tools-euw1, a
// configured kubeadm cluster in mgmt-eu's own account (111111111111, tier management) whose AWSCluster has no
// identityRef (CAPA defaults it to the controller identity). The test gives it an identityRef naming an
// AWSClusterRoleIdentity that does not exist (CAPA cannot resolve it: identity-exists fails, the verdict is
// broken), and the guest's inbox shows one notification naming the cluster, its verdict and the failing check;
// restoring the file turns it into "trust recovered" (the same notification: its scope is the entity). The
// browser's requests to the portal's backend are routed to this one, as in the tenancy test.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import {
  BACKEND_URL,
  BASE_URL,
  e2eTest,
  launch,
  root,
  saveScreenshot,
  signInAsGuest,
  startBackend,
} from './helpers.mjs';

const PORT = Number(process.env.E2E_ALERTS_BACKEND_PORT ?? 7018);
const BACKEND = `http://localhost:${PORT}`;
const FLEET = join(root, '.portal', 'e2e', 'alerts-fleet');
const MANIFEST = join(
  FLEET,
  'clusters',
  'mgmt-eu',
  'platform',
  'platform-tools-euw1.yaml',
);
const TITLE =
  'Cluster platform/platform-tools-euw1 (management cluster mgmt-eu)';
const CONFIG = `app:
  baseUrl: ${BASE_URL}
backend:
  baseUrl: ${BACKEND}
  listen:
    port: ${PORT}
    host: 127.0.0.1
  cors:
    origin: ${BASE_URL}
    methods: [GET, HEAD, PATCH, POST, PUT, DELETE]
    credentials: true
capa:
  fleetFile: ${join(FLEET, 'fleet.yaml')}
  refresh:
    frequency: { minutes: 0, seconds: 5 }
  notifications:
    tiers: [management]
`;

const local = /^http:\/\/(localhost|127\.0\.0\.1):\d+$/.test(BACKEND_URL);
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

describe(
  'alerts: platform-team hears when its cluster’s trust breaks and recovers',
  { skip: !local && "E2E_BACKEND_URL is not this machine's" },
  () => {
    let backend;
    let browser;
    let original;
    before(
      async () => {
        rmSync(FLEET, { recursive: true, force: true });
        cpSync(join(root, 'examples', 'demo-fleet'), FLEET, {
          recursive: true,
        });
        original = readFileSync(MANIFEST, 'utf8');
        assert.doesNotMatch(original, /^\s+identityRef:/m);
        backend = await startBackend({
          name: 'alerts',
          url: BACKEND,
          extraConfig: CONFIG,
          ready: ['resource:default/aws-444444444444'],
        });
        // The first pass after every management cluster's first read records the verdicts without notifying
        // (README, "Alerts"); it runs after each stored read and on the 5 s schedule.
        await sleep(15_000);
        browser = await launch();
        await browser.context.route(`${BACKEND_URL}/**`, route =>
          route.continue({
            url: route.request().url().replace(BACKEND_URL, BACKEND),
          }),
        );
        await signInAsGuest(browser.page);
      },
      { timeout: 600_000 },
    );
    after(async () => {
      await browser?.close();
      await backend?.stop();
      rmSync(FLEET, { recursive: true, force: true });
    });
    const page = () => browser.page;

    /** Reloads the inbox until a notification with this text shows (the refresh and the pass take seconds). */
    async function inboxShows(p, text) {
      const deadline = Date.now() + 90_000;
      for (;;) {
        await p.goto(`${BASE_URL}/notifications`);
        try {
          await p.getByText(text).first().waitFor({ timeout: 10_000 });
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
        }
      }
    }

    e2eTest(
      'an identityRef to a missing identity reaches the owner’s inbox once, with the failing check',
      page,
      async p => {
        await p.goto(`${BASE_URL}/notifications`);
        assert.equal(
          await p.getByText(TITLE).count(),
          0,
          'nothing was notified before the change',
        );
        const broken = original.replace(
          /(kind: AWSCluster\n[\s\S]*?\nspec:\n)/,
          '$1  identityRef:\n    kind: AWSClusterRoleIdentity\n    name: platform-identity-missing\n',
        );
        assert.notEqual(broken, original);
        writeFileSync(MANIFEST, broken);
        await inboxShows(p, `${TITLE}: trust broken`);
        await p
          .getByText(/identity-exists/)
          .first()
          .waitFor();
        assert.equal(await p.getByText(`${TITLE}: trust broken`).count(), 1);
        await saveScreenshot(p, 'alerts');
      },
    );

    e2eTest(
      'removing the identityRef again turns it into a recovery',
      page,
      async p => {
        writeFileSync(MANIFEST, original);
        await inboxShows(p, `${TITLE}: trust recovered`);
        assert.equal(
          await p.getByText(`${TITLE}: trust broken`).count(),
          0,
          'the recovery replaced the broken notification (same scope)',
        );
      },
    );
  },
);
