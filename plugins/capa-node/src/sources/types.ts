import type { ManagementClusterConnection } from '../kubernetes';
import type {
  AccountInput,
  InputProblem,
  LocatedObject,
  ManagementClusterInput,
  OrganizationSnapshot,
  WorkloadAccessSnapshot,
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
  /**
   * The source has not changed since this source's previous successful read (a folder with the same
   * fingerprint, a URL whose ETag matched, watches that saw nothing): `objects` and `problems` are empty and the
   * previous read's stand.
   */
  unchanged?: boolean;
}

/**
 * How to read a source.
 *
 * @public
 */
export interface SourceReadOptions {
  /** Return everything even when nothing changed since the previous read (never `unchanged`). */
  full?: boolean;
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
  read(options?: SourceReadOptions): Promise<SourceRead>;
  /**
   * For a source that learns of changes by itself (a watched live cluster): calls `listener` after each change,
   * so its owner can read again at once instead of waiting for its schedule. Returns the unsubscribe.
   */
  subscribe?(listener: () => void): () => void;
  /**
   * For a source that holds connections open (a watched live cluster): lets them go without closing the source,
   * so its next read starts over as its first did (a full LIST, then new watches). capa-backend calls it on a
   * replica that hands the watch of this management cluster over to another replica.
   */
  suspend?(): void;
  /** Releases what the source holds open (watches). A closed source is not read again. */
  close?(): void;
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
  /** The workload-access evidence file the configuration names (`workloadAccess`), read. */
  workloadAccess?: WorkloadAccessSnapshot;
}
