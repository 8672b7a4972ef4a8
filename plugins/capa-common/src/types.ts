/*
 * The shared vocabulary of capa-portal: the inputs the trust engine reads, the evidence adapters gather,
 * and the reports everything else (doctor, REST API, catalog, frontend) shows. These names are a contract
 * (docs/contracts.md §4 and §6): extend them, do not rename them.
 */
import type { CapaConditionsReport } from './conditions/capaConditions';
import type { WorkloadAccessSnapshot } from './workload/types';

/**
 * A Kubernetes object as read from a management cluster or a GitOps folder. Unparsed beyond the envelope.
 *
 * @public
 */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    creationTimestamp?: string;
    [key: string]: unknown;
  };
  spec?: any;
  status?: any;
  [key: string]: unknown;
}

/**
 * Where a piece of input came from: a file (and line), a URL, or a live cluster.
 *
 * @public
 */
export interface SourceLocation {
  /** A file path relative to the fleet root, a URL, or `kubernetes://<management cluster>`. */
  source: string;
  /** 1-based line of the document or object, where known. */
  line?: number;
}

/**
 * An object together with where it was read.
 *
 * @public
 */
export interface LocatedObject {
  object: KubeObject;
  location: SourceLocation;
}

/**
 * Input that could not be used: a bad file, a malformed object. Reported once, never thrown.
 *
 * @public
 */
export interface InputProblem {
  /** Which file, URL or object. */
  source: string;
  line?: number;
  /** `Kind/namespace/name` of the object, when the problem is an object. */
  object?: string;
  message: string;
  severity: 'error' | 'warning';
}

/**
 * An IAM policy document (trust policy or permission policy), as AWS and clusterawsadm write it.
 *
 * @public
 */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[] | PolicyStatement;
}

/** @public */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny' | string;
  Principal?: '*' | Record<string, string | string[]>;
  NotPrincipal?: '*' | Record<string, string | string[]>;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

/**
 * One management cluster as configured (docs/contracts.md §5), with its objects once read.
 *
 * @public
 */
export interface ManagementClusterInput {
  name: string;
  accountId: string;
  /** The principal CAPA's controllers run as. Defaults to the controllers role in `accountId`. */
  controllerPrincipalArn?: string;
  /** True when the controllers run on IRSA / EKS Pod Identity (their credentials are a role session). */
  controllerUsesRoleSession?: boolean;
  /**
   * Tags of the management principal as `aws:PrincipalTag/*` sees them (IAM role tags, or EKS Pod Identity
   * session tags). When set, tags not listed are known to be absent; when unset, PrincipalTag conditions are
   * `unknown` unless the principal is a clusterawsadm role whose tags the management iamConfiguration declares.
   */
  principalTags?: Record<string, string>;
  /** The AWSIAMConfiguration (clusterawsadm) of the management account, parsed from YAML. */
  iamConfiguration?: unknown;
  iamConfigurationSource?: string;
  objects: LocatedObject[];
  /** Owner / system defaults for entities from this management cluster. */
  owner?: string;
  system?: string;
}

/**
 * A target account as configured (docs/contracts.md §5).
 *
 * @public
 */
export interface AccountInput {
  accountId: string;
  name?: string;
  tier?: string;
  owner?: string;
  /** The AWSIAMConfiguration (clusterawsadm) of this account, parsed from YAML. */
  iamConfiguration?: unknown;
  iamConfigurationSource?: string;
}

/**
 * Everything the engine reads. Pure data: the adapters in capa-node fill it.
 *
 * @public
 */
export interface FleetInput {
  managementClusters: ManagementClusterInput[];
  accounts: AccountInput[];
  /** Problems found while reading (bad YAML, unreadable files); carried into the report. */
  problems?: InputProblem[];
  /**
   * A snapshot of AWS Organizations from a file (fleet.yaml's `organization`): used when no live
   * `organizations:ListAccounts` answer is at hand (live evidence wins).
   */
  organization?: OrganizationSnapshot;
  /**
   * The static workload-access evidence (fleet.yaml's `workloadAccess`): EKS clusters' OIDC issuers, IRSA service
   * accounts and Pod Identity associations, and accounts' OIDC providers and roles (docs/contracts.md §4.1).
   */
  workloadAccess?: WorkloadAccessSnapshot;
}

/**
 * AWS Organizations' accounts as read from a file or from AWS, with where they come from.
 *
 * @public
 */
export interface OrganizationSnapshot {
  accounts: OrganizationAccount[];
  /** The file it was read from (relative to the fleet file), or `organizations:ListAccounts` when live. */
  source: string;
}

/**
 * An account as AWS Organizations lists it.
 *
 * @public
 */
export interface OrganizationAccount {
  accountId: string;
  name?: string;
  email?: string;
  status?: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | string;
  /**
   * The account's organizational unit as a path of names from the root, e.g. `Root/Workloads/Sandbox`
   * (`organizations:ListRoots`, `ListOrganizationalUnitsForParent`, `ListAccountsForParent`), when read.
   */
  ouPath?: string;
  /** The account's tags in Organizations (`organizations:ListTagsForResource`), when read. */
  tags?: Record<string, string>;
}

/**
 * Live AWS evidence, all optional. Gathered by capa-node's AWS adapters; the engine never does I/O.
 * A missing entry means "not gathered": the checks fall back to static evidence and say so.
 *
 * @public
 */
export interface LiveEvidence {
  /** Organizations ListAccounts, when credentials allow. `undefined`: not asked. */
  organizationAccounts?: OrganizationAccount[];
  /** IAM GetRole per role ARN: the role's trust policy (decoded), or why it could not be read. */
  targetRoles?: Record<string, RoleLookup>;
  /** IAM SimulatePrincipalPolicy of sts:AssumeRole, keyed by `${principalArn} -> ${roleArn}`. */
  simulations?: Record<string, SimulationResult>;
  /** STS AssumeRole along a chain, then GetCallerIdentity; keyed by chain key (see `chainKey`). */
  assumeResults?: Record<string, AssumeResult>;
  /** IAM tags of principals (role ARN to tags), for `aws:PrincipalTag/*` conditions. */
  principalTags?: Record<string, Record<string, string>>;
  /** EKS DescribeCluster per {@link EksClusterPlan.key}: the API server endpoint and CA, or why not. */
  eksClusters?: Record<string, EksClusterLookup>;
  /**
   * Accounts of the plan whose configured credentials AWS refused (invalid or expired), with AWS's message:
   * what could not be verified and why. Not evidence: the engine ignores it, and it is not stored.
   */
  credentialProblems?: Record<string, string>;
}

/** @public */
export interface EksClusterLookup {
  status: 'found' | 'not-found' | 'access-denied' | 'error';
  endpoint?: string;
  /** Base64 PEM, as in a kubeconfig's `certificate-authority-data`. */
  certificateAuthorityData?: string;
  message?: string;
  checkedAt: string;
}

/** @public */
export interface RoleLookup {
  status: 'found' | 'not-found' | 'access-denied' | 'error';
  trustPolicy?: PolicyDocument;
  /** The role's MaxSessionDuration in seconds, when read. */
  maxSessionDuration?: number;
  message?: string;
  checkedAt: string;
}

/** @public */
export interface SimulationResult {
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny' | 'error';
  matchedStatements?: string[];
  message?: string;
  checkedAt: string;
}

/** @public */
export interface AssumeResult {
  status: 'ok' | 'denied' | 'error' | 'throttled';
  /** Account id that GetCallerIdentity returned after the last hop. */
  accountId?: string;
  /** ARN that GetCallerIdentity returned (an assumed-role ARN). */
  arn?: string;
  /** Which hop failed, 0-based along the chain from the controller. */
  failedHop?: number;
  message?: string;
  checkedAt: string;
}

// ---------------------------------------------------------------------------------------------------------
// Reports (docs/contracts.md §4, §6)

/** @public */
export const CHECK_IDS = [
  'identity-exists',
  'namespace-allowed',
  'chain-valid',
  'controller-identity-name',
  'session-duration',
  'external-id',
  'source-permission',
  'target-trust',
  'live-assume',
  'account-known',
  'static-credentials',
  'api-version',
  // Workload access across accounts (docs/contracts.md §4.1): GET /clusters/{mc}/{ns}/{name}/workload-access.
  'workload-account-known',
  'workload-role-exists',
  'workload-trust-policy',
  'workload-oidc-issuer',
  'workload-oidc-provider',
  'workload-irsa-trust',
  'workload-pod-identity-trust',
  'workload-chain-trust',
] as const;

/** @public */
export type CheckId = (typeof CHECK_IDS)[number];
/** @public */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';
/** @public */
export type Verdict =
  | 'broken'
  | 'degraded'
  | 'trusted'
  | 'configured'
  | 'unknown';

/**
 * What decided a check: an object, a file, a policy statement, an AWS answer.
 *
 * @public
 */
export interface CheckEvidence {
  /** e.g. `AWSClusterRoleIdentity/staging`, `iam/staging.yaml`, `iam:GetRole arn:aws:iam::...`. */
  source: string;
  line?: number;
  /** A short human description: "statement 0 allows arn:...:role/controllers..." */
  detail?: string;
  /** The statement or value itself, for display. */
  value?: unknown;
}

/** @public */
export interface Check {
  id: CheckId;
  status: CheckStatus;
  message: string;
  evidence?: CheckEvidence[];
  /** How to fix it: a sentence, and where useful a snippet (JSON or YAML) to paste. */
  fix?: { summary: string; snippet?: string; language?: 'json' | 'yaml' };
}

/** @public */
export interface IdentityRef {
  kind:
    | 'AWSClusterControllerIdentity'
    | 'AWSClusterRoleIdentity'
    | 'AWSClusterStaticIdentity'
    | string;
  name: string;
}

/**
 * One link of a resolved chain, cluster-side first (the identity named by identityRef) up to the root.
 *
 * @public
 */
export interface ChainLink {
  kind: string;
  name: string;
  /** Missing from the management cluster. */
  missing?: boolean;
  roleArn?: string;
  accountId?: string;
  externalId?: string;
  durationSeconds?: number;
  sessionName?: string;
  allowedNamespaces?: unknown;
  /** How CAPA reads allowedNamespaces, in words ("deny all", "allow all", "list: a, b", "selector: ..."). */
  allowedNamespacesSummary?: string;
  secretRef?: string;
}

/** @public */
export interface ClusterCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  severity?: string;
}

/** @public */
export interface ClusterReport {
  managementCluster: string;
  namespace: string;
  name: string;
  accountId?: string;
  identityRef: IdentityRef;
  /** True when the identityRef was absent and defaulted as CAPA does. */
  identityRefDefaulted?: boolean;
  verdict: Verdict;
  checks: Check[];
  chain: ChainLink[];
  flavour: 'eks' | 'kubeadm' | 'rosa' | 'unknown';
  /** The infrastructure / control plane object that carries identityRef. */
  infrastructureRef?: { apiVersion: string; kind: string; name: string };
  phase?: string;
  region?: string;
  kubernetesVersion?: string;
  conditions: ClusterCondition[];
  /** EKS: the API server endpoint and CA, for the kubernetes plugin. */
  apiServer?: string;
  apiServerCaData?: string;
  eksClusterName?: string;
  owner?: string;
  system?: string;
  labels?: Record<string, string>;
  apiVersions: string[];
  location?: SourceLocation;
  /**
   * CAPA's own conditions on the object carrying identityRef, beside our verdict, with the disagreement and
   * staleness flags (conditions/). Set by `GET /clusters/{mc}/{ns}/{name}` and the doctor, not by the engine.
   */
  capaConditions?: CapaConditionsReport;
}

/** @public */
export interface IdentityReport {
  managementCluster: string;
  kind: string;
  name: string;
  accountId?: string;
  roleArn?: string;
  verdict: Verdict;
  checks: Check[];
  chain: ChainLink[];
  /** Clusters (namespace/name) that reference this identity. */
  usedBy: Array<{ namespace: string; name: string }>;
  apiVersion: string;
  location?: SourceLocation;
}

/**
 * One identity chain that lands in an account, judged by its reachability checks only: can CAPA, starting
 * from the management cluster's controllers, assume into the account along this chain (docs/contracts.md §4).
 *
 * @public
 */
export interface ReachabilityChain {
  managementCluster: string;
  /** The identity the chain starts from (what a cluster's identityRef names). */
  kind: string;
  name: string;
  /** verdictOf the chain's reachability checks (every check of the identity except namespace-allowed). */
  verdict: Verdict;
  /** Ids of the reachability checks that fail / warn. */
  failing: CheckId[];
  warning: CheckId[];
  /** Clusters of the account whose identityRef names this identity (and, with `via`, that provider selects). */
  clusterCount: number;
  /**
   * `namespace/name` of the CAPI Operator InfrastructureProvider whose static credentials CAPA runs with for these
   * clusters (its watch-filter selects them): the chain starts from those keys, not the controller's.
   */
  via?: string;
}

/**
 * Whether CAPA can reach an account at all: the chains that land in it and account-known.
 *
 * @public
 */
export interface AccountReachability {
  /** Worst of the chains' verdicts and account-known's; `unknown` when no chain lands in the account. */
  verdict: Verdict;
  chains: ReachabilityChain[];
}

/**
 * A cluster of an account with problems of its own: checks that depend on the cluster rather than on the chain
 * it uses (its namespace against allowedNamespaces, its identityRef, its manifests' API versions). Listed beside
 * the account's reachability, not folded into it.
 *
 * @public
 */
export interface ClusterProblem {
  managementCluster: string;
  namespace: string;
  name: string;
  identityRef: IdentityRef;
  /** The cluster's own verdict (it also covers its chain). */
  verdict: Verdict;
  /** The cluster's own checks that fail or warn. */
  checks: Array<Pick<Check, 'id' | 'status' | 'message'>>;
}

/** @public */
export interface AccountReport {
  accountId: string;
  name?: string;
  tier?: string;
  owner?: string;
  email?: string;
  status?: string;
  /**
   * The account's reachability verdict (`reachability.verdict`): can CAPA assume into it. A cluster that may not
   * use its identity does not make the account broken; it is listed in `clusterProblems`.
   */
  verdict: Verdict;
  checks: Check[];
  reachability: AccountReachability;
  /** Clusters of the account with problems of their own (worst first), and how many. */
  clusterProblems: ClusterProblem[];
  clusterProblemCount: number;
  /** Where the account is known from. */
  sources: Array<'identity' | 'config' | 'organizations' | 'management'>;
  /** Management clusters that live in this account. */
  managementClusters: string[];
  clusters: Array<{
    managementCluster: string;
    namespace: string;
    name: string;
    verdict: Verdict;
  }>;
  identities: Array<{
    managementCluster: string;
    kind: string;
    name: string;
    verdict: Verdict;
  }>;
}

/** @public */
export interface ManagementClusterReport {
  name: string;
  accountId: string;
  controllerPrincipalArn: string;
  clusterCount: number;
  identityCount: number;
}

/** @public */
export interface FleetReport {
  accounts: AccountReport[];
  clusters: ClusterReport[];
  identities: IdentityReport[];
  managementClusters: ManagementClusterReport[];
  problems: InputProblem[];
  generatedAt: string;
}

// ---------------------------------------------------------------------------------------------------------
// What live verification needs to ask AWS (computed by the engine, carried out by capa-node's adapters)

/**
 * One sts:AssumeRole call exactly as CAPA would send it.
 *
 * @public
 */
export interface AssumeHop {
  roleArn: string;
  /** Sent only when non-empty, as CAPA does. */
  externalId?: string;
  sessionName: string;
  /**
   * True when the identity sets no sessionName: CAPA then lets the AWS SDK generate one (the UTC Unix time
   * in nanoseconds); `sessionName` holds a stable placeholder the adapter may replace.
   */
  sessionNameDefaulted?: boolean;
  durationSeconds: number;
  /** The identity's inlinePolicy, which CAPA sends as the session policy. */
  policy?: string;
  /** The identity this hop comes from. */
  identity?: string;
}

/**
 * A chain to assume for `live-assume`: starts from the controller's own credentials.
 *
 * @public
 */
export interface ChainPlan {
  /** Stable key for caching and for `LiveEvidence.assumeResults`. */
  key: string;
  /** Static identity at the root: the credentials come from a Secret, which we never read. */
  rootStaticSecret?: string;
  hops: AssumeHop[];
  /** Account the last hop's roleArn is in (GetCallerIdentity must return it). */
  expectedAccountId: string;
  /** The management cluster whose controller credentials start the chain. */
  managementCluster?: string;
  /** The controller principal (when the root is the controller identity). */
  rootPrincipalArn?: string;
}

/** @public */
export interface EvidencePlan {
  /** Target role ARNs whose trust policy to read with iam:GetRole (in the target account). */
  roleArns: string[];
  /** sts:AssumeRole simulations to run with iam:SimulatePrincipalPolicy (in the management account). */
  simulations: Array<{ key: string; principalArn: string; roleArn: string }>;
  /** Distinct chains to assume with STS. */
  chains: ChainPlan[];
  /** EKS clusters to look up with eks:DescribeCluster, each with the credentials its chain ends in. */
  eksClusters?: EksClusterPlan[];
}

/**
 * One EKS cluster to look up (its API server endpoint and CA).
 *
 * @public
 */
export interface EksClusterPlan {
  /** {@link eksClusterKey}: the chain, the region and the EKS name. */
  key: string;
  /** The chain whose last hop's credentials sign DescribeCluster (a key of `chains`). */
  chainKey: string;
  region: string;
  /** The EKS cluster's name (`spec.eksClusterName`, else CAPA's `<namespace>_<name>`). */
  name: string;
}

/**
 * The key of an EKS lookup in {@link EvidencePlan.eksClusters} and {@link LiveEvidence.eksClusters}.
 *
 * @public
 */
export function eksClusterKey(
  chainKey: string,
  region: string,
  name: string,
): string {
  return `${chainKey}|${region}|${name}`;
}
