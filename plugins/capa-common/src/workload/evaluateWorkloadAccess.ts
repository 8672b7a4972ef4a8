/*
 * The workload-access report of one EKS cluster: every role its service accounts are bound to, through IRSA
 * (ServiceAccount annotations) or EKS Pod Identity associations (and the target role they chain into), each with
 * its checks and verdict. Pure: the evidence (the static file, live AWS answers, the cluster's manifests) comes in,
 * live answers win over the file, and the same checks judge both.
 */
import { accountOfArn, parseArn } from '../iam/arn';
import { issuerOfProviderArn } from '../iam/workloadRequests';
import type { Check, ClusterReport } from '../types';
import { CHECK_IDS } from '../types';
import { aggregateVerdicts, verdictOf } from '../trust/verdict';
import { workloadAccountKnownCheck } from './checks/accountKnown';
import { workloadChainTrustCheck } from './checks/chainTrust';
import type { WorkloadCluster, WorkloadContext } from './checks/context';
import { workloadIrsaTrustCheck } from './checks/irsaTrust';
import {
  workloadOidcIssuerCheck,
  workloadOidcProviderCheck,
} from './checks/oidc';
import { workloadPodIdentityTrustCheck } from './checks/podIdentityTrust';
import { lookupRole, workloadRoleExistsCheck } from './checks/roleExists';
import { workloadTrustPolicyCheck } from './checks/trustPolicy';
import { workloadClusterKey } from './parseWorkloadAccess';
import type {
  AccountIamEvidence,
  IrsaServiceAccount,
  LiveWorkloadEvidence,
  PodIdentityAssociationEvidence,
  WorkloadAccessReport,
  WorkloadAccessSnapshot,
  WorkloadRoleAccess,
  WorkloadRoleEvidence,
} from './types';

/** @public */
export interface WorkloadAccessInput {
  cluster: Pick<
    ClusterReport,
    | 'managementCluster'
    | 'namespace'
    | 'name'
    | 'flavour'
    | 'accountId'
    | 'region'
    | 'eksClusterName'
  >;
  /** AWSManagedControlPlane `status.oidcProvider.arn`, where CAPA records the provider it created. */
  manifestOidcProviderArn?: string;
  snapshot?: WorkloadAccessSnapshot;
  live?: LiveWorkloadEvidence;
  /** Accounts the fleet knows, with their names. */
  knownAccounts: Map<string, string | undefined>;
  generatedAt: string;
}

/** `aws`, `aws-cn` or `aws-us-gov` from a region name (EKS ARNs use the region's partition). */
function partitionOfRegion(region: string | undefined): string {
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

const ORDER = new Map<string, number>(CHECK_IDS.map((id, i) => [id, i]));
const ordered = (checks: Check[]) =>
  [...checks].sort((a, b) => ORDER.get(a.id)! - ORDER.get(b.id)!);

function access(
  ctx: WorkloadContext,
  base: Omit<
    WorkloadRoleAccess,
    'verdict' | 'checks' | 'accountId' | 'accountName'
  >,
  checks: Check[],
): WorkloadRoleAccess {
  const accountId = accountOfArn(base.roleArn);
  const sorted = ordered(checks);
  return {
    ...base,
    ...(accountId ? { accountId } : {}),
    ...(accountId && ctx.knownAccounts.get(accountId)
      ? { accountName: ctx.knownAccounts.get(accountId) }
      : {}),
    verdict: verdictOf(sorted),
    checks: sorted,
  };
}

function found(role: WorkloadRoleEvidence | undefined) {
  return role?.status === 'found' ? role : undefined;
}

function irsaAccess(
  ctx: WorkloadContext,
  sa: IrsaServiceAccount,
): WorkloadRoleAccess {
  const role = found(lookupRole(ctx, sa.roleArn));
  const policy = workloadTrustPolicyCheck(
    role ? [{ label: 'role', role }] : [],
  );
  const provider = workloadOidcProviderCheck(ctx, sa.roleArn);
  return access(
    ctx,
    {
      mechanism: 'irsa',
      serviceAccount: { namespace: sa.namespace, name: sa.name },
      roleArn: sa.roleArn,
    },
    [
      workloadAccountKnownCheck(ctx, [sa.roleArn]),
      workloadRoleExistsCheck(ctx, [{ label: 'role', arn: sa.roleArn }]),
      policy.check,
      workloadOidcIssuerCheck(ctx),
      provider.check,
      workloadIrsaTrustCheck({
        role: role ?? { arn: sa.roleArn, status: 'not-found', source: '' },
        doc: role ? policy.docs.get(role.arn) : undefined,
        providerArn: provider.providerArn,
        issuer: ctx.cluster.oidcIssuer,
        namespace: sa.namespace,
        serviceAccount: sa.name,
      }),
    ],
  );
}

function podIdentityAccess(
  ctx: WorkloadContext,
  a: PodIdentityAssociationEvidence,
): WorkloadRoleAccess {
  const arns = [a.roleArn, ...(a.targetRoleArn ? [a.targetRoleArn] : [])];
  const labelled = [
    { label: 'association role', arn: a.roleArn },
    ...(a.targetRoleArn
      ? [{ label: 'target role', arn: a.targetRoleArn }]
      : []),
  ];
  const roles = labelled.map(l => ({
    ...l,
    role: found(lookupRole(ctx, l.arn)),
  }));
  const policy = workloadTrustPolicyCheck(
    roles.flatMap(r => (r.role ? [{ label: r.label, role: r.role }] : [])),
  );
  const checks = [
    workloadAccountKnownCheck(ctx, arns),
    workloadRoleExistsCheck(ctx, labelled),
    policy.check,
    workloadPodIdentityTrustCheck(
      ctx,
      a,
      roles[0].role,
      policy.docs.get(a.roleArn),
    ),
  ];
  if (a.targetRoleArn)
    checks.push(
      workloadChainTrustCheck(
        ctx,
        { ...a, targetRoleArn: a.targetRoleArn },
        roles[1].role,
        policy.docs.get(a.targetRoleArn),
      ),
    );
  return access(
    ctx,
    {
      mechanism: 'pod-identity',
      serviceAccount: { namespace: a.namespace, name: a.serviceAccount },
      roleArn: a.targetRoleArn ?? a.roleArn,
      ...(a.targetRoleArn ? { viaRoleArn: a.roleArn } : {}),
    },
    checks,
  );
}

/** Live answers per account win over the file's. */
function accountLookup(input: WorkloadAccessInput) {
  return (accountId: string): AccountIamEvidence | undefined =>
    input.live?.accounts[accountId] ?? input.snapshot?.accounts[accountId];
}

/**
 * The workload-access report of one cluster. A cluster that is not EKS gets `applicable: false` and a reason.
 *
 * @public
 */
export function evaluateWorkloadAccess(
  input: WorkloadAccessInput,
): WorkloadAccessReport {
  const { cluster, live } = input;
  const head = {
    managementCluster: cluster.managementCluster,
    namespace: cluster.namespace,
    name: cluster.name,
    generatedAt: input.generatedAt,
    problems: live?.problems ?? [],
  };
  if (cluster.flavour !== 'eks')
    return {
      ...head,
      applicable: false,
      reason: `${cluster.namespace}/${cluster.name} is not an EKS cluster (its control plane is ${cluster.flavour}): IRSA and EKS Pod Identity apply to EKS clusters only`,
      verdict: 'unknown',
      roles: [],
      evidence: [],
    };
  const fromFile =
    input.snapshot?.clusters[
      workloadClusterKey(
        cluster.managementCluster,
        cluster.namespace,
        cluster.name,
      )
    ];
  const fromAws = live?.cluster;
  const evidence: WorkloadAccessReport['evidence'] = [];
  if (fromFile) evidence.push('static');
  if (fromAws || Object.keys(live?.accounts ?? {}).length)
    evidence.push('live');
  const manifestIssuer = input.manifestOidcProviderArn
    ? issuerOfProviderArn(input.manifestOidcProviderArn)
    : undefined;
  if (manifestIssuer) evidence.push('manifest');
  const partition = partitionOfRegion(cluster.region);
  const clusterArn =
    fromAws?.clusterArn ??
    fromFile?.clusterArn ??
    (cluster.region && cluster.accountId && cluster.eksClusterName
      ? `arn:${partition}:eks:${cluster.region}:${cluster.accountId}:cluster/${cluster.eksClusterName}`
      : undefined);
  // Live first, then the file, then what CAPA recorded on the control plane.
  const issuer = [
    { value: fromAws?.oidcIssuer, source: fromAws?.source ?? '' },
    { value: fromFile?.oidcIssuer, source: fromFile?.source ?? '' },
    {
      value: manifestIssuer,
      source: 'AWSManagedControlPlane status.oidcProvider.arn',
    },
  ].find((x): x is { value: string; source: string } => !!x.value);
  const wc: WorkloadCluster = {
    accountId: cluster.accountId,
    region: cluster.region,
    eksClusterName: cluster.eksClusterName,
    clusterArn,
    oidcIssuer: issuer?.value,
    oidcIssuerSource: issuer?.source,
    partition: parseArn(clusterArn)?.partition ?? partition,
  };
  const ctx: WorkloadContext = {
    cluster: wc,
    account: accountLookup(input),
    knownAccounts: input.knownAccounts,
  };
  const serviceAccounts =
    fromAws?.serviceAccounts ?? fromFile?.serviceAccounts ?? [];
  const associations =
    fromAws?.podIdentityAssociations ?? fromFile?.podIdentityAssociations ?? [];
  const roles = [
    ...associations.map(a => podIdentityAccess(ctx, a)),
    ...serviceAccounts.map(sa => irsaAccess(ctx, sa)),
  ];
  return {
    ...head,
    applicable: true,
    ...(cluster.accountId ? { accountId: cluster.accountId } : {}),
    ...(cluster.region ? { region: cluster.region } : {}),
    ...(cluster.eksClusterName
      ? { eksClusterName: cluster.eksClusterName }
      : {}),
    ...(clusterArn ? { clusterArn } : {}),
    ...(issuer ? { oidcIssuer: issuer.value } : {}),
    ...(roles.length || evidence.length
      ? {}
      : {
          reason:
            'no workload-access evidence for this cluster: add it to the workloadAccess file, or let the portal read EKS and IAM live',
        }),
    verdict: roles.length
      ? aggregateVerdicts(roles.map(r => r.verdict))
      : 'unknown',
    roles,
    evidence,
  };
}
