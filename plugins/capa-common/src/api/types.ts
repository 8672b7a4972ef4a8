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
import type { WorkloadAccessReport } from '../workload/types';

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
 * A chain link as the catalog needs it: which identity, and the role and external ID it assumes.
 *
 * @public
 */
export type CatalogChainLink = Pick<
  ChainLink,
  'kind' | 'name' | 'missing' | 'roleArn' | 'externalId'
>;

/**
 * An account as the catalog needs it (no checks, reachability or cluster lists).
 *
 * @public
 */
export type CatalogAccount = Pick<
  AccountReport,
  'accountId' | 'name' | 'tier' | 'owner' | 'email' | 'status' | 'verdict'
>;

/**
 * An identity as the catalog needs it.
 *
 * @public
 */
export type CatalogIdentity = Pick<
  IdentityReport,
  'managementCluster' | 'kind' | 'name' | 'accountId' | 'roleArn' | 'verdict'
> & { chain: CatalogChainLink[] };

/**
 * A workload cluster as the catalog needs it (what its entity and the Kubernetes plugin's annotations are made
 * from; no checks, conditions or evidence).
 *
 * @public
 */
export type CatalogCluster = Pick<
  ClusterReport,
  | 'managementCluster'
  | 'namespace'
  | 'name'
  | 'accountId'
  | 'identityRef'
  | 'verdict'
  | 'flavour'
  | 'phase'
  | 'region'
  | 'kubernetesVersion'
  | 'apiServer'
  | 'apiServerCaData'
  | 'eksClusterName'
  | 'owner'
  | 'system'
> & { chain: CatalogChainLink[] };

/**
 * Which part of the fleet a {@link CatalogFleetView} holds: the accounts, or one management cluster's.
 *
 * @public
 */
export type CatalogViewScope =
  | { type: 'accounts' }
  | { type: 'management-cluster'; name: string };

/**
 * Part of the fleet as capa-portal's catalog module builds its entities from it: `GET /catalog-view/accounts`
 * (the accounts alone) and `GET /catalog-view/management-clusters/{name}` (one management cluster's source
 * health, identities and workload clusters). A whole {@link FleetReport} with its `sources` is one too.
 *
 * @public
 */
export interface CatalogFleetView {
  generatedAt: string;
  sources: ManagementClusterStatus[];
  accounts: CatalogAccount[];
  identities: CatalogIdentity[];
  clusters: CatalogCluster[];
}

/**
 * One account in the list, with the ids of its failing and warning checks. `GET /accounts`.
 *
 * @public
 */
export interface AccountSummary
  extends Omit<
    AccountReport,
    'checks' | 'clusters' | 'identities' | 'clusterProblems'
  > {
  clusterCount: number;
  identityCount: number;
  /**
   * Ids of the failing and warning checks of everything that targets the account: its reachability checks and
   * its clusters' own checks (`reachability.chains[].failing` holds the reachability part alone).
   */
  failing: CheckId[];
  warning: CheckId[];
  /**
   * Only with `GET /accounts?namespace=N`: whether a cluster in namespace N (on `managementCluster` when given)
   * would have an identity that admits N and reaches this account.
   */
  forNamespace?: NamespaceReach;
  /**
   * What the caller may do with this account, as the permission policy decides (`GET /accounts` fills it):
   * `capa.trust.verify` and `capa.cluster.create`. Counts and lists above hold only what the caller may read.
   */
  allowed?: { verify: boolean; createCluster: boolean };
}

/**
 * One identity targeting an account, asked about one namespace: does its whole chain admit the namespace
 * (CAPA's allowedNamespaces rules on every link), and can it reach the account.
 *
 * @public
 */
export interface NamespaceCandidate {
  managementCluster: string;
  kind: string;
  name: string;
  /** `yes` / `no`; `unknown` when a selector decides and the Namespace's labels are not known. */
  admits: 'yes' | 'no' | 'unknown';
  /** Why, link by link ("AWSClusterRoleIdentity/dev-identity: ..."). */
  reasons: string[];
  /** The chain's reachability verdict (its checks except namespace-allowed). */
  reachability: Verdict;
}

/**
 * The answer for one namespace (`AccountSummary.forNamespace`).
 *
 * @public
 */
export interface NamespaceReach {
  namespace: string;
  managementCluster?: string;
  /**
   * An identity admits the namespace (or may: `unknown`) and its chain's reachability is not `broken`: a cluster
   * in the namespace can be created in this account.
   */
  usable: boolean;
  /** The identity such a cluster would use: the best usable candidate. */
  identity?: NamespaceCandidate;
  /** Every identity of the account on the management cluster(s), best first. */
  candidates: NamespaceCandidate[];
  /** One sentence: "a cluster in namespace N would use I, whose chain ..." or why no identity can be used. */
  message: string;
}

/**
 * Query of `GET /accounts`: with `namespace`, every account answers for a cluster in that namespace
 * (`forNamespace`); `managementCluster` narrows the identities that count to one management cluster.
 *
 * @public
 */
export interface AccountsQuery {
  namespace?: string;
  managementCluster?: string;
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

/**
 * An AWS account no identity targets: known from AWS Organizations (active) or listed in the configuration, but
 * not onboarded. `GET /onboarding-gaps`.
 *
 * @public
 */
export interface OnboardingGapAccount {
  accountId: string;
  name?: string;
  email?: string;
  /** Organizations' status (`ACTIVE`); absent when the account is known from the configuration only. */
  status?: string;
  /** Organizational unit path from the root (`Root/Workloads/Sandbox`), when Organizations told it. */
  ouPath?: string;
  tags: Record<string, string>;
  /** Configuration's tier and owner, when the account is listed there. */
  tier?: string;
  owner?: string;
  sources: Array<'organizations' | 'config'>;
}

/**
 * An identity whose target account AWS Organizations does not know or has not active (the `account-known`
 * check failing or warning). `GET /onboarding-gaps`.
 *
 * @public
 */
export interface OnboardingGapIdentity {
  managementCluster: string;
  kind: string;
  name: string;
  roleArn?: string;
  accountId: string;
  accountName?: string;
  /** Organizations' status of the account (`SUSPENDED`, `PENDING_CLOSURE`); absent when it is unknown. */
  accountStatus?: string;
  ouPath?: string;
  /** `inactive`: Organizations lists the account but not as ACTIVE; `unknown`: neither it nor config knows it. */
  reason: 'inactive' | 'unknown';
  /** The `account-known` check's message. */
  message: string;
  verdict: Verdict;
  /** Clusters whose identityRef names the identity. */
  clusterCount: number;
}

/**
 * `GET /onboarding-gaps`: the fleet reconciled with AWS Organizations.
 *
 * @public
 */
export interface OnboardingGapsResponse {
  accountsWithoutIdentity: OnboardingGapAccount[];
  identitiesToUnknownAccounts: OnboardingGapIdentity[];
  /**
   * Where the Organizations evidence comes from (`organizations:ListAccounts`, or the snapshot file named by
   * fleet.yaml's `organization`); absent when there is none (then only configured accounts can be gaps).
   */
  organization: { source?: string; accountCount: number };
  /** The OU paths and tags (`key=value`) of the listed accounts before filtering, to offer as filters. */
  filters: { ouPaths: string[]; tags: string[] };
  generatedAt: string;
}

/**
 * Query of `GET /onboarding-gaps`: `ou` keeps accounts in that OU or below it (a path from the root, or an OU
 * name); each `tag` (`key` or `key=value`) must match.
 *
 * @public
 */
export interface OnboardingGapsQuery {
  ou?: string;
  tag?: string[];
}

/**
 * `GET /trust-map`: what the fleet trust map draws. Management clusters hold identities; an identity reaches the
 * account of its role (or of its static keys).
 *
 * @public
 */
export interface TrustMapResponse {
  managementClusters: Array<{
    name: string;
    accountId: string;
    /** Its last read failed: what is drawn is its last good read. */
    stale: boolean;
  }>;
  identities: Array<{
    managementCluster: string;
    kind: string;
    name: string;
    accountId?: string;
    verdict: Verdict;
    failing: CheckId[];
    warning: CheckId[];
    /** Clusters whose identityRef names the identity. */
    clusterCount: number;
  }>;
  accounts: Array<{
    accountId: string;
    name?: string;
    status?: string;
    verdict: Verdict;
  }>;
  generatedAt: string;
}

/**
 * `GET /clusters/{managementCluster}/{namespace}/{name}/workload-access` (docs/contracts.md §4.1): the cluster's
 * workload access, without the roles in accounts the caller may not read (counted in `hiddenRoleCount`).
 *
 * @public
 */
export type WorkloadAccessResponse = WorkloadAccessReport & {
  hiddenRoleCount: number;
};
