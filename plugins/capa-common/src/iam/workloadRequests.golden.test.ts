/*
 * Golden cases for the requests EKS workloads make (iam/workloadRequests.ts), judged by the IAM evaluator against the
 * trust policies AWS documents for them. The expected decisions are AWS's, from the pages cited:
 * - IRSA:       EKS User Guide, associate-service-account-role.html (the trust policy with `:aud` and `:sub`
 *               StringEquals) and iam-roles-for-service-accounts.html; "StringLike ... system:serviceaccount:<ns>:*"
 *               to admit every service account of a namespace (associate-service-account-role.html).
 * - PODID:      EKS User Guide, pod-id-role.html (the trust policy of an EKS Pod Identity role: Service
 *               pods.eks.amazonaws.com, Action sts:AssumeRole and sts:TagSession).
 * - ABAC:       AWS's multi-account EKS guide (../shared/seeds/eks-multi-account-strategy.md, "ABAC and EKS Pod
 *               Identities for cross account access"), the exact trust policy; EKS User Guide pod-id-abac.html
 *               (the six session tags, all transitive).
 * - DEPUTY:     IAM User Guide, confused-deputy.html (aws:SourceAccount for a service principal).
 * - EVAL:       IAM User Guide, reference_policies_evaluation-logic.html (a key the request lacks fails a
 *               StringEquals condition).
 */
import { evaluatePolicy, PolicyDecision, PolicyRequest } from './evaluate';
import type { PolicyStatement } from '../types';
import {
  chainedRoleRequest,
  issuerHostPath,
  issuerOfProviderArn,
  oidcProviderArn,
  podIdentityServiceRequest,
  podIdentityTags,
  webIdentityRequest,
} from './workloadRequests';

const ISSUER =
  'https://oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const HP =
  'oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const PROVIDER = `arn:aws:iam::111122223333:oidc-provider/${HP}`;
const OTHER_PROVIDER = `arn:aws:iam::444455556666:oidc-provider/${HP}`;

const irsaPolicy = (sub: string, op = 'StringEquals'): PolicyStatement[] => [
  {
    Effect: 'Allow',
    Principal: { Federated: PROVIDER },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      [op]: { [`${HP}:aud`]: 'sts.amazonaws.com', [`${HP}:sub`]: sub },
    },
  },
];
const irsa = (ns: string, sa: string, providerArn = PROVIDER): PolicyRequest =>
  webIdentityRequest({
    issuer: ISSUER,
    providerArn,
    namespace: ns,
    serviceAccount: sa,
  });

const podIdPolicy = (actions: string[]): PolicyStatement[] => [
  {
    Sid: 'AllowEksAuthToAssumeRoleForPodIdentity',
    Effect: 'Allow',
    Principal: { Service: 'pods.eks.amazonaws.com' },
    Action: actions,
  },
];
const CLUSTER_ARN =
  'arn:aws:eks:us-east-1:111122223333:cluster/ProductionCluster';
const tags = (ns: string, sa: string) =>
  podIdentityTags({
    clusterArn: CLUSTER_ARN,
    clusterName: 'ProductionCluster',
    namespace: ns,
    serviceAccount: sa,
  });
const podId = (action: 'sts:AssumeRole' | 'sts:TagSession', tagsOn = true) =>
  podIdentityServiceRequest({
    action,
    tags: tagsOn ? tags('PayrollNamespace', 'PayrollApplication') : null,
    clusterAccountId: '111122223333',
    clusterArn: CLUSTER_ARN,
  });

// The guide's exact trust policy.
const ABAC: PolicyStatement[] = [
  {
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::111122223333:root' },
    Action: 'sts:AssumeRole',
    Condition: {
      StringEquals: {
        'aws:PrincipalTag/kubernetes-service-account': 'PayrollApplication',
        'aws:PrincipalTag/eks-cluster-arn': CLUSTER_ARN,
        'aws:PrincipalTag/kubernetes-namespace': 'PayrollNamespace',
      },
    },
  },
];
const ASSOCIATION_ROLE = 'arn:aws:iam::111122223333:role/payroll-pod-identity';
const chained = (
  ns: string,
  sa: string,
  tagsOn = true,
  role = ASSOCIATION_ROLE,
) =>
  chainedRoleRequest({
    action: 'sts:AssumeRole',
    sourceRoleArn: role,
    tags: tagsOn ? tags(ns, sa) : null,
  });

// prettier-ignore
const goldens: Array<[string, string, PolicyStatement[], PolicyRequest, PolicyDecision]> = [
  ['IRSA', 'the documented trust policy admits its service account', irsaPolicy('system:serviceaccount:default:my-service-account'), irsa('default', 'my-service-account'), 'allowed'],
  ['IRSA', 'and no other service account of the namespace', irsaPolicy('system:serviceaccount:default:my-service-account'), irsa('default', 'other'), 'implicitDeny'],
  ['IRSA', 'nor the same name in another namespace', irsaPolicy('system:serviceaccount:default:my-service-account'), irsa('payments', 'my-service-account'), 'implicitDeny'],
  ['IRSA', 'nor a token presented through another account\'s provider', irsaPolicy('system:serviceaccount:default:my-service-account'), irsa('default', 'my-service-account', OTHER_PROVIDER), 'implicitDeny'],
  ['IRSA', 'StringLike with system:serviceaccount:<ns>:* admits every service account of the namespace', irsaPolicy('system:serviceaccount:default:*', 'StringLike'), irsa('default', 'anything'), 'allowed'],
  ['IRSA', 'and not those of another namespace', irsaPolicy('system:serviceaccount:default:*', 'StringLike'), irsa('kube-system', 'anything'), 'implicitDeny'],
  ['IRSA', 'StringEquals does not expand a wildcard', irsaPolicy('system:serviceaccount:default:*'), irsa('default', 'anything'), 'implicitDeny'],
  ['PODID', 'the Pod Identity trust policy lets EKS assume the role', podIdPolicy(['sts:AssumeRole', 'sts:TagSession']), podId('sts:AssumeRole'), 'allowed'],
  ['PODID', 'and tag the session', podIdPolicy(['sts:AssumeRole', 'sts:TagSession']), podId('sts:TagSession'), 'allowed'],
  ['PODID', 'without sts:TagSession the session tags are refused', podIdPolicy(['sts:AssumeRole']), podId('sts:TagSession'), 'implicitDeny'],
  ['PODID', 'an IRSA-only trust policy does not let EKS Pod Identity in', irsaPolicy('system:serviceaccount:default:x'), podId('sts:AssumeRole'), 'implicitDeny'],
  ['DEPUTY', 'aws:SourceAccount narrows the service principal to the cluster\'s account',
    [{ ...podIdPolicy(['sts:AssumeRole'])[0], Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } } }], podId('sts:AssumeRole'), 'allowed'],
  ['DEPUTY', 'and refuses clusters of other accounts',
    [{ ...podIdPolicy(['sts:AssumeRole'])[0], Condition: { StringEquals: { 'aws:SourceAccount': '444455556666' } } }], podId('sts:AssumeRole'), 'implicitDeny'],
  ['ABAC', "the guide's ABAC trust policy admits the payroll service account's chained session", ABAC, chained('PayrollNamespace', 'PayrollApplication'), 'allowed'],
  ['ABAC', 'and refuses another service account of the cluster', ABAC, chained('PayrollNamespace', 'Reporting'), 'implicitDeny'],
  ['ABAC', 'and the payroll service account of another namespace', ABAC, chained('Sandbox', 'PayrollApplication'), 'implicitDeny'],
  ['EVAL', 'and a session without the tags (session tags disabled)', ABAC, chained('PayrollNamespace', 'PayrollApplication', false), 'implicitDeny'],
  ['ABAC', 'and a role of another account even with the tags', ABAC, chained('PayrollNamespace', 'PayrollApplication', true, 'arn:aws:iam::444455556666:role/payroll-pod-identity'), 'implicitDeny'],
  ['ABAC', 'a condition on kubernetes-pod-name cannot be decided before a pod exists',
    [{ ...ABAC[0], Condition: { StringEquals: { 'aws:PrincipalTag/kubernetes-pod-name': 'payroll-0' } } }], chained('PayrollNamespace', 'PayrollApplication'), 'unknown'],
];

describe('workload requests: golden cases from AWS documentation (IRSA, EKS Pod Identity, ABAC chaining)', () => {
  it.each(goldens)('%s: %s', (_source, _what, policy, request, decision) => {
    expect(evaluatePolicy(policy, request).decision).toBe(decision);
  });

  it('names the OIDC provider as IAM does: oidc-provider/<issuer without https://>', () => {
    expect(issuerHostPath(ISSUER)).toBe(HP);
    expect(oidcProviderArn(ISSUER, '111122223333')).toBe(PROVIDER);
    expect(issuerOfProviderArn(PROVIDER)).toBe(ISSUER);
    expect(issuerHostPath('http://not-https.example')).toBeUndefined();
  });
});
