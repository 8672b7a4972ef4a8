// (i) Alerts on trust regressions (issue #16 part 2): a second backend of the portal reads a copy of the demo fleet
// (.portal/e2e/alerts-fleet), refreshes it every 5 s and signs the browser in as ml-engineer, a member of ml-team
// (examples/org.yaml), which owns the ml-training-sandbox cluster (its `capa-portal.io/owner` annotation) in the
// sandbox-tier account ml-sandbox (`capa.notifications.tiers: [sandbox]` here). The test breaks the cluster's
// identityRef in the copy (CAPA cannot resolve an AWSClusterRoleIdentity that does not exist: identity-exists
// fails, the verdict is broken), and ml-engineer's inbox shows one notification naming the cluster, its verdict and
// the failing check; restoring the file turns it into "trust recovered" (the same notification: its scope is the
// entity). The browser's requests to the portal's backend are routed to this one, as in the tenancy test.
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
  'ml-sandbox',
  'ml-training-sandbox.yaml',
);
const TITLE =
  'Cluster ml-sandbox/ml-training-sandbox (management cluster mgmt-eu)';
const CONFIG = `app:
  baseUrl: ${BASE_URL}
auth:
  providers:
    guest:
      userEntityRef: user:default/ml-engineer
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
    tiers: [sandbox]
`;

const local = /^http:\/\/(localhost|127\.0\.0\.1):\d+$/.test(BACKEND_URL);
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

describe(
  'alerts: ml-team hears when its cluster’s trust breaks and recovers',
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
        assert.match(original, /name: ml-sandbox-identity\n/);
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
      'a broken identityRef reaches ml-engineer’s inbox once, with the failing check',
      page,
      async p => {
        await p.goto(`${BASE_URL}/notifications`);
        assert.equal(
          await p.getByText(TITLE).count(),
          0,
          'nothing was notified before the change',
        );
        writeFileSync(
          MANIFEST,
          original.replace(
            'name: ml-sandbox-identity\n',
            'name: ml-sandbox-identity-missing\n',
          ),
        );
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
      'restoring the identityRef turns it into a recovery',
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
