import type { ManagementClusterConnection } from '../kubernetes';
import type {
  AccountInput,
  InputProblem,
  LocatedObject,
  ManagementClusterInput,
  OrganizationSnapshot,
} from '@capa-portal/plugin-capa-common';

/**
 * What one read of a management cluster's source returned. A read either completes or throws.
 *
 * @public
 */
export interface SourceRead {
  objects: LocatedObject[];
  problems: InputProblem[];
  /** Kubernetes LIST calls made (0 for manifests). */
  listCalls?: number;
}

/**
 * Where a management cluster's objects come from: a manifests folder, a URL (through the UrlReaderService),
 * or a live cluster. `read()` returns everything or throws: a partial read is never returned as complete.
 *
 * @public
 */
export interface ManagementClusterSource {
  readonly name: string;
  readonly type: 'manifests' | 'kubernetes';
  /** Where it reads from, for display (never holds credentials). */
  readonly target: string;
  read(): Promise<SourceRead>;
}

/**
 * A management cluster's configuration without its objects, plus the source that reads them.
 *
 * @public
 */
export interface ConfiguredManagementCluster {
  cluster: Omit<ManagementClusterInput, 'objects'>;
  source: ManagementClusterSource;
  /** The live connection, when the management cluster is configured with `kubernetes:` (for applying). */
  connection?: ManagementClusterConnection;
}

/**
 * The fleet as configured: management clusters with their sources, and accounts.
 *
 * @public
 */
export interface FleetSources {
  managementClusters: ConfiguredManagementCluster[];
  accounts: AccountInput[];
  /** Problems in the configuration itself (bad iamConfiguration file, ...). */
  problems: InputProblem[];
  /** The AWS Organizations snapshot file the configuration names (`organization`), read. */
  organization?: OrganizationSnapshot;
}
