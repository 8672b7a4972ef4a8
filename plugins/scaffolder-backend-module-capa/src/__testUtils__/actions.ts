/* Test helpers shared by the action tests: the examples as cases, the staging `web` cluster, mgmt-eu on a live server. */
import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import type { KubeObject } from '@capa-portal/plugin-capa-common';
import type {
  ConfiguredManagementCluster,
  ManagementClusterConnection,
} from '@capa-portal/plugin-capa-node';
import yaml from 'yaml';
import { renderCluster } from '../actions/clusterRender';

/** `[description, input]` of each documented example: the input of its one step, as the scaffolder passes it. */
export function exampleCases(
  examples: TemplateExample[],
): Array<[string, Record<string, any>]> {
  return examples.map(e => [
    e.description,
    yaml.parse(e.example).steps[0].input,
  ]);
}

/**
 * A cluster `web` in namespace staging of the demo fleet's mgmt-eu, under staging-identity (which assumes a role
 * in 222222222222: examples/demo-fleet/clusters/mgmt-eu/identities.yaml).
 */
export const WEB_IN_STAGING = {
  name: 'web',
  namespace: 'staging',
  region: 'eu-west-1',
  kubernetesVersion: 'v1.33',
  identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging-identity' },
};

/** The manifests capa:cluster:render makes of {@link WEB_IN_STAGING} (with `overrides`), no file written. */
export async function webInStagingManifests(
  overrides: Record<string, unknown> = {},
): Promise<KubeObject[]> {
  const { manifests } = await renderCluster(
    { ...WEB_IN_STAGING, writeFiles: false, ...overrides },
    {},
  );
  return manifests as KubeObject[];
}

/** mgmt-eu as the module's fleet configures it when it is a live management cluster served by `server`. */
export function liveMgmtEu(server: {
  url: string;
  connection(): ManagementClusterConnection;
}): ConfiguredManagementCluster {
  return {
    cluster: { name: 'mgmt-eu', accountId: '111111111111' },
    source: {
      name: 'mgmt-eu',
      type: 'kubernetes',
      target: server.url,
      read: jest.fn(),
    },
    connection: server.connection(),
  };
}
