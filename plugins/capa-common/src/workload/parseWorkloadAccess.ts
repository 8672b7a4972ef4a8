/*
 * The static workload-access evidence (fleet.yaml's `workloadAccess` file): what eks:DescribeCluster,
 * eks:DescribePodIdentityAssociation, iam:ListOpenIDConnectProviders and iam:GetRole would answer, written down,
 * for a fleet read without AWS credentials. Problems name the file and the field; a bad entry is left out, the
 * others are kept. A trust policy is kept as given: a malformed one is judged by the `workload-trust-policy` check,
 * not refused here.
 */
import { isAccountId, parseArn } from '../iam/arn';
import { isRecord } from '../records';
import type { InputProblem } from '../types';
import type {
  AccountIamEvidence,
  IrsaServiceAccount,
  PodIdentityAssociationEvidence,
  WorkloadAccessSnapshot,
  WorkloadClusterEvidence,
} from './types';

/**
 * `<managementCluster>/<namespace>/<name>`: how the snapshot keys a cluster.
 *
 * @public
 */
export function workloadClusterKey(
  managementCluster: string,
  namespace: string,
  name: string,
) {
  return `${managementCluster}/${namespace}/${name}`;
}

type Err = (field: string, message: string) => void;

const isRoleArn = (v: unknown): v is string =>
  typeof v === 'string' && parseArn(v)?.resource.startsWith('role/') === true;

function strings(
  a: Record<string, unknown>,
  keys: string[],
  p: string,
  err: Err,
): boolean {
  for (const k of keys) {
    if (typeof a[k] !== 'string' || !a[k]) {
      err(
        `${p}.${k}`,
        `must be a non-empty string, got ${JSON.stringify(a[k])}`,
      );
      return false;
    }
  }
  return true;
}

function parseServiceAccounts(raw: unknown, p: string, err: Err) {
  const out: IrsaServiceAccount[] = [];
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) {
    err(p, 'must be a list of { namespace, name, roleArn }');
    return undefined;
  }
  raw.forEach((s: unknown, i) => {
    const q = `${p}[${i}]`;
    if (!isRecord(s)) return err(q, 'must be a mapping');
    if (!strings(s, ['namespace', 'name'], q, err)) return undefined;
    if (!isRoleArn(s.roleArn))
      return err(
        `${q}.roleArn`,
        `must be an IAM role ARN, got ${JSON.stringify(s.roleArn)}`,
      );
    out.push({ namespace: s.namespace, name: s.name, roleArn: s.roleArn });
    return undefined;
  });
  return out;
}

function parseAssociations(raw: unknown, p: string, err: Err) {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) {
    err(
      p,
      'must be a list of { namespace, serviceAccount, roleArn, targetRoleArn? }',
    );
    return undefined;
  }
  const out: PodIdentityAssociationEvidence[] = [];
  raw.forEach((a: unknown, i) => {
    const q = `${p}[${i}]`;
    if (!isRecord(a)) return err(q, 'must be a mapping');
    if (!strings(a, ['namespace', 'serviceAccount'], q, err)) return undefined;
    if (!isRoleArn(a.roleArn))
      return err(
        `${q}.roleArn`,
        `must be an IAM role ARN, got ${JSON.stringify(a.roleArn)}`,
      );
    if (a.targetRoleArn !== undefined && !isRoleArn(a.targetRoleArn))
      return err(
        `${q}.targetRoleArn`,
        `must be an IAM role ARN, got ${JSON.stringify(a.targetRoleArn)}`,
      );
    out.push({
      namespace: a.namespace,
      serviceAccount: a.serviceAccount,
      roleArn: a.roleArn,
      ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn } : {}),
      ...(typeof a.externalId === 'string' ? { externalId: a.externalId } : {}),
      ...(a.disableSessionTags === true ? { disableSessionTags: true } : {}),
    });
    return undefined;
  });
  return out;
}

function parseCluster(
  c: unknown,
  p: string,
  source: string,
  err: Err,
): { key: string; value: WorkloadClusterEvidence } | undefined {
  if (!isRecord(c)) {
    err(p, 'must be a mapping');
    return undefined;
  }
  if (!strings(c, ['managementCluster', 'namespace', 'name'], p, err))
    return undefined;
  const value: WorkloadClusterEvidence = { source };
  if (c.oidcIssuer !== undefined) {
    if (typeof c.oidcIssuer !== 'string' || !/^https:\/\//.test(c.oidcIssuer))
      err(
        `${p}.oidcIssuer`,
        `must be an https:// URL, got ${JSON.stringify(c.oidcIssuer)}`,
      );
    else value.oidcIssuer = c.oidcIssuer;
  }
  if (typeof c.clusterArn === 'string') value.clusterArn = c.clusterArn;
  const sas = parseServiceAccounts(
    c.serviceAccounts,
    `${p}.serviceAccounts`,
    err,
  );
  if (sas) value.serviceAccounts = sas;
  const pias = parseAssociations(
    c.podIdentityAssociations,
    `${p}.podIdentityAssociations`,
    err,
  );
  if (pias) value.podIdentityAssociations = pias;
  return {
    key: workloadClusterKey(c.managementCluster, c.namespace, c.name),
    value,
  };
}

function parseAccount(
  a: unknown,
  p: string,
  source: string,
  err: Err,
): AccountIamEvidence | undefined {
  if (!isRecord(a)) {
    err(p, 'must be a mapping');
    return undefined;
  }
  if (typeof a.accountId !== 'string' || !isAccountId(a.accountId)) {
    err(
      `${p}.accountId`,
      `must be a 12-digit string (quote it), got ${JSON.stringify(
        a.accountId,
      )}`,
    );
    return undefined;
  }
  const account: AccountIamEvidence = {
    accountId: a.accountId,
    roles: {},
    complete: true,
    source,
  };
  if (a.openIDConnectProviders !== undefined) {
    if (!Array.isArray(a.openIDConnectProviders))
      err(
        `${p}.openIDConnectProviders`,
        'must be a list of OIDC provider ARNs',
      );
    else
      account.openIDConnectProviders = a.openIDConnectProviders.filter(
        (x: unknown, i: number) => {
          const ok = typeof x === 'string' && /:oidc-provider\//.test(x);
          if (!ok)
            err(
              `${p}.openIDConnectProviders[${i}]`,
              `must be an oidc-provider ARN, got ${JSON.stringify(x)}`,
            );
          return ok;
        },
      );
  }
  const roles = Array.isArray(a.roles) ? a.roles : [];
  if (a.roles !== undefined && !Array.isArray(a.roles))
    err(`${p}.roles`, 'must be a list of { arn, trustPolicy }');
  roles.forEach((r: unknown, i: number) => {
    const q = `${p}.roles[${i}]`;
    if (!isRecord(r)) return err(q, 'must be a mapping');
    if (!isRoleArn(r.arn))
      return err(
        `${q}.arn`,
        `must be an IAM role ARN, got ${JSON.stringify(r.arn)}`,
      );
    if (parseArn(r.arn)?.accountId !== account.accountId)
      return err(`${q}.arn`, `${r.arn} is not in account ${account.accountId}`);
    account.roles[r.arn] = {
      arn: r.arn,
      status: 'found',
      trustPolicy: r.trustPolicy,
      source: `${source}: ${q}`,
    };
    return undefined;
  });
  return account;
}

/**
 * Validates a parsed `workloadAccess` document: a `clusters` list (managementCluster, namespace, name, and optional
 * oidcIssuer, clusterArn, serviceAccounts, podIdentityAssociations) and an `accounts` list (accountId, optional
 * openIDConnectProviders, roles with arn and trustPolicy). See docs/contracts.md section 4.1.
 *
 * @public
 */
export function parseWorkloadAccess(
  doc: unknown,
  source: string,
): { snapshot?: WorkloadAccessSnapshot; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const err: Err = (field, message) =>
    problems.push({
      source,
      message: `${field}: ${message}`,
      severity: 'error',
    });
  if (
    !isRecord(doc) ||
    (!Array.isArray(doc.clusters) && !Array.isArray(doc.accounts))
  ) {
    err(
      '(root)',
      'must be a mapping with a `clusters` and / or an `accounts` list',
    );
    return { problems };
  }
  const snapshot: WorkloadAccessSnapshot = {
    clusters: {},
    accounts: {},
    source,
  };
  (Array.isArray(doc.clusters) ? doc.clusters : []).forEach(
    (c: unknown, i: number) => {
      const parsed = parseCluster(c, `clusters[${i}]`, source, err);
      if (!parsed) return;
      if (snapshot.clusters[parsed.key])
        err(`clusters[${i}]`, `duplicate cluster ${parsed.key}`);
      else snapshot.clusters[parsed.key] = parsed.value;
    },
  );
  (Array.isArray(doc.accounts) ? doc.accounts : []).forEach(
    (a: unknown, i: number) => {
      const account = parseAccount(a, `accounts[${i}]`, source, err);
      if (!account) return;
      if (snapshot.accounts[account.accountId])
        err(
          `accounts[${i}].accountId`,
          `duplicate account ${account.accountId}`,
        );
      else snapshot.accounts[account.accountId] = account;
    },
  );
  return { snapshot, problems };
}
