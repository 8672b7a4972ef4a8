/*
 * No credential leaves the backend (issue #13, item 5). The real capa backend, catalog with capa's entity
 * provider and scaffolder with capa's actions in one backend, on two fleets:
 * - the demo as shipped (examples/demo-fleet): no credential is configured, so the scan looks for anything
 *   credential-shaped;
 * - the demo's fleet with credentials: mgmt-eu and mgmt-us served live by test Kubernetes API servers, their
 *   service-account tokens given by reference (a file and an environment variable, as docs/contracts.md §5 lets a
 *   fleet.yaml do), mgmt-eu holding the static keys of the Secret its AWSClusterStaticIdentity names, and static
 *   AWS access keys in app-config's `aws` block; every AWS service is a test double that refuses each call the
 *   way STS answers a bad signature, echoing the request's Authorization header and security token.
 * Surfaces scanned: every catalog entity (annotations and all), every /api/capa route and error answer, both MCP
 * actions, the task log of real scaffolder tasks running every capa action (one failing), and every log line.
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { TestKubernetesApiServer } from '@capa-portal/plugin-capa-node/testing';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { parseAllDocuments, parse, stringify } from 'yaml';
import capaPlugin from '@capa-portal/plugin-capa-backend';
import catalogModuleCapa from '@capa-portal/plugin-catalog-backend-module-capa';
import scaffolderModuleCapa from '@capa-portal/plugin-scaffolder-backend-module-capa';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplates from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  AwsRefusingDouble,
  credentialsIn,
  RecordingRootLogger,
} from './__testUtils__/credentialScan';

jest.setTimeout(180_000);

const DEMO_FLEET = path.resolve(__dirname, '../../../examples/demo-fleet');
const user = mockCredentials.user.header();
const POLL_MS = 200;
const MAX_POLLS = 500;

/** Recognisable fake credentials: none may appear in any output. */
const SECRETS = {
  mgmtEuToken: 'k8s-sa-token-FAKE-mgmt-eu-aaaaaaaaaaaaaaaaaaaa',
  mgmtUsToken: 'k8s-sa-token-FAKE-mgmt-us-bbbbbbbbbbbbbbbbbbbb',
  mainKeyId: 'AKIAFAKEMAIN00000001',
  mainSecret: 'mainSecretFAKEmainSecretFAKEmainSecretFA',
  mgmtKeyId: 'AKIAFAKEMGMT00000001',
  mgmtSecret: 'mgmtSecretFAKEmgmtSecretFAKEmgmtSecretFK',
  // The keys in Secret capa-system/legacy-batch-aws-credentials (examples/demo-fleet/README.md: never in Git).
  staticKeyId: 'AKIAFAKESTATIC000001',
  staticSecret: 'staticSecretFAKEstaticSecretFAKEstaticSe',
};
const TOKEN_ENV = 'CAPA_CREDENTIAL_SCAN_MGMT_US_TOKEN';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** The objects of a management cluster's manifests folder, as its live API server would hold them. */
function manifestObjects(dir: string): any[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(file => /\.ya?ml$/.test(file))
    .flatMap(file =>
      parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')),
    )
    .map(doc => doc.toJS())
    .filter(o => o?.kind);
}

/**
 * Adds the objects a current API server serves; returns them. The demo keeps some DKP-era v1alpha3 objects in
 * Git (clusters/mgmt-us/analytics), a version no current CAPI/CAPA serves, so a live cluster would not hold them.
 */
function addServed(server: TestKubernetesApiServer, objects: any[]): any[] {
  return objects.filter(o => {
    try {
      server.addObjects([o]);
      return true;
    } catch (e) {
      if (/does not serve/.test(String(e))) return false;
      throw e;
    }
  });
}

async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  for (let i = 0; i < MAX_POLLS; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise(r => setTimeout(r, POLL_MS));
  }
  throw new Error(`${what}: not seen after ${MAX_POLLS} polls`);
}

/** A template running every capa action for real (the test makes one run's apply fail). */
function scanTemplate(name: string) {
  return {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name },
    spec: {
      owner: 'group:default/platform-team',
      type: 'service',
      steps: [
        // Inputs as in plugins/scaffolder-backend-module-capa/src/actions/*.examples.ts, on the demo's names.
        {
          id: 'verify',
          action: 'capa:trust:verify',
          input: { accountId: '222222222222' },
        },
        {
          id: 'identity',
          action: 'capa:identity:resolve',
          input: {
            managementCluster: 'mgmt-eu',
            accountId: '222222222222',
            namespace: 'staging',
          },
        },
        {
          id: 'render',
          action: 'capa:cluster:render',
          input: {
            name: 'scan-staging',
            namespace: 'staging',
            flavour: 'eks',
            region: 'eu-west-1',
            kubernetesVersion: 'v1.33',
            identityRef: '${{ steps.identity.output.identityRef }}',
            nodePools: [
              {
                name: 'general',
                instanceType: 'm6i.xlarge',
                minSize: 1,
                maxSize: 3,
              },
            ],
          },
        },
        {
          id: 'bootstrap',
          action: 'capa:account:bootstrap',
          input: {
            accountId: '123456789012',
            accountName: 'payments-live',
            managementCluster: 'mgmt-eu',
            allowedNamespaces: ['payments-live'],
          },
        },
        {
          id: 'apply',
          action: 'capa:cluster:apply',
          input: {
            managementCluster: 'mgmt-eu',
            manifests: '${{ steps.render.output.manifests }}',
          },
        },
      ],
    },
  };
}

interface Fleet {
  config: Record<string, unknown>;
  /** The management clusters' objects the catalog reflects. */
  objects: any[];
  /** Facts that show the fleet's credentials were used, each true when it held (given the first task's status). */
  inPlay?: (taskStatus: string) => Record<string, boolean>;
  /** mgmt-eu's API server, when the fleet is live. */
  eu?: TestKubernetesApiServer;
  cleanup(): Promise<void>;
}

function baseConfig(fleetDir: string, templates: string) {
  return {
    capa: {
      fleetFile: path.join(fleetDir, 'fleet.yaml'),
      refresh: { frequency: { seconds: 2 }, timeout: { seconds: 30 } },
      catalog: {
        schedule: { frequency: { seconds: 2 }, timeout: { seconds: 30 } },
      },
      // The whole-fleet verification runs at once: its AWS errors reach the logs too.
      verification: {
        frequency: { minutes: 30 },
        timeout: { minutes: 1 },
        initialDelay: { seconds: 1 },
      },
    },
    catalog: {
      locations: [
        { type: 'file', target: templates, rules: [{ allow: ['Template'] }] },
      ],
    },
  };
}

function copyDemo(): { dir: string; templates: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'capa-credential-scan-'));
  cpSync(DEMO_FLEET, dir, { recursive: true });
  const templates = path.join(dir, 'templates.yaml');
  writeFileSync(
    templates,
    [scanTemplate('scan-ok'), scanTemplate('scan-failing')]
      .map(t => stringify(t))
      .join('---\n'),
  );
  return { dir, templates };
}

async function demoFleet(): Promise<Fleet> {
  const { dir, templates } = copyDemo();
  return {
    config: baseConfig(dir, templates),
    objects: ['mgmt-eu', 'mgmt-us'].flatMap(m =>
      manifestObjects(path.join(dir, 'clusters', m)),
    ),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The demo's fleet served live, with tokens by reference and static AWS keys. */
async function fleetWithCredentials(): Promise<Fleet> {
  const { dir, templates } = copyDemo();
  const staticKeys = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      namespace: 'capa-system',
      name: 'legacy-batch-aws-credentials',
    },
    data: {
      AccessKeyID: b64(SECRETS.staticKeyId),
      SecretAccessKey: b64(SECRETS.staticSecret),
    },
  };
  const eu = await TestKubernetesApiServer.start({
    token: SECRETS.mgmtEuToken,
  });
  const us = await TestKubernetesApiServer.start({
    token: SECRETS.mgmtUsToken,
  });
  eu.addObjects([staticKeys]);
  const objects = [
    ...addServed(eu, manifestObjects(path.join(dir, 'clusters/mgmt-eu'))),
    ...addServed(us, manifestObjects(path.join(dir, 'clusters/mgmt-us'))),
  ];
  const aws = await AwsRefusingDouble.start();
  writeFileSync(path.join(dir, 'mgmt-eu.token'), SECRETS.mgmtEuToken);
  process.env[TOKEN_ENV] = SECRETS.mgmtUsToken;
  const fleet = parse(readFileSync(path.join(dir, 'fleet.yaml'), 'utf8'));
  for (const mgmt of fleet.managementClusters) {
    delete mgmt.manifests;
    // skipTLSVerify: the test servers speak plain HTTP, which @kubernetes/client-node allows only so.
    mgmt.kubernetes =
      mgmt.name === 'mgmt-eu'
        ? {
            url: eu.url,
            serviceAccountTokenFile: 'mgmt-eu.token',
            skipTLSVerify: true,
          }
        : {
            url: us.url,
            serviceAccountTokenEnv: TOKEN_ENV,
            skipTLSVerify: true,
          };
  }
  writeFileSync(path.join(dir, 'fleet.yaml'), stringify(fleet));
  const config: any = baseConfig(dir, templates);
  config.capa.verification.endpoints = {
    sts: aws.url,
    iam: aws.url,
    organizations: aws.url,
    eks: aws.url,
  };
  config.aws = {
    mainAccount: {
      accessKeyId: SECRETS.mainKeyId,
      secretAccessKey: SECRETS.mainSecret,
    },
    accounts: [
      {
        accountId: '111111111111',
        accessKeyId: SECRETS.mgmtKeyId,
        secretAccessKey: SECRETS.mgmtSecret,
      },
    ],
  };
  return {
    config,
    objects,
    eu,
    inPlay: taskStatus => ({
      // The servers refuse any token but their own.
      'mgmt-eu was read live with its token':
        eu.requests({ verb: 'list' }).length > 0,
      'mgmt-us was read live with its token':
        us.requests({ verb: 'list' }).length > 0,
      'the task applied to mgmt-eu':
        taskStatus === 'completed' && eu.requests({ verb: 'apply' }).length > 0,
      'AWS was called with the static keys': aws
        .keyIdsSeen()
        .includes(SECRETS.mgmtKeyId),
      'AWS echoed them in its refusals':
        credentialsIn(aws.echoed(), [SECRETS.mgmtKeyId]).length > 0,
    }),
    cleanup: async () => {
      delete process.env[TOKEN_ENV];
      await Promise.all([eu.stop(), us.stop(), aws.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every capa entity, once the catalog holds one per workload cluster and identity of the demo's manifests. */
async function catalogOutput(server: any, objects: any[]): Promise<string[]> {
  const expected = objects.filter(
    o => o.kind === 'Cluster' || /^AWSCluster.*Identity$/.test(o.kind),
  ).length;
  let seen: unknown;
  const entities = await poll('every capa entity in the catalog', async () => {
    const res = await request(server)
      .get(
        `/api/catalog/entities/by-query?filter=${encodeURIComponent(
          'metadata.annotations.capa-portal.io/management-cluster',
        )}&limit=1000`,
      )
      .set('Authorization', user);
    seen = res.body.items?.length ?? res.status;
    return res.status === 200 && res.body.items.length >= expected
      ? (res.body.items as unknown[])
      : undefined;
  }).catch(async e => {
    const mgmt = await request(server)
      .get('/api/capa/management-clusters')
      .set('Authorization', user);
    throw new Error(
      `${e.message}: ${seen} of ${expected}; management clusters: ${mgmt.text}`,
    );
  });
  const accounts = await request(server)
    .get('/api/catalog/entities/by-query?filter=spec.type=cloud-account')
    .set('Authorization', user);
  expect(accounts.body.items.length).toBeGreaterThan(0);
  return [...entities, ...accounts.body.items].map(e => JSON.stringify(e));
}

/** Every capa route, MCP action and refusal, each answer as status, headers and body. */
async function apiOutput(server: any, objects: any[]): Promise<string[]> {
  const out: string[] = [];
  const send = async (req: request.Test) => {
    const res = await req.set('Authorization', user);
    out.push(`${res.status} ${JSON.stringify(res.headers)} ${res.text}`);
    return res;
  };
  const get = (route: string) => send(request(server).get(`/api/capa${route}`));
  const accounts = (await get('/accounts')).body.items as any[];
  const clusters = (await get('/clusters?limit=1000')).body.items as any[];
  const report = (await get('/report')).body;
  await get('/management-clusters');
  for (const a of accounts) {
    await get(`/accounts/${a.accountId}/trust`);
    await send(
      request(server).post(`/api/capa/accounts/${a.accountId}/trust/verify`),
    );
  }
  for (const c of clusters)
    await get(`/clusters/${c.managementCluster}/${c.namespace}/${c.name}`);
  for (const i of report.identities)
    await get(`/identities/${i.managementCluster}/${i.name}/chain`);
  await get('/accounts/000000000001/trust');
  await get('/accounts/12/trust');
  await get('/clusters/mgmt-eu/nowhere/nothing');
  await get('/clusters?limit=nope');
  const invoke = (action: string, input: object) =>
    send(
      request(server)
        .post(`/api/capa/.backstage/actions/v1/actions/capa:${action}/invoke`)
        .send(input),
    );
  for (const a of accounts)
    await invoke('get-aws-account-trust', { accountId: a.accountId });
  await invoke('get-aws-account-trust', { accountId: 'x' });
  await invoke('list-capa-clusters', {});
  // examples/demo-fleet/fleet.yaml's 11, and sandbox-2023, which mgmt-eu's sandbox-2023-identity targets.
  expect(accounts.length).toBe(12);
  expect(clusters.length).toBe(
    objects.filter(o => o.kind === 'Cluster').length,
  );
  return out;
}

/** Runs a template as a real scaffolder task and returns its status and every event of its log. */
async function runTask(server: any, template: string) {
  let last = '';
  const created = await poll(
    `template ${template} in the catalog`,
    async () => {
      const res = await request(server)
        .post('/api/scaffolder/v2/tasks')
        .set('Authorization', user)
        .send({ templateRef: `template:default/${template}`, values: {} });
      last = `${res.status} ${res.text}`;
      return res.status === 201 ? (res.body.id as string) : undefined;
    },
  ).catch(e => {
    throw new Error(`${e.message}; last answer ${last}`);
  });
  const status = await poll(`task of ${template} done`, async () => {
    const res = await request(server)
      .get(`/api/scaffolder/v2/tasks/${created}`)
      .set('Authorization', user);
    return ['completed', 'failed'].includes(res.body.status)
      ? (res.body.status as string)
      : undefined;
  });
  const events = await request(server)
    .get(`/api/scaffolder/v2/tasks/${created}/events`)
    .set('Authorization', user);
  expect(events.status).toBe(200);
  return {
    status,
    log: (events.body as unknown[]).map(e => JSON.stringify(e)),
  };
}

describe.each([
  ['the demo as shipped', demoFleet],
  ['the demo fleet live, with tokens and static keys', fleetWithCredentials],
])('no credential leaves the backend: %s', (_name, makeFleet) => {
  let fleet: Fleet;
  let server: any;
  const logger = new RecordingRootLogger();

  beforeAll(async () => {
    fleet = await makeFleet();
    ({ server } = await startTestBackend({
      features: [
        capaPlugin,
        catalogPlugin,
        catalogModuleTemplates,
        catalogModuleCapa,
        scaffolderPlugin,
        scaffolderModuleCapa,
        schedulerServiceFactory,
        logger.factory,
        mockServices.rootConfig.factory({ data: fleet.config as any }),
      ],
    }));
  });
  afterAll(async () => fleet?.cleanup());

  it('in entity annotations, API answers, MCP answers, scaffolder task logs, error messages and logs', async () => {
    const entities = await catalogOutput(server, fleet.objects);
    const api = await apiOutput(server, fleet.objects);

    const ok = await runTask(server, 'scan-ok');
    // The second task's apply is refused by mgmt-eu's API server (RBAC's 403), or, on the demo, finds no
    // live connection: either way it fails with an error message in the task log.
    fleet.eu?.failNext({ method: 'PATCH', status: 403, times: 10 });
    const failing = await runTask(server, 'scan-failing');
    expect(failing.status).toBe('failed');
    expect(failing.log.join('\n')).toMatch(/"status":"failed"|error/i);

    const outputs = {
      entities,
      api,
      taskLogs: [...ok.log, ...failing.log],
      logs: logger.lines,
    };
    const found = Object.fromEntries(
      Object.entries(outputs).map(([surface, texts]) => [
        surface,
        credentialsIn(texts.join('\n'), Object.values(SECRETS)),
      ]),
    );
    expect(found).toEqual({ entities: [], api: [], taskLogs: [], logs: [] });
    expect(entities.length).toBeGreaterThan(30);
    expect(ok.log.length).toBeGreaterThan(5);

    // The credentials were in play, so the scan could have found them (the fleet with credentials names each
    // fact; the demo has none).
    const inPlay = fleet.inPlay?.(ok.status) ?? {};
    expect(inPlay).toEqual(
      Object.fromEntries(Object.keys(inPlay).map(fact => [fact, true])),
    );
  });
});
