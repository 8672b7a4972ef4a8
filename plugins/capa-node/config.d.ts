import { HumanDuration } from '@backstage/types';

export interface Config {
  /** capa-portal: the fleet of CAPA management clusters and AWS accounts (docs/contracts.md §5). */
  capa?: {
    /**
     * A fleet.yaml file (the same one `./portal doctor` reads). Relative paths resolve from the backend's working
     * directory; paths inside the file resolve from the file. When set, `managementClusters` and `accounts` below
     * are ignored.
     */
    fleetFile?: string;
    /** Folder that relative paths of the inline configuration resolve from (default: the working directory). */
    baseDir?: string;
    /**
     * A snapshot of AWS Organizations (a YAML file relative to `baseDir`, or a URL): `accounts: [{ accountId, name,
     * email, status, ouPath, tags }]`. Used when Organizations is not asked live (live ListAccounts wins).
     */
    organization?: string;
    /**
     * Static workload-access evidence (a YAML file relative to `baseDir`, or a URL): EKS clusters' OIDC issuers,
     * IRSA service accounts and Pod Identity associations, and accounts' OIDC providers and roles with their trust
     * policies (docs/contracts.md §4.1). Live eks/iam answers win over it.
     */
    workloadAccess?: string;
    /** Management clusters, listed inline (the shape of fleet.yaml). */
    managementClusters?: Array<{
      /** Unique name; also the catalog entity name of the management cluster. */
      name: string;
      /** The management account (12 digits, quoted). */
      accountId: string;
      /** The principal CAPA's controllers run as (default: the controllers role of `accountId`). */
      controllerPrincipalArn?: string;
      /** True when the controllers run on IRSA / EKS Pod Identity (role sessions: chaining limits apply). */
      controllerUsesRoleSession?: boolean;
      /** Session tags of the controller principal, for `aws:PrincipalTag/*` trust conditions. */
      principalTags?: { [key: string]: string };
      /** A folder or URL of manifests (GitOps). URLs go through the UrlReaderService and its allow-list. */
      manifests?: string;
      /**
       * A source of objects that a backend module provides through `capaFleetSourcesExtensionPoint` (a team's own
       * Argo CD or Flux reader, ...): `type` picks the module's factory; the other keys are the factory's own.
       */
      source?: {
        type: string;
        [key: string]: unknown;
      };
      /** A live management cluster: one of kubeconfigPath (+ context), url + serviceAccountToken, or inCluster. */
      kubernetes?: {
        kubeconfigPath?: string;
        context?: string;
        url?: string;
        /** @visibility secret */
        serviceAccountToken?: string;
        /** A file holding the token (relative to the file that names it), instead of serviceAccountToken. */
        serviceAccountTokenFile?: string;
        /** The name of an environment variable holding the token, instead of serviceAccountToken. */
        serviceAccountTokenEnv?: string;
        /** @visibility secret */
        caData?: string;
        skipTLSVerify?: boolean;
        inCluster?: boolean;
        /** Per-request timeout in milliseconds (default 10000). */
        timeoutMs?: number;
        /** LIST page size (default 500, as client-go). */
        pageSize?: number;
        /**
         * Keep the management cluster's objects current with watches (one LIST, then a WATCH per kind) instead of
         * listing everything on every refresh. Default true; needs the `watch` verb besides `list`.
         */
        watch?: boolean;
      };
      /** The clusterawsadm AWSIAMConfiguration of the management account (file or URL). */
      iamConfiguration?: string;
      /** Catalog owner and system of the entities of this management cluster, unless objects name their own. */
      owner?: string;
      system?: string;
    }>;
    /** Target accounts, listed inline. */
    accounts?: Array<{
      accountId: string;
      name?: string;
      tier?: string;
      owner?: string;
      /** The clusterawsadm AWSIAMConfiguration of this account (file or URL). */
      iamConfiguration?: string;
    }>;
    /**
     * Live verification with AWS: the settings of the evidence gatherer (its schedule is
     * `@capa-portal/plugin-capa-backend`'s config).
     */
    verification?: {
      /** AWS requests in flight at once, across all accounts (default 8). */
      concurrency?: number;
      /** How long AWS answers are reused before they are asked again (default 15 minutes). */
      cacheTtl?: HumanDuration;
      /** Attempts per AWS request on throttling and transient failures, the first included (default 5). */
      maxAttempts?: number;
      /** Per-request timeout of the AWS SDK clients (default 10 seconds). */
      requestTimeout?: HumanDuration;
      /** STS region for accounts that name none (default us-east-1). */
      region?: string;
      /** The account to list AWS Organizations accounts from (default: the `aws.mainAccount` credentials). */
      organizationAccountId?: string;
      /** Service endpoints: VPC interface endpoints, FIPS endpoints or a proxy (default: the SDK's). */
      endpoints?: {
        sts?: string;
        iam?: string;
        organizations?: string;
        eks?: string;
      };
      /**
       * Read each EKS cluster's API server endpoint and CA with `eks:DescribeCluster`, signed with the
       * credentials its identity chain ends in (CAPA's controllers policy allows it), so the catalog can give
       * the kubernetes plugin `kubernetes.io/api-server-certificate-authority` (default true).
       */
      eksClusters?: boolean;
    };
  };
}
