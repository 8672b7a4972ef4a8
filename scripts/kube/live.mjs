// `./portal start --live`: the demo fleet plus one live management cluster, `mgmt-live`, served by a real
// kube-apiserver (./server.mjs) on loopback. mgmt-live is a live twin of the demo's mgmt-eu (same account and
// controllers role, same clusterawsadm configuration), seeded with mgmt-eu's controller identity and its
// `staging-identity` (role in account 222222222222, allowedNamespaces [staging]). The create-cluster template's
// `apply` delivery then creates real objects in it, and the capa entity provider reads them back through the
// live source (refreshed every 30 s here instead of 5 min). No CAPI/CAPA controllers run: a new cluster stays
// in the phase it was created with (none: status is empty), which is what the portal shows.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { ensureKubeBinaries } from './build.mjs';
import { kubeRequest, startKubeApiServer } from './server.mjs';

const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta2';

/** The objects mgmt-live starts with: mgmt-eu's controller identity and staging-identity (as in its identities.yaml). */
function seedObjects() {
  return [
    {
      apiVersion: INFRA,
      kind: 'AWSClusterControllerIdentity',
      metadata: { name: 'default' },
      spec: { allowedNamespaces: {} },
    },
    {
      apiVersion: INFRA,
      kind: 'AWSClusterRoleIdentity',
      metadata: { name: 'staging-identity' },
      spec: {
        allowedNamespaces: { list: ['staging'] },
        roleARN:
          'arn:aws:iam::222222222222:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
        sourceIdentityRef: {
          kind: 'AWSClusterControllerIdentity',
          name: 'default',
        },
      },
    },
  ];
}

/** The demo fleet.yaml with its relative paths made absolute and mgmt-live added. */
function liveFleet(demoDir, server) {
  const fleet = parse(readFileSync(join(demoDir, 'fleet.yaml'), 'utf8'));
  const absolute = p =>
    typeof p === 'string' && !isAbsolute(p) && !/^[a-z]+:\/\//.test(p)
      ? resolve(demoDir, p)
      : p;
  for (const list of [fleet.managementClusters, fleet.accounts])
    for (const entry of list ?? [])
      for (const key of ['manifests', 'iamConfiguration'])
        if (entry[key]) entry[key] = absolute(entry[key]);
  const eu = fleet.managementClusters.find(m => m.name === 'mgmt-eu');
  fleet.managementClusters.push({
    name: 'mgmt-live',
    accountId: eu.accountId,
    controllerPrincipalArn: eu.controllerPrincipalArn,
    iamConfiguration: eu.iamConfiguration,
    owner: eu.owner,
    system: eu.system,
    kubernetes: {
      url: server.url,
      // The server's admin token (a throwaway server on loopback); a real installation grants capa-portal a
      // ClusterRole with list on the CAPI/CAPA kinds, and patch/create/delete for the apply delivery.
      serviceAccountToken: server.token,
      caData: Buffer.from(server.caPem).toString('base64'),
    },
  });
  return fleet;
}

/**
 * Builds (when needed) and starts the server, seeds it, and writes the fleet file and an app-config overlay
 * into the server's temp dir. Resolves to `{ configArgs, url, stop, kill }`: `configArgs` are the `--config`
 * flags for `backstage-cli repo start` (app-config.yaml, app-config.local.yaml when present, the overlay).
 */
export async function startLiveManagementCluster({ root, log }) {
  const binaries = await ensureKubeBinaries({ log });
  const server = await startKubeApiServer({ binaries, log });
  try {
    const demoDir = join(root, 'examples', 'demo-fleet');
    for (const o of seedObjects()) {
      const plural =
        o.kind === 'AWSClusterControllerIdentity'
          ? 'awsclustercontrolleridentities'
          : 'awsclusterroleidentities';
      const r = await kubeRequest(
        server,
        'POST',
        `/apis/${INFRA}/${plural}`,
        o,
      );
      if (r.status !== 201)
        throw new Error(
          `seeding ${o.kind}/${o.metadata.name} failed: HTTP ${r.status} ${
            r.body?.message ?? ''
          }`,
        );
    }
    const fleetFile = join(server.dir, 'fleet.yaml');
    writeFileSync(fleetFile, stringify(liveFleet(demoDir, server)), {
      mode: 0o600,
    });
    const overlay = join(server.dir, 'app-config.live.yaml');
    writeFileSync(
      overlay,
      stringify({
        // Config files merge key by key: minutes: 0 replaces app-config.yaml's 5 minutes.
        capa: {
          fleetFile,
          refresh: { frequency: { minutes: 0, seconds: 30 } },
        },
      }),
    );
    const configs = [
      join(root, 'app-config.yaml'),
      join(root, 'app-config.local.yaml'),
      overlay,
    ].filter(existsSync);
    log(
      `live management cluster mgmt-live: ${server.url} (fleet: ${fleetFile}); pick it in "Create a CAPA workload cluster" with delivery "apply"`,
    );
    return {
      configArgs: configs.flatMap(c => ['--config', c]),
      url: server.url,
      stop: server.stop,
      kill: server.kill,
      dir: dirname(fleetFile),
    };
  } catch (e) {
    await server.stop();
    throw e;
  }
}
