/*
 * The generated bench fleet (bench/fleet.ts, default options) as the engine's input, its objects as
 * KubernetesFleetReader hands them over: the kinds it lists, in its order. Shared by scripts/report-snapshot.ts and
 * bench/incremental.ts (kept out of bench/fleet.ts so that the server phase does not load capa-node).
 */
import type {
  FleetInput,
  ManagementClusterInput,
} from '@capa-portal/plugin-capa-common';
import { MANAGEMENT_CLUSTER_KINDS } from '@capa-portal/plugin-capa-node';
import { DEFAULT_FLEET_OPTIONS, generateFleet } from './fleet';

export function generatedFleetInput(
  settings: Pick<ManagementClusterInput, 'owner' | 'system'> = {},
): FleetInput {
  const fleet = generateFleet(DEFAULT_FLEET_OPTIONS);
  return {
    managementClusters: fleet.managementClusters.map(m => ({
      name: m.name,
      accountId: m.accountId,
      controllerPrincipalArn: m.controllerPrincipalArn,
      objects: MANAGEMENT_CLUSTER_KINDS.flatMap(type =>
        m.objects
          .filter(o => o.kind === type.kind)
          .map(object => ({
            object,
            location: { source: `kubernetes://${m.name}` },
          })),
      ),
      ...settings,
    })),
    accounts: fleet.accounts,
    problems: [],
  };
}
