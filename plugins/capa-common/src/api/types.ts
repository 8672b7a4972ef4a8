/*
 * The REST API under /api/capa (plugins/capa-backend/src/schema/openapi.yaml): response shapes shared by the
 * backend, the frontend client and the scaffolder actions. A contract: extend, do not rename.
 */
import type {
  AccountReport,
  ChainLink,
  CheckId,
  ClusterReport,
  IdentityReport,
  ManagementClusterReport,
  Verdict,
} from '../types';

/**
 * A management cluster with the health of its source. `GET /management-clusters`.
 *
 * @public
 */
export interface ManagementClusterStatus extends ManagementClusterReport {
  source: { type: 'manifests' | 'kubernetes'; target: string };
  /** The last read succeeded. */
  reachable: boolean;
  /** When the data served was read (the last successful read). */
  lastSync?: string;
  /** When a read was last tried. */
  lastAttempt?: string;
  /** The last read failed: the data served is the last good read. */
  stale: boolean;
  /** Why the last read failed (never holds credentials). */
  error?: string;
  objectCount: number;
  problemCount: number;
}

/** @public */
export interface ManagementClustersResponse {
  items: ManagementClusterStatus[];
}

/**
 * One account in the list, with the ids of its failing and warning checks. `GET /accounts`.
 *
 * @public
 */
export interface AccountSummary
  extends Omit<AccountReport, 'checks' | 'clusters' | 'identities'> {
  clusterCount: number;
  identityCount: number;
  failing: CheckId[];
  warning: CheckId[];
  /**
   * What the caller may do with this account, as the permission policy decides (`GET /accounts` fills it):
   * `capa.trust.verify` and `capa.cluster.create`. Counts and lists above hold only what the caller may read.
   */
  allowed?: { verify: boolean; createCluster: boolean };
}

/** @public */
export interface AccountsResponse {
  items: AccountSummary[];
  generatedAt: string;
}

/**
 * One account's full report. `GET /accounts/{accountId}/trust` and `POST .../trust/verify`.
 *
 * @public
 */
export interface AccountTrustResponse {
  account: AccountReport;
  clusters: ClusterReport[];
  identities: IdentityReport[];
  generatedAt: string;
  /** Live AWS evidence (STS, IAM) went into this report. */
  live: boolean;
  /** Some management cluster behind this report failed its last read. */
  stale: boolean;
  /**
   * Only in the answer of `POST .../trust/verify`: what the verification could not do, in words (AWS credentials
   * that are configured but not usable: invalid or expired). Checks it could not verify keep their last evidence.
   */
  notices?: string[];
}

/**
 * One cluster in the list. `GET /clusters`.
 *
 * @public
 */
export interface ClusterSummary
  extends Omit<ClusterReport, 'checks' | 'chain' | 'conditions'> {
  failing: CheckId[];
  warning: CheckId[];
  ready?: boolean;
}

/** @public */
export interface ClustersResponse {
  items: ClusterSummary[];
  totalCount: number;
}

/**
 * Query of `GET /clusters`. All optional; `q` searches names, namespaces, accounts.
 *
 * @public
 */
export interface ClustersQuery {
  managementCluster?: string;
  accountId?: string;
  namespace?: string;
  verdict?: Verdict;
  phase?: string;
  q?: string;
  limit?: number;
  offset?: number;
}

/**
 * `GET /identities/{managementCluster}/{name}/chain`.
 *
 * @public
 */
export interface IdentityChainResponse {
  identity: IdentityReport;
  chain: ChainLink[];
  /**
   * The principal CAPA's controllers run as on the identity's management cluster (and its account): whose
   * credentials a chain rooted in `AWSClusterControllerIdentity/default` starts from.
   */
  controllerPrincipalArn?: string;
  controllerAccountId?: string;
}
