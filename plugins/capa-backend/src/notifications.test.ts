/*
 * Alerts on trust regressions (issue #16), against the real notifications backend
 * (`@backstage/plugin-notifications-backend` with `@backstage/plugin-signals-backend`): the capa plugin on a copy of
 * the demo fleet, a catalog holding the owner groups and their members, and each user's inbox read back through the
 * notifications backend's REST API (`GET /api/notifications/notifications`).
 *
 * Expected verdicts come from DESIGN.md §1/§4 and examples/demo-fleet/README.md: an AWSClusterRoleIdentity whose
 * `allowedNamespaces.list` does not name the cluster's namespace (and has no selector) denies it, so
 * `namespace-allowed` fails and the cluster is `broken`; the account's verdict is its reachability and stays
 * `configured`. The demo's staging clusters are owned by checkout-team and payments-team (their
 * `capa-portal.io/owner` annotations), the management clusters by platform-team.
 */
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import signalsPlugin from '@backstage/plugin-signals-backend';
import { clusterEntityName } from '@capa-portal/plugin-capa-common';
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { startTestBackend } from '@backstage/backend-test-utils';
import {
  captureLogs,
  everyManagementClusterRead,
  schedulerProbe,
} from './__testUtils__/harness';
import { capaPlugin } from './plugin';

const DEMO_FLEET = path.resolve(__dirname, '../../../examples/demo-fleet');

const CAROL = 'user:default/carol'; // checkout-team
const PAUL = 'user:default/paul'; // payments-team
const ALICE = 'user:default/alice'; // platform-team
const SEARCH = 'user:default/sam'; // search-team

/** Users and groups as the catalog holds them: a group's members are its `hasMember` relations. */
function ownerCatalog() {
  const teams: Record<string, string> = {
    'checkout-team': CAROL,
    'payments-team': PAUL,
    'platform-team': ALICE,
    'search-team': SEARCH,
  };
  return Object.entries(teams).flatMap(([team, user]) => {
    const userName = user.split('/')[1];
    return [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: team, namespace: 'default' },
        spec: { type: 'team', children: [] },
        relations: [{ type: 'hasMember', targetRef: user }],
      },
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: userName, namespace: 'default' },
        spec: { memberOf: [team] },
        relations: [{ type: 'memberOf', targetRef: `group:default/${team}` }],
      },
    ];
  });
}

interface Inbox {
  notifications: Array<{
    id: string;
    payload: {
      title: string;
      description?: string;
      link?: string;
      severity: string;
      topic?: string;
      scope?: string;
    };
    updated?: string | null;
  }>;
  totalCount: number;
}

async function start(
  fleetDir: string,
  notifications?: unknown,
  options: { database?: unknown } = {},
) {
  const probe = schedulerProbe();
  const logs = captureLogs();
  const backend = await startTestBackend({
    features: [
      // The real database service: on disk when `database` is given (a restart keeps what was notified).
      mockServices.database.factory(),
      capaPlugin,
      notificationsPlugin,
      signalsPlugin,
      probe.module,
      logs.factory,
      catalogServiceMock.factory({ entities: ownerCatalog() as any }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          ...(options.database
            ? { backend: { database: options.database } }
            : {}),
          capa: {
            fleetFile: path.join(fleetDir, 'fleet.yaml'),
            refresh: { frequency: { hours: 1 }, timeout: { minutes: 1 } },
            ...(notifications === undefined ? {} : { notifications }),
          },
        },
      }),
    ],
  });
  const { server } = backend;
  await everyManagementClusterRead(server);
  const inbox = async (user: string): Promise<Inbox> => {
    const res = await request(server)
      .get('/api/notifications/notifications')
      .set('Authorization', mockCredentials.user.header(user));
    expect(res.status).toBe(200);
    return res.body;
  };
  /** Reads mgmt-eu again and runs the notifier's pass (it awaits a pass already running). */
  const refreshAndNotify = async () => {
    await probe.refresh('mgmt-eu');
    await probe.scheduler.triggerTask('capa-notifications');
  };
  return {
    server,
    probe,
    logs,
    inbox,
    refreshAndNotify,
    stop: () => backend.stop(),
  };
}

const IDENTITIES = 'clusters/mgmt-eu/identities.yaml';

/**
 * Sets the one namespace an identity's `allowedNamespaces.list` names (the demo's staging-identity lists
 * `[staging]`, live-identity `[live]`).
 */
function setAllowedNamespace(
  file: string,
  identity: string,
  namespace: string,
) {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(
    new RegExp(
      `(name: ${identity}\\nspec:\\n {2}allowedNamespaces:\\n {4}list:\\n {6}- )\\S+`,
    ),
    `$1${namespace}`,
  );
  expect(next).not.toBe(text);
  writeFileSync(file, next);
}

function setStagingNamespaces(
  fleetDir: string,
  namespace: string,
  file = path.join(fleetDir, IDENTITIES),
) {
  setAllowedNamespace(file, 'staging-identity', namespace);
}

/** Points a cluster manifest's identityRef at an identity that does not exist. */
function breakIdentityRef(dir: string, manifest: string, identity: string) {
  const file = path.join(dir, 'clusters', 'mgmt-eu', manifest);
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(`name: ${identity}\n`);
  writeFileSync(
    file,
    text.replace(`name: ${identity}\n`, `name: ${identity}-missing\n`),
  );
}

const stagingClusters = [
  { name: 'checkout-staging', owner: CAROL },
  { name: 'payments-staging-euw1', owner: PAUL },
];
const entityLink = (name: string) =>
  `/catalog/default/resource/${clusterEntityName({
    name,
    namespace: 'staging',
    managementCluster: 'mgmt-eu',
  })}`;

describe('trust notifications (real notifications backend)', () => {
  let fleetDir: string;
  beforeEach(() => {
    fleetDir = mkdtempSync(path.join(os.tmpdir(), 'capa-notify-'));
    cpSync(DEMO_FLEET, fleetDir, { recursive: true });
  });
  afterEach(() => rmSync(fleetDir, { recursive: true, force: true }));

  it('tells each cluster owner once when its verdict breaks, and replaces it once on recovery', async () => {
    const capa = await start(fleetDir);
    // First sight records the fleet as it is: the demo's broken accounts and clusters announce nothing.
    await capa.probe.scheduler.triggerTask('capa-notifications');
    for (const user of [CAROL, PAUL, ALICE, SEARCH])
      expect((await capa.inbox(user)).totalCount).toBe(0);

    setStagingNamespaces(fleetDir, 'elsewhere');
    await capa.refreshAndNotify();
    // Twice more: nothing changed, nothing more is sent.
    await capa.refreshAndNotify();
    await capa.probe.scheduler.triggerTask('capa-notifications');

    for (const { name, owner } of stagingClusters) {
      const inbox = await capa.inbox(owner);
      expect(inbox.totalCount).toBe(1);
      const [n] = inbox.notifications;
      expect(n.payload.title).toBe(
        `Cluster staging/${name} (management cluster mgmt-eu): trust broken`,
      );
      expect(n.payload.description).toContain(
        'Verdict was configured, now broken.',
      );
      expect(n.payload.description).toContain('namespace-allowed: ');
      expect(n.payload.link).toBe(entityLink(name));
      expect(n.payload.severity).toBe('high');
      expect(n.payload.topic).toBe('capa-trust');
      // Sent once: a second send of the same scope would have restored (updated) it.
      expect(n.updated ?? null).toBeNull();
    }
    // The staging account's reachability is unchanged (a cluster problem), and other teams hear nothing.
    expect((await capa.inbox(ALICE)).totalCount).toBe(0);
    expect((await capa.inbox(SEARCH)).totalCount).toBe(0);

    setStagingNamespaces(fleetDir, 'staging');
    await capa.refreshAndNotify();
    await capa.refreshAndNotify();
    for (const { name, owner } of stagingClusters) {
      const inbox = await capa.inbox(owner);
      // Same scope (the entity): the recovery replaces the regression in the inbox instead of stacking.
      expect(inbox.totalCount).toBe(1);
      const [n] = inbox.notifications;
      expect(n.payload.title).toBe(
        `Cluster staging/${name} (management cluster mgmt-eu): trust recovered (configured)`,
      );
      expect(n.payload.description).toBe('Verdict was broken, now configured.');
      expect(n.payload.severity).toBe('low');
      expect(n.updated).toBeTruthy();
    }
  });

  it("tells the account's owner when the account breaks, with the failing check", async () => {
    const capa = await start(fleetDir);
    await capa.probe.scheduler.triggerTask('capa-notifications');
    // staging-identity chains from an identity that does not exist: identity-exists fails for that link
    // (DESIGN.md §4), so CAPA cannot reach account 222222222222 and the account is broken.
    const file = path.join(fleetDir, IDENTITIES);
    const text = readFileSync(file, 'utf8');
    const next = text.replace(
      /(name: staging-identity\n[\s\S]*?sourceIdentityRef:\n {4}kind: )AWSClusterControllerIdentity\n {4}name: default/,
      '$1AWSClusterRoleIdentity\n    name: gone-identity',
    );
    expect(next).not.toBe(text);
    writeFileSync(file, next);
    await capa.refreshAndNotify();

    const inbox = await capa.inbox(ALICE);
    expect(inbox.totalCount).toBe(1);
    const [n] = inbox.notifications;
    expect(n.payload.title).toBe(
      'AWS account staging (222222222222): trust broken',
    );
    expect(n.payload.description).toContain(
      'Verdict was configured, now broken.',
    );
    expect(n.payload.description).toContain('identity-exists: ');
    expect(n.payload.link).toBe('/catalog/default/resource/aws-222222222222');
    // The clusters that use the identity break with it, each told to its own owner once.
    for (const { name, owner } of stagingClusters) {
      const own = await capa.inbox(owner);
      expect(own.totalCount).toBe(1);
      expect(own.notifications[0].payload.title).toBe(
        `Cluster staging/${name} (management cluster mgmt-eu): trust broken`,
      );
    }
  });

  it('keeps what it recorded and notified across restarts (one database on disk)', async () => {
    const database = {
      client: 'better-sqlite3',
      connection: { directory: path.join(fleetDir, 'db') },
    };
    const startOnDisk = () => start(fleetDir, undefined, { database });
    const first = await startOnDisk();
    await first.probe.scheduler.triggerTask('capa-notifications');
    await first.stop();

    // Broken while no backend runs: the next one compares with what the first recorded, and notifies.
    setStagingNamespaces(fleetDir, 'elsewhere');
    const second = await startOnDisk();
    await second.refreshAndNotify();
    const inbox = await second.inbox(CAROL);
    expect(inbox.totalCount).toBe(1);
    expect(inbox.notifications[0].payload.title).toContain('trust broken');
    await second.stop();

    // The third knows it was notified: nothing is sent again (a second send would restore the same scope).
    const third = await startOnDisk();
    await third.refreshAndNotify();
    const after = await third.inbox(CAROL);
    expect(after.totalCount).toBe(1);
    expect(after.notifications[0].id).toBe(inbox.notifications[0].id);
    expect(after.notifications[0].updated ?? null).toBeNull();
    await third.stop();
  });

  it('tells the management cluster owner once that it went stale and once that it recovered, and no trust change meanwhile', async () => {
    const capa = await start(fleetDir);
    await capa.probe.scheduler.triggerTask('capa-notifications');
    const source = path.join(fleetDir, 'clusters/mgmt-eu');
    const away = path.join(fleetDir, 'mgmt-eu-away');
    renameSync(source, away);
    await capa.refreshAndNotify();
    await capa.refreshAndNotify();

    const stale = await capa.inbox(ALICE);
    expect(stale.totalCount).toBe(1);
    expect(stale.notifications[0].payload.title).toBe(
      'Management cluster mgmt-eu: data is stale',
    );
    expect(stale.notifications[0].payload.topic).toBe('capa-source');
    expect(stale.notifications[0].updated ?? null).toBeNull();
    for (const user of [CAROL, PAUL, SEARCH])
      expect((await capa.inbox(user)).totalCount).toBe(0);

    // The staging identity changes while nobody can read it; the change is found (and notified) once it is read.
    setStagingNamespaces(
      fleetDir,
      'elsewhere',
      path.join(away, 'identities.yaml'),
    );
    await capa.probe.scheduler.triggerTask('capa-notifications');
    expect((await capa.inbox(CAROL)).totalCount).toBe(0);
    renameSync(away, source);
    await capa.refreshAndNotify();
    await capa.refreshAndNotify();

    const recovered = await capa.inbox(ALICE);
    expect(recovered.totalCount).toBe(1);
    expect(recovered.notifications[0].payload.title).toBe(
      'Management cluster mgmt-eu: data is fresh again',
    );
    for (const { name, owner } of stagingClusters) {
      const inbox = await capa.inbox(owner);
      expect(inbox.totalCount).toBe(1);
      expect(inbox.notifications[0].payload.title).toBe(
        `Cluster staging/${name} (management cluster mgmt-eu): trust broken`,
      );
      expect(inbox.notifications[0].updated ?? null).toBeNull();
    }
    expect((await capa.inbox(SEARCH)).totalCount).toBe(0);
  });

  it('sends nothing when capa.notifications.enabled is false', async () => {
    const capa = await start(fleetDir, { enabled: false });
    setStagingNamespaces(fleetDir, 'elsewhere');
    await capa.probe.refresh('mgmt-eu');
    for (const { owner } of stagingClusters)
      expect((await capa.inbox(owner)).totalCount).toBe(0);
    expect(
      capa.logs.lines.some(l =>
        l.includes(
          'capa: trust notifications are off (capa.notifications.enabled is false)',
        ),
      ),
    ).toBe(true);
  });

  it('stays off, saying so once, when the notifications backend is not installed', async () => {
    const logs = captureLogs();
    const probe = schedulerProbe();
    const backend = await startTestBackend({
      features: [
        capaPlugin,
        probe.module,
        logs.factory,
        mockServices.rootConfig.factory({
          data: { capa: { fleetFile: path.join(fleetDir, 'fleet.yaml') } },
        }),
      ],
    });
    await everyManagementClusterRead(backend.server);
    const off = logs.lines.filter(l =>
      l.includes(
        'capa: trust notifications are off: the notifications backend',
      ),
    );
    expect(off).toHaveLength(1);
    await backend.stop();
  });

  it('sends nothing for a tier that is not listed, and sends for one that is', async () => {
    const capa = await start(fleetDir, { tiers: ['Production'] });
    await capa.probe.scheduler.triggerTask('capa-notifications');
    setStagingNamespaces(fleetDir, 'elsewhere');
    await capa.refreshAndNotify();
    for (const { owner } of stagingClusters)
      expect((await capa.inbox(owner)).totalCount).toBe(0);

    // live-identity (account 333333333333, tier production) admits only `live`: the same break there notifies.
    setAllowedNamespace(
      path.join(fleetDir, IDENTITIES),
      'live-identity',
      'elsewhere',
    );
    await capa.refreshAndNotify();
    const search = await capa.inbox(SEARCH);
    expect(search.totalCount).toBe(1);
    expect(search.notifications[0].payload.title).toBe(
      'Cluster live/search-prod-euw1 (management cluster mgmt-eu): trust broken',
    );
  });

  it('judges a cluster whose identity chain broke by the tier its account had', async () => {
    // An identityRef naming no identity reaches no account (identity-exists fails: CAPA cannot resolve it), so
    // the report cannot say the cluster's tier: search-prod-euw1's account was production (listed),
    // checkout-staging's staging (not listed).
    const capa = await start(fleetDir, { tiers: ['Production'] });
    await capa.probe.scheduler.triggerTask('capa-notifications');
    breakIdentityRef(fleetDir, 'live/search-prod-euw1.yaml', 'live-identity');
    breakIdentityRef(
      fleetDir,
      'staging/checkout-staging.yaml',
      'staging-identity',
    );
    await capa.refreshAndNotify();
    const search = await capa.inbox(SEARCH);
    expect(search.totalCount).toBe(1);
    expect(search.notifications[0].payload.title).toBe(
      'Cluster live/search-prod-euw1 (management cluster mgmt-eu): trust broken',
    );
    expect(search.notifications[0].payload.description).toContain(
      'identity-exists',
    );
    expect((await capa.inbox(CAROL)).totalCount).toBe(0);
  });
});
