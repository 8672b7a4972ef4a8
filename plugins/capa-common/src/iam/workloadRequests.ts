/*
 * The requests STS evaluates when EKS workloads get credentials, as the IAM evaluator's PolicyRequest: who calls,
 * which action, and the condition keys the request carries. Sources:
 * - IRSA: EKS User Guide, associate-service-account-role.html and iam-roles-for-service-accounts.html: the pod's
 *   projected token is exchanged with `sts:AssumeRoleWithWebIdentity`; the trust policy names the account's IAM
 *   OIDC provider (`arn:aws:iam::<account>:oidc-provider/<issuer without https://>`) as `Federated` principal, and
 *   conditions on `<issuer>:sub` = `system:serviceaccount:<namespace>:<service account>` and `<issuer>:aud` =
 *   `sts.amazonaws.com` (IAM User Guide, reference_policies_iam-condition-keys.html#condition-keys-wif: the
 *   provider's keys are `<provider host/path>:aud`, `:sub`).
 * - EKS Pod Identity: EKS User Guide, pod-id-role.html: the role trusts the service principal
 *   `pods.eks.amazonaws.com` with `sts:AssumeRole` and `sts:TagSession`; pod-id-abac.html: EKS adds the session
 *   tags eks-cluster-arn, eks-cluster-name, kubernetes-namespace, kubernetes-service-account, kubernetes-pod-name,
 *   kubernetes-pod-uid, all transitive ("passed to any AssumeRole actions that your workloads use to switch roles
 *   into another account").
 * - Role chaining into the workload account (pod-id-assign-target-role.html): the association role calls
 *   `sts:AssumeRole` (and `sts:TagSession` for the transitive tags) on the target role, with the association's
 *   externalId as `sts:ExternalId`; the tags arrive as `aws:PrincipalTag/<key>` (IAM User Guide,
 *   id_session-tags.html#id_session-tags_role-chaining).
 * Keys whose values we cannot know (the pod's name and uid) are left out, so conditions on them are `unknown`.
 */
import type { ContextValue, PolicyRequest } from './evaluate';
import { parseArn } from './arn';

/** The service principal of EKS Pod Identity. */
export const POD_IDENTITY_SERVICE = 'pods.eks.amazonaws.com';
/** The audience EKS puts in IRSA tokens. */
export const IRSA_AUDIENCE = 'sts.amazonaws.com';

/** The six session tags EKS Pod Identity adds (pod-id-abac.html), in the page's order. */
export const POD_IDENTITY_SESSION_TAGS = [
  'eks-cluster-arn',
  'eks-cluster-name',
  'kubernetes-namespace',
  'kubernetes-service-account',
  'kubernetes-pod-name',
  'kubernetes-pod-uid',
] as const;

/** `https://oidc.eks.region.amazonaws.com/id/X` → `oidc.eks.region.amazonaws.com/id/X` (the provider's name). */
export function issuerHostPath(issuer: string): string | undefined {
  const m = /^https:\/\/([^/?#\s]+(?:\/[^?#\s]*)?)$/.exec(issuer.trim());
  if (!m) return undefined;
  return m[1].replace(/\/+$/, '');
}

/** The IAM OIDC provider ARN for an issuer in an account (IAM's `oidc-provider/<host/path>` resource). */
export function oidcProviderArn(
  issuer: string,
  accountId: string,
  partition = 'aws',
): string | undefined {
  const hp = issuerHostPath(issuer);
  return hp
    ? `arn:${partition}:iam::${accountId}:oidc-provider/${hp}`
    : undefined;
}

/** The issuer of an OIDC provider ARN (`https://` + the part after `oidc-provider/`). */
export function issuerOfProviderArn(arn: string): string | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'iam') return undefined;
  const m = /^oidc-provider\/(.+)$/.exec(parsed.resource);
  return m ? `https://${m[1]}` : undefined;
}

/** The `sub` of an EKS service account token. */
export function serviceAccountSubject(namespace: string, name: string) {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** IRSA: the pod's token exchanged for the role (sts:AssumeRoleWithWebIdentity). */
export function webIdentityRequest(options: {
  issuer: string;
  providerArn: string;
  namespace: string;
  serviceAccount: string;
  partition?: string;
}): PolicyRequest {
  const hp = issuerHostPath(options.issuer) ?? options.issuer;
  return {
    principal: {
      type: 'Federated',
      id: options.providerArn,
      partition: options.partition,
    },
    action: 'sts:AssumeRoleWithWebIdentity',
    partition: options.partition,
    context: {
      [`${hp}:sub`]: serviceAccountSubject(
        options.namespace,
        options.serviceAccount,
      ),
      [`${hp}:aud`]: IRSA_AUDIENCE,
    },
  };
}

/** The session tags EKS Pod Identity attaches for one service account (pod name and uid are not known here). */
export function podIdentityTags(options: {
  clusterArn?: string;
  clusterName?: string;
  namespace: string;
  serviceAccount: string;
}): Record<string, string | undefined> {
  return {
    'eks-cluster-arn': options.clusterArn,
    'eks-cluster-name': options.clusterName,
    'kubernetes-namespace': options.namespace,
    'kubernetes-service-account': options.serviceAccount,
    'kubernetes-pod-name': undefined,
    'kubernetes-pod-uid': undefined,
  };
}

/** `prefix<key>` for each tag; `null` for every tag when tags are off (known absent), unknown values left out. */
function tagContext(
  prefix: string,
  tags: Record<string, string | undefined> | null,
): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const key of POD_IDENTITY_SESSION_TAGS) {
    if (tags === null) out[`${prefix}${key}`] = null;
    else if (tags[key] !== undefined) out[`${prefix}${key}`] = tags[key]!;
  }
  return out;
}

/**
 * EKS Pod Identity assuming the association role: the service principal, with the session tags it passes as
 * request tags (`aws:RequestTag/*`, `aws:TagKeys`) and the cluster as `aws:SourceAccount` / `aws:SourceArn`.
 */
export function podIdentityServiceRequest(options: {
  action: 'sts:AssumeRole' | 'sts:TagSession';
  tags: Record<string, string | undefined> | null;
  clusterAccountId?: string;
  clusterArn?: string;
  partition?: string;
}): PolicyRequest {
  const { tags } = options;
  return {
    principal: {
      type: 'Service',
      id: POD_IDENTITY_SERVICE,
      partition: options.partition,
    },
    action: options.action,
    partition: options.partition,
    context: {
      ...tagContext('aws:RequestTag/', tags),
      'aws:TagKeys': tags === null ? null : [...POD_IDENTITY_SESSION_TAGS],
      ...(options.clusterAccountId
        ? { 'aws:SourceAccount': options.clusterAccountId }
        : {}),
      ...(options.clusterArn ? { 'aws:SourceArn': options.clusterArn } : {}),
    },
  };
}

/**
 * A session of the association role assuming the target role (role chaining): its transitive session tags are
 * `aws:PrincipalTag/*` of the request and travel as transitive tags (`sts:TransitiveTagKeys`).
 */
export function chainedRoleRequest(options: {
  action: 'sts:AssumeRole' | 'sts:TagSession';
  sourceRoleArn: string;
  tags: Record<string, string | undefined> | null;
  externalId?: string;
}): PolicyRequest {
  const parsed = parseArn(options.sourceRoleArn);
  const { tags } = options;
  return {
    principal: {
      type: 'AWS',
      arn: options.sourceRoleArn,
      accountId: parsed?.accountId,
      partition: parsed?.partition,
    },
    action: options.action,
    context: {
      ...tagContext('aws:PrincipalTag/', tags),
      'aws:PrincipalArn': options.sourceRoleArn,
      ...(parsed?.accountId
        ? { 'aws:PrincipalAccount': parsed.accountId }
        : {}),
      'sts:ExternalId': options.externalId ?? null,
      'sts:TransitiveTagKeys':
        tags === null ? null : [...POD_IDENTITY_SESSION_TAGS],
    },
  };
}
